import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { enforceUnicity, mergeLayers, stripMarkers } from './merge.js';
import { parseYaml } from './yaml.js';

const y = (s: string) => parseYaml(s, 'x.yaml')[0]!.data;

describe('mergeLayers', () => {
  it('merges mappings, appends sequences, later scalars win', () => {
    const out = mergeLayers([
      y('services:\n  web:\n    image: a\n    ports: ["80:80"]\n    deploy: {replicas: 1, resources: {limits: {cpus: "1"}}}\n'),
      y('services:\n  web:\n    image: b\n    ports: ["81:81"]\n    deploy: {replicas: 2}\n  db:\n    image: pg\n'),
    ]);
    expect(out).toEqual({
      services: {
        web: { image: 'b', ports: ['80:80', '81:81'], deploy: { replicas: 2, resources: { limits: { cpus: '1' } } } },
        db: { image: 'pg' },
      },
    });
  });
  it('replaces command/entrypoint/healthcheck.test and merges environment by key', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    command: [a, b]\n    healthcheck: {test: [CMD, x], retries: 3}\n    environment: [A=1, B=2]\n    labels: {l: "1"}\n'),
      y('services:\n  w:\n    command: [c]\n    healthcheck: {test: [CMD, y]}\n    environment: {B: "3", C: "4"}\n    labels: [m=2]\n'),
    ]);
    expect(out.services).toEqual({
      w: {
        command: ['c'],
        healthcheck: { test: ['CMD', 'y'], retries: 3 },
        environment: { A: '1', B: '3', C: '4' },
        labels: { l: '1', m: '2' },
      },
    });
  });
  it('turns depends_on / networks lists into maps and build strings into objects', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    depends_on: [db]\n    networks: [front]\n    build: ./app\n'),
      y('services:\n  w:\n    depends_on: {cache: {condition: service_healthy}}\n    networks: {back: {aliases: [x]}}\n    build: {target: dev}\n'),
    ]);
    expect(out.services).toEqual({
      w: {
        depends_on: { db: { condition: 'service_started', required: true }, cache: { condition: 'service_healthy' } },
        networks: { front: null, back: { aliases: ['x'] } },
        build: { context: './app', target: 'dev' },
      },
    });
  });
  it('honours !reset and !override', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n    volumes: [a:/a]\n'),
      y('services:\n  w:\n    ports: !reset []\n    environment:\n      B: !reset\n    volumes: !override [b:/b]\n'),
    ]);
    expect(out.services).toEqual({ w: { environment: { A: '1' }, volumes: ['b:/b'] } });
  });
  it('rejects a mapping replaced by a sequence', () => {
    expect(() => mergeLayers([y('services:\n  w:\n    deploy: {replicas: 1}\n'), y('services:\n  w:\n    deploy: [1]\n')])).toThrow(
      /services\.w\.deploy: cannot override: a sequence cannot replace a mapping/,
    );
    expect(() => mergeLayers([y('services:\n  w:\n    dns_opt: [a]\n    volumes: [a:/a]\n'), y('services:\n  w:\n    volumes: {a: 1}\n')])).toThrow(LoaderError);
  });
  it('dedupes list attributes', () => {
    const out = mergeLayers([y('services:\n  w:\n    cap_add: [A, B]\n    dns: 1.1.1.1\n'), y('services:\n  w:\n    cap_add: [B, C]\n    dns: [1.1.1.1, 8.8.8.8]\n')]);
    expect(out.services).toEqual({ w: { cap_add: ['A', 'B', 'C'], dns: ['1.1.1.1', '8.8.8.8'] } });
  });
  it('keeps a key named __proto__ as data, never as the prototype', () => {
    const own = (o: unknown, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value;
    const out = mergeLayers([
      { 'x-a': { b: 1 }, services: { s: { environment: { A: '1' }, depends_on: ['db'] } } },
      {
        'x-a': JSON.parse('{"__proto__": {"polluted": true}}'),
        services: { s: { environment: ['__proto__=x'], depends_on: ['__proto__'] } },
      },
    ]);
    const xa = out['x-a'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(xa)).toBe(Object.prototype);
    expect(own(xa, '__proto__')).toEqual({ polluted: true });
    expect(xa.b).toBe(1);
    const s = (out.services as Record<string, Record<string, unknown>>).s!;
    expect(own(s.environment, '__proto__')).toBe('x');
    expect(Object.getPrototypeOf(s.depends_on)).toBe(Object.prototype);
    expect(own(s.depends_on, '__proto__')).toEqual({ condition: 'service_started', required: true });
    const stripped = stripMarkers(JSON.parse('{"__proto__": {"polluted": true}}')) as object;
    expect(Object.getPrototypeOf(stripped)).toBe(Object.prototype);
    expect(own(stripped, '__proto__')).toEqual({ polluted: true });
  });
  it('strips markers from a single file', () => {
    expect(stripMarkers(y('a: !reset x\nb: !override [1]\nc: [1, !reset 2]\n'))).toEqual({ b: [1], c: [1] });
  });

  it('lets a scalar be replaced by anything, and a later null keep the earlier value', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    image: a\n    healthcheck: x\n    user: u\n    command: [a]\n'),
      y('services:\n  w:\n    image: null\n    healthcheck: {test: [CMD, y]}\n    user:\n    command: null\n'),
    ]);
    expect(out.services).toEqual({ w: { image: 'a', healthcheck: { test: ['CMD', 'y'] }, user: 'u', command: null } });
  });
  it('lets a later bare key of environment/labels win over a value', () => {
    const out = mergeLayers([y('services:\n  w:\n    environment: {A: "1", B: "2"}\n'), y('services:\n  w:\n    environment: [A]\n')]);
    expect(out.services).toEqual({ w: { environment: { A: null, B: '2' } } });
  });
  it('merges mixed list/map forms of additional_contexts and models', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    build: {context: ., additional_contexts: [a=docker-image://x, b=./b]}\n    models: [llm]\n'),
      y('services:\n  w:\n    build: {additional_contexts: {a: docker-image://y}}\n    models: {vis: {endpoint_var: URL}}\n'),
    ]);
    expect(out.services).toEqual({
      w: {
        build: { context: '.', additional_contexts: { a: 'docker-image://y', b: './b' } },
        models: { llm: null, vis: { endpoint_var: 'URL' } },
      },
    });
  });
  it('appends dns/tmpfs/env_file given as one string', () => {
    const out = mergeLayers([y('services:\n  w:\n    tmpfs: /a\n    env_file: a.env\n'), y('services:\n  w:\n    tmpfs: [/b]\n    env_file: b.env\n')]);
    expect(out.services).toEqual({ w: { tmpfs: ['/a', '/b'], env_file: ['a.env', 'b.env'] } });
  });
  it('merges extra_hosts: a mapping becomes sorted host=ip entries, already present entries are not repeated', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    extra_hosts: {example.com: 1.2.3.4}\n'),
      y('services:\n  w:\n    extra_hosts: {localhost: 127.0.0.1, example.com: [1.2.3.4, 4.3.2.1]}\n'),
    ]);
    expect(out.services).toEqual({ w: { extra_hosts: ['example.com=1.2.3.4', 'example.com=4.3.2.1', 'localhost=127.0.0.1'] } });
    const same = mergeLayers([y('services:\n  w:\n    extra_hosts: [a=1]\n'), y('services:\n  w:\n    extra_hosts: [a=1, a=2]\n')]);
    expect(same.services).toEqual({ w: { extra_hosts: ['a=1', 'a=2'] } });
  });
  it('merges ipam.config entries by subnet and appends new subnets', () => {
    const out = mergeLayers([
      y('networks:\n  n:\n    ipam:\n      config:\n        - {subnet: 10.0.0.0/16, gateway: 10.0.0.1, aux_addresses: {a: 10.0.0.5}}\n'),
      y('networks:\n  n:\n    ipam:\n      config:\n        - {subnet: 10.0.0.0/16, aux_addresses: {b: 10.0.0.6}}\n        - {subnet: 10.1.0.0/16}\n'),
    ]);
    expect(out.networks).toEqual({
      n: {
        ipam: {
          config: [
            { subnet: '10.0.0.0/16', gateway: '10.0.0.1', aux_addresses: { a: '10.0.0.5', b: '10.0.0.6' } },
            { subnet: '10.1.0.0/16' },
          ],
        },
      },
    });
  });
  it('keeps one entry per unicity key, the later one in the earlier place', () => {
    const out = mergeLayers([
      y(
        'services:\n  w:\n    volumes: [./a:/a, b:/b]\n    devices: [/dev/sda:/dev/sda, /dev/sdb:/dev/sdb]\n    secrets: [foo, bar]\n' +
          '    env_file: [a.env, b.env]\n    links: [db, cache]\n    cap_add: [NET_ADMIN]\n    ports: ["80:80"]\n' +
          '    networks: {n: {aliases: [x, y]}}\n',
      ),
      y(
        'services:\n  w:\n    volumes: [./c:/a]\n    devices: [/dev/nvme0:/dev/sda]\n    secrets: [{source: zot, target: /run/secrets/foo}]\n' +
          '    env_file: [{path: a.env, required: false}]\n    links: [db=database]\n    cap_add: [NET_ADMIN]\n    ports: ["80:80", "81:80"]\n' +
          '    networks: {n: {aliases: [y, z]}}\n',
      ),
    ]);
    expect(out.services).toEqual({
      w: {
        volumes: ['./c:/a', 'b:/b'],
        devices: ['/dev/nvme0:/dev/sda', '/dev/sdb:/dev/sdb'],
        secrets: [{ source: 'zot', target: '/run/secrets/foo' }, 'bar'],
        env_file: [{ path: 'a.env', required: false }, 'b.env'],
        links: ['db=database', 'cache'],
        cap_add: ['NET_ADMIN'],
        ports: ['80:80', '81:80'],
        networks: { n: { aliases: ['x', 'y', 'z'] } },
      },
    });
  });
  it('enforces unicity within one file too, and leaves other sequences alone', () => {
    const tree = y('services:\n  w:\n    volumes: [.:/foo, foo:/bar, src:/foo]\n    command: [a, a]\n    configs: [c, {source: d, target: /c}]\n');
    expect(enforceUnicity(tree as Record<string, unknown>)).toEqual({
      services: { w: { volumes: ['src:/foo', 'foo:/bar'], command: ['a', 'a'], configs: [{ source: 'd', target: '/c' }] } },
    });
    expect(mergeLayers([y('services:\n  w:\n    volumes: [a:/a, a:/b]\n    secrets: [{source: s, target: /x}, s]\n')]).services).toEqual({
      w: { volumes: ['a:/a', 'a:/b'], secrets: [{ source: 's', target: '/x' }, 's'] },
    });
  });
});
