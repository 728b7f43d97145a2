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
    expect(s.secrets).toEqual([{ source: 's1' }, { source: 's2', target: 't', mode: 0o440 }]);
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
    expect(m.name).toBe('file-name');
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
  it('fills build and depends_on defaults', () => {
    const m = norm(`services:
  a:
    build: {context: ., args: [X, SET, Y=1]}
    depends_on: {b: {condition: service_healthy}}
  b:
    build: {dockerfile_inline: FROM x}
    deploy: {replicas: 3}
`);
    expect(m.services.a!.build).toEqual({ context: '/proj', dockerfile: 'Dockerfile', args: { X: null, SET: 'v', Y: '1' } });
    expect(m.services.a!.depends_on).toEqual({ b: { condition: 'service_healthy', required: true } });
    expect(m.services.b!.build).toEqual({ context: '/proj', dockerfile_inline: 'FROM x' });
    expect(m.services.b!.scale).toBe(3);
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
});
