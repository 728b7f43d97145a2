import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { normalizeModel } from './normalize.js';
import { parseYaml } from './yaml.js';

const ctx = { projectName: 'proj', workingDir: '/proj', environment: { SET: 'v' }, home: '/home/u' };
const norm = (src: string) => normalizeModel(parseYaml(src, 'c.yaml')[0]!.data as Record<string, unknown>, ctx);

describe('normalizeModel', () => {
  it('canonicalises service short syntax', () => {
    const m = norm(`services:
  s:
    image: x
    command: sh -c 'echo hi'
    entrypoint: null
    environment: {SET: null, UNSET: null, N: 1, B: true}
    labels: {a: 1}
    env_file: [a.env, {path: /abs.env, required: false}]
    healthcheck: {test: curl -f http://x, retries: "3"}
    extra_hosts: ["a:1.2.3.4", "b=::1"]
    dns: 8.8.8.8
    expose: [3000, "4000/udp"]
    privileged: "true"
    secrets: [s1, {source: s2, target: t, mode: "0440"}]
    pull_policy: if_not_present
    scale: "2"
    network_mode: host
`);
    const s = m.services.s!;
    expect(s.name).toBe('s');
    expect(s.command).toEqual(['sh', '-c', 'echo hi']);
    expect(s.entrypoint).toBeNull();
    expect(s.environment).toEqual({ SET: 'v', UNSET: null, N: '1', B: 'true' });
    expect(s.labels).toEqual({ a: '1' });
    expect(s.env_file).toEqual([
      { path: '/proj/a.env', required: true },
      { path: '/abs.env', required: false },
    ]);
    expect(s.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f http://x'], retries: 3 });
    expect(s.extra_hosts).toEqual(['a=1.2.3.4', 'b=::1']);
    expect(s.dns).toEqual(['8.8.8.8']);
    expect(s.expose).toEqual(['3000', '4000/udp']);
    expect(s.privileged).toBe(true);
    expect(s.secrets).toEqual([{ source: 's1', target: '/run/secrets/s1' }, { source: 's2', target: 't', mode: '0440' }]);
    expect(s.pull_policy).toBe('missing');
    expect(s.scale).toBe(2);
    expect(s.networks).toBeUndefined();
    expect(m.networks).toEqual({});
  });
  it('names resources and creates the default network only when used', () => {
    const m = norm(`name: file-name
services:
  a: {image: x}
  b: {image: x, networks: [front]}
networks:
  front: {}
  ext: {external: true}
  named: {name: custom}
volumes:
  v: {}
  old: {external: {name: legacy}}
secrets:
  s: {file: ./s.txt}
configs:
  c: {content: hi}
x-extra: {k: 1}
`);
    expect(m.networks).toEqual({
      front: { name: 'proj_front' },
      ext: { name: 'ext', external: true },
      named: { name: 'custom' },
      default: { name: 'proj_default' },
    });
    expect(m.volumes).toEqual({ v: { name: 'proj_v' }, old: { name: 'legacy', external: true } });
    expect(m.secrets).toEqual({ s: { name: 'proj_s', file: '/proj/s.txt' } });
    expect(m.configs).toEqual({ c: { name: 'proj_c', content: 'hi' } });
    expect(m.extensions).toEqual({ 'x-extra': { k: 1 } });
  });
  it('resolves build.additional_contexts like other host paths, and keeps them with --no-path-resolution', () => {
    const src = `services:\n  a:\n    build: {context: ., additional_contexts: {lib: ../lib, home: ~/src, img: "docker-image://busybox", svc: "service:b"}}\n`;
    const data = () => parseYaml(src, 'c.yaml')[0]!.data as Record<string, unknown>;
    expect(normalizeModel(data(), ctx).services.a!.build!.additional_contexts).toEqual({
      lib: '/lib',
      home: '/home/u/src',
      img: 'docker-image://busybox',
      svc: 'service:b',
    });
    expect(normalizeModel(data(), { ...ctx, resolvePaths: false }).services.a!.build!.additional_contexts).toMatchObject({ lib: '../lib' });
  });
  it('fills build and depends_on defaults', () => {
    const m = norm(`services:
  a:
    build: {context: ., args: [X, SET, Y=1]}
    depends_on: {b: {condition: service_healthy}}
  b:
    build: {dockerfile_inline: FROM x}
    deploy: {replicas: 3}
`);
    // A bare arg takes the project environment's value, and is dropped when unset (compose's Normalize).
    expect(m.services.a!.build).toEqual({ context: '/proj', dockerfile: 'Dockerfile', args: { SET: 'v', Y: '1' } });
    expect(m.services.a!.depends_on).toEqual({ b: { condition: 'service_healthy', required: true } });
    expect(m.services.b!.build).toEqual({ context: '/proj', dockerfile_inline: 'FROM x' });
    expect(m.services.b!.scale).toBeUndefined(); // deploy.replicas alone: compose-go leaves scale unset
    expect(m.services.b!.deploy?.replicas).toBe(3);
  });
  it('shell-splits string commands of post_start and pre_stop hooks', () => {
    const s = norm(`services:
  s:
    image: x
    post_start:
      - command: sh -c "echo hi > /tmp/x"
        user: root
    pre_stop:
      - command: [./drain]
`).services.s!;
    expect(s.post_start).toEqual([{ command: ['sh', '-c', 'echo hi > /tmp/x'], user: 'root' }]);
    expect(s.pre_stop).toEqual([{ command: ['./drain'] }]);
    expect(() => norm("services:\n  a:\n    image: x\n    post_start:\n      - command: \"echo 'oops\"\n")).toThrow(
      /services\.a\.post_start\[0\]\.command: .*unterminated quote/,
    );
  });

  it('reports positioned errors', () => {
    const docs = parseYaml('services:\n  a:\n    image: x\n    scale: 2\n    deploy: {replicas: 3}\n', 'c.yaml');
    let err: unknown;
    try {
      normalizeModel(docs[0]!.data as Record<string, unknown>, {
        ...ctx,
        locate: (p) => ({ file: 'c.yaml', ...docs[0]!.locate(p) }),
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).message).toBe("c.yaml:4:12: services.a.scale: can't set distinct values on 'scale' and 'deploy.replicas'");
    expect(() => norm("services:\n  a:\n    image: x\n    command: \"echo 'oops\"\n")).toThrow(/unterminated quote/);
  });

  it('turns sizes, cpus and file modes into canonical values', () => {
    const s = norm(`services:
  s:
    image: x
    mem_limit: 512m
    memswap_limit: -1
    mem_swappiness: "60"
    shm_size: 1gb
    cpus: "1.5"
    blkio_config: {weight: "300", device_read_bps: [{path: /dev/sda, rate: 1024k}]}
    deploy: {resources: {limits: {cpus: '0.5', memory: 50M}, reservations: {memory: 20M}}}
    configs: [{source: c, mode: 0o440}, {source: d, mode: "0555"}]
    build: {context: ., shm_size: 128m, secrets: [{source: b, mode: 0440}]}
`).services.s!;
    expect([s.mem_limit, s.memswap_limit, s.mem_swappiness, s.shm_size, s.cpus]).toEqual([536870912, -1, 60, 1073741824, 1.5]);
    expect(s.blkio_config).toEqual({ weight: 300, device_read_bps: [{ path: '/dev/sda', rate: 1048576 }] });
    expect(s.deploy!.resources).toEqual({ limits: { cpus: 0.5, memory: 52428800 }, reservations: { memory: 20971520 } });
    expect(s.configs).toEqual([{ source: 'c', mode: '0440' }, { source: 'd', mode: '0555' }]);
    expect(s.build!.shm_size).toBe(134217728);
    expect(s.build!.secrets).toEqual([{ source: 'b', mode: '0440' }]);
  });
  it('rejects sizes, cpus and modes that cannot be read', () => {
    expect(() => norm('services:\n  s: {image: x, mem_limit: lots}\n')).toThrow(/services\.s\.mem_limit: invalid size: "lots"/);
    expect(() => norm('services:\n  s: {image: x, cpus: many}\n')).toThrow(/services\.s\.cpus: failed to cast to expected type: invalid number: "many"/);
    expect(() => norm('services:\n  s: {image: x, deploy: {resources: {limits: {cpus: many}}}}\n')).toThrow(
      /services\.s\.deploy\.resources\.limits\.cpus: cpus must be a number/,
    );
    expect(() => norm('services:\n  s: {image: x, secrets: [{source: a, mode: rw}]}\n')).toThrow(/services\.s\.secrets\[0\]: invalid file mode "rw"/);
  });
  it('canonicalises devices, gpus and device reservations', () => {
    const s = norm(`services:
  s:
    image: x
    devices: [/dev/a:/dev/b:r, /dev/c, {source: /dev/d, target: /dev/e}]
    gpus: [{driver: nvidia}, {driver: x, device_ids: [g1]}]
    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], count: all, options: {q: 42}}, {capabilities: [gpu], count: "2"}]}}}
  t: {image: x, gpus: all}
`).services;
    expect(s.s!.devices).toEqual([
      { source: '/dev/a', target: '/dev/b', permissions: 'r' },
      { source: '/dev/c', target: '/dev/c', permissions: 'rwm' },
      { source: '/dev/d', target: '/dev/e' },
    ]);
    expect(s.s!.gpus).toEqual([{ driver: 'nvidia', count: -1 }, { driver: 'x', device_ids: ['g1'] }]);
    expect(s.s!.deploy!.resources!.reservations!.devices).toEqual([
      { capabilities: ['gpu'], count: -1, options: { q: '42' } },
      { capabilities: ['gpu'], count: 2 },
    ]);
    expect(s.t!.gpus).toEqual([{ count: -1 }]);
  });
  it('rejects bad devices and device requests', () => {
    expect(() => norm('services:\n  s: {image: x, devices: ["/a:/b:r:x"]}\n')).toThrow(/confusing device mapping, please use long syntax: \/a:\/b:r:x/);
    expect(() => norm('services:\n  s: {image: x, gpus: [{count: some}]}\n')).toThrow(
      `invalid value "some", the only value allowed is 'all' or a number`,
    );
    expect(() => norm('services:\n  s: {image: x, gpus: [{count: 1, device_ids: [a]}]}\n')).toThrow(
      /services\.s\.gpus\[0\]: "count" and "device_ids" attributes are exclusive/,
    );
  });
  it('drops empty dns entries and splits extra_hosts addresses', () => {
    const s = norm(`services:
  s:
    image: x
    dns: ["", 8.8.8.8]
    extra_hosts: ["zulu=1.1.1.1,[::1]", "alpha:2.2.2.2", "zulu=0.0.0.9"]
  m: {image: x, dns: "", extra_hosts: {b: [1.1.1.1, 2.2.2.2], a: 3.3.3.3}}
`).services;
    expect(s.s!.dns).toEqual(['8.8.8.8']);
    expect(s.s!.extra_hosts).toEqual(['alpha=2.2.2.2', 'zulu=1.1.1.1', 'zulu=::1', 'zulu=0.0.0.9']);
    expect(s.m!.dns).toEqual([]);
    expect(s.m!.extra_hosts).toEqual(['a=3.3.3.3', 'b=1.1.1.1', 'b=2.2.2.2']);
    expect(() => norm('services:\n  s: {image: x, extra_hosts: [nohost]}\n')).toThrow(/missing IP: nohost/);
    expect(() => norm('services:\n  s: {image: x, extra_hosts: ["=1.1.1.1"]}\n')).toThrow(/bad host name ''/);
  });
  it('canonicalises build ssh, lists and string forms', () => {
    const b = norm(`services:
  s:
    build:
      context: .
      ssh: [default, key=./id_rsa]
      tags: a:1
      provenance: true
      extra_hosts: {h: 1.2.3.4}
  m: {build: {context: ., ssh: {default: null, k: /abs/key}}}
`).services;
    expect(b.s!.build).toMatchObject({ ssh: ['default', 'key=/proj/id_rsa'], tags: ['a:1'], provenance: 'true', extra_hosts: ['h=1.2.3.4'] });
    expect(b.m!.build!.ssh).toEqual(['default', 'k=/abs/key']);
    expect(() => norm('services:\n  s: {build: {context: ., ssh: [mykey]}}\n')).toThrow(/services\.s\.build\.ssh: invalid ssh key "mykey"/);
  });
  it('rejects environment keys with a trailing space', () => {
    expect(() => norm('services:\n  s: {image: x, environment: ["DEBUG = true"]}\n')).toThrow(
      'environment variable DEBUG  is declared with a trailing space',
    );
    expect(norm('services:\n  s: {image: x, environment: ["DEBUG= true"]}\n').services.s!.environment).toEqual({ DEBUG: ' true' });
  });
  it('defaults secret targets, resolves label_file paths and secret/config content from the environment', () => {
    const m = norm(`services:
  s: {image: x, secrets: [a], configs: [c], label_file: ./l.label}
secrets:
  a: {environment: SET}
  b: {environment: UNSET}
configs:
  c: {environment: SET}
`);
    expect(m.services.s!.secrets).toEqual([{ source: 'a', target: '/run/secrets/a' }]);
    expect(m.services.s!.configs).toEqual([{ source: 'c' }]);
    expect(m.services.s!.label_file).toEqual(['/proj/l.label']);
    expect(m.secrets).toEqual({ a: { name: 'proj_a', environment: 'SET', content: 'v' }, b: { name: 'proj_b', environment: 'UNSET' } });
    expect(m.configs.c).toEqual({ name: 'proj_c', environment: 'SET', content: 'v' });
  });
  it('keeps x-* extensions on depends_on and ports, and gives pre_start hooks the service image', () => {
    const s = norm(`services:
  s:
    image: app
    depends_on: {d: {condition: service_started, x-note: n}}
    ports: [{target: 80, x-p: 1}]
    pre_start: [{command: migrate}, {command: [x], image: other}]
  d: {image: x}
`).services.s!;
    // issue 9: x-* keys live in the object's typed `extensions` field (config prints them in place)
    expect(s.depends_on).toEqual({ d: { condition: 'service_started', required: true, extensions: { 'x-note': 'n' } } });
    expect(s.ports).toEqual([{ mode: 'ingress', target: 80, protocol: 'tcp', extensions: { 'x-p': 1 } }]);
    expect(s.pre_start).toEqual([{ command: ['migrate'], image: 'app' }, { command: ['x'], image: 'other' }]);
  });
  it('checks pull_policy durations and leaves build defaults to normalisation', () => {
    expect(norm('services:\n  s: {image: x, pull_policy: every_2d}\n').services.s!.pull_policy).toBe('every_2d');
    expect(() => norm('services:\n  s: {image: x, pull_policy: every_soon}\n')).toThrow(/services\.s\.pull_policy: invalid pull_policy "every_soon"/);
    const raw = normalizeModel(parseYaml('services:\n  s: {build: {context: ., args: [X]}, pull_policy: if_not_present}\n', 'c.yaml')[0]!.data as Record<string, unknown>, {
      ...ctx,
      skipNormalization: true,
    }).services.s!;
    expect(raw.build).toEqual({ context: '/proj', args: { X: null } });
    expect(raw.pull_policy).toBe('if_not_present');
  });
});

