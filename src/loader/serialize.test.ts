import { describe, expect, it } from 'vitest';
import type { Project } from '../model/types.js';
import { projectToModel } from './serialize.js';

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

