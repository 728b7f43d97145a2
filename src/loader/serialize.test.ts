import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Project } from '../model/types.js';
import { modelToYaml, projectToModel } from './serialize.js';

describe('projectToModel', () => {
  it('orders keys canonically, escapes $ and drops internal fields', () => {
    const p: Project = {
      name: 'p',
      services: {
        z: { name: 'z', image: 'x', environment: { B: 'a$b', A: null } },
        a: { name: 'a', image: 'y', command: ['echo', '$HOME'], labels: undefined },
      },
      networks: { default: { name: 'p_default' } },
      volumes: {},
      secrets: {},
      configs: {},
      extensions: { 'x-b': 1, 'x-a': '$x' },
      workingDir: '/w',
      configFiles: [],
      envFiles: [],
      environment: {},
      disabledServices: {},
      profiles: [],
    };
    const m = projectToModel(p);
    expect(Object.keys(m)).toEqual(['name', 'services', 'networks', 'x-a', 'x-b']);
    expect(m.services).toEqual({
      a: { command: ['echo', '$$HOME'], image: 'y' },
      z: { environment: { A: null, B: 'a$$b' }, image: 'x' },
    });
    expect(Object.keys(m.services as object)).toEqual(['a', 'z']);
    expect(m['x-a']).toBe('$$x');
  });

  it('prints typed values as compose does and hides secret content', () => {
    const p: Project = {
      name: 'p',
      services: {
        s: {
          name: 's',
          image: 'x',
          mem_limit: 536870912,
          memswap_limit: -1,
          extra_hosts: ['b=2.2.2.2', 'a=9.9.9.9', 'a=1.1.1.1'],
          build: { context: '/w', shm_size: 1024 },
          deploy: { resources: { limits: { memory: 2048, cpus: 0.5 } }, restart_policy: { window: '120s' } },
          stop_grace_period: '90s',
          healthcheck: { test: ['NONE'], interval: '1m', timeout: 'soon' },
          blkio_config: { device_read_bps: [{ path: '/dev/sda', rate: 1048576 }] },
          volumes: [{ type: 'tmpfs', target: '/t', tmpfs: { size: 10000 } }],
          secrets: [{ source: 'k', target: '/run/secrets/k', mode: '0440' }],
        },
      },
      networks: {},
      volumes: {},
      secrets: { k: { name: 'p_k', environment: 'K', content: 'hunter2' } },
      configs: { c: { name: 'p_c', environment: 'C', content: 'from-env' }, i: { name: 'p_i', content: 'inline' } },
      extensions: {},
      workingDir: '/w',
      configFiles: [],
      envFiles: [],
      environment: {},
      disabledServices: {},
      profiles: [],
    };
    const m = projectToModel(p);
    const s = (m.services as Record<string, Record<string, unknown>>).s!;
    expect(s.mem_limit).toBe('536870912');
    expect(s.memswap_limit).toBe('-1');
    expect(s.extra_hosts).toEqual(['a=1.1.1.1', 'a=9.9.9.9', 'b=2.2.2.2']);
    expect(s.build).toEqual({ context: '/w', shm_size: '1024' });
    expect(s.deploy).toEqual({ resources: { limits: { cpus: 0.5, memory: '2048' } }, restart_policy: { window: '2m0s' } });
    expect(s.stop_grace_period).toBe('1m30s');
    // A value that is not a duration is printed as it is.
    expect(s.healthcheck).toEqual({ test: ['NONE'], interval: '1m0s', timeout: 'soon' });
    expect(s.blkio_config).toEqual({ device_read_bps: [{ path: '/dev/sda', rate: '1048576' }] });
    expect(s.volumes).toEqual([{ type: 'tmpfs', target: '/t', tmpfs: { size: '10000' } }]);
    expect(s.secrets).toEqual([{ source: 'k', target: '/run/secrets/k', mode: '0440' }]);
    expect(m.secrets).toEqual({ k: { name: 'p_k', environment: 'K' } });
    expect(m.configs).toEqual({ c: { name: 'p_c', environment: 'C' }, i: { name: 'p_i', content: 'inline' } });
    // The model itself is left untouched.
    expect(p.services.s!.mem_limit).toBe(536870912);
    expect(p.secrets.k!.content).toBe('hunter2');
  });
});


describe('modelToYaml', () => {
  const yamlPackage = (m: unknown): string => stringify(m, { indent: 2, lineWidth: 0, aliasDuplicateObjects: false });

  it('prints what the yaml package prints', () => {
    const model = {
      name: 'p',
      services: {
        web: {
          command: ['sh', '-c', 'echo 1 && sleep 1', '-', '?', 'a: b', 'a #b', 'a#b', 'a:', ' a', 'it\'s', 'say "hi"', `'"`, 'C:\\x'],
          environment: { A: '0', B: '', C: 'true', D: 'null', E: '0755', F: '1e3', G: '.inf', H: 'yes', I: '$$HOME', J: null },
          ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
          volumes: [],
          labels: {},
          healthcheck: { test: ['CMD', 'true'], interval: '30s', retries: 3, disable: false },
          x: [[1, 2], [], [{}], 1.5, -3],
        },
      },
      '80': { '': 'empty key', 'a b': 1, '-x': 2, 'true': 3 },
    };
    expect(modelToYaml(model)).toBe(yamlPackage(model));
  });

  it('leaves to the yaml package what it prints its own way', () => {
    for (const model of [{ a: 'two\nlines' }, { a: 'café' }, { a: '\t' }, { a: -0 }, { a: Number.NaN }, { a: '--- x' }, { a: new Date(0) }, { a: 'x'.repeat(1200) }]) {
      expect(modelToYaml(model)).toBe(yamlPackage(model));
    }
  });

  it('prints random models as the yaml package does', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.array(fc.constantFrom('a', '0', '1', ' ', '-', '?', ':', ',', '[', '{', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '.', '=', '~', '$', '\\', 'e', 'x', 'n', 't'), { maxLength: 8 }).map((a) => a.join('')),
      fc.constantFrom('true', 'null', '', '~', '0755', '1e3', '.5', '0x1F', '0o7', '.inf', '.nan', '-c', '- a', '? x', ': x', 'a: b', '---', '...', '=', '1.', '.'),
    );
    const model = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
    })).map;
    fc.assert(fc.property(model, (m) => modelToYaml(m) === yamlPackage(m)), { numRuns: 3000 });
  }, 60_000);
});
