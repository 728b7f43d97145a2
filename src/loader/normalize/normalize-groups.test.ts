import { describe, expect, it } from 'vitest';
import { normalizeModel, normalizeServiceConfig } from '../normalize.js';
import { parseYaml } from '../yaml.js';

const ctx = { projectName: 'proj', workingDir: '/proj', environment: {} };
const service = (src: string) =>
  normalizeModel(parseYaml(`services:\n  s:\n    image: x\n${src}`, 'c.yaml')[0]!.data as Record<string, unknown>, ctx).services.s!;

describe('per-group normalisation (normalize/)', () => {
  it('types every key of deploy, with durations checked and x-* in extensions', () => {
    const s = service(`    deploy:
      mode: replicated
      endpoint_mode: vip
      replicas: "2"
      labels: [a=b]
      update_config: {parallelism: "2", delay: 10s, failure_action: rollback, monitor: 1m, max_failure_ratio: "0.5", order: start-first}
      rollback_config: {parallelism: 1}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: "3", window: 2m}
      placement: {constraints: [node.role==manager], preferences: [{spread: node.labels.zone}], max_replicas_per_node: 1}
      resources:
        limits: {cpus: "0.5", memory: 64m, pids: 10}
        reservations: {memory: 1g, generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]}
`);
    expect(s.deploy).toEqual({
      mode: 'replicated',
      endpoint_mode: 'vip',
      replicas: 2,
      labels: { a: 'b' },
      update_config: { parallelism: 2, delay: '10s', failure_action: 'rollback', monitor: '1m', max_failure_ratio: 0.5, order: 'start-first' },
      rollback_config: { parallelism: 1 },
      restart_policy: { condition: 'on-failure', delay: '5s', max_attempts: 3, window: '2m' },
      placement: { constraints: ['node.role==manager'], preferences: [{ spread: 'node.labels.zone' }], max_replicas_per_node: 1 },
      resources: {
        limits: { cpus: 0.5, memory: 64 * 1024 ** 2, pids: 10 },
        reservations: { memory: 1024 ** 3, generic_resources: [{ discrete_resource_spec: { kind: 'gpu', value: 2 } }] },
      },
    });
    expect(() => service('    deploy: {update_config: {monitor: "1 minute"}}\n')).toThrow(
      /services\.s\.deploy\.update_config\.monitor: "1 minute" is not a duration/,
    );
  });

  it('types develop, provider, credential_spec, models and the string lists', () => {
    const s = service(`    develop:
      watch:
        - {path: ./src, action: sync+exec, target: /app, include: "*.go", exec: {command: app reload, privileged: "true"}, x-w: 1}
    provider: {type: model, options: {model: ai/x, flags: [a, 1]}}
    credential_spec: {file: spec.json}
    models: [llm]
    security_opt: [label=disable]
    dns_opt: [ndots:2]
    device_cgroup_rules: ["c 1:3 mr"]
    links: [db]
    volumes_from: [db:ro]
    pid: host
    storage_opt: {size: 20G}
`);
    expect(s.develop).toEqual({
      watch: [{ path: './src', action: 'sync+exec', target: '/app', include: ['*.go'], exec: { command: ['app', 'reload'], privileged: true }, extensions: { 'x-w': 1 } }],
    });
    expect(s.provider).toEqual({ type: 'model', options: { model: 'ai/x', flags: ['a', '1'] } });
    expect(s.credential_spec).toEqual({ file: 'spec.json' });
    expect(s.models).toEqual(['llm']);
    expect(s).toMatchObject({
      security_opt: ['label=disable'],
      dns_opt: ['ndots:2'],
      device_cgroup_rules: ['c 1:3 mr'],
      links: ['db'],
      volumes_from: ['db:ro'],
      pid: 'host',
      storage_opt: { size: '20G' },
    });
  });

  it('reads CFS/RT periods as microseconds, a duration too (library callers)', () => {
    const s = normalizeServiceConfig('s', { image: 'x', cpu_quota: '50000', cpu_period: 100000, cpu_rt_period: '1400us', cpu_rt_runtime: '400ms' }, ctx);
    expect(s).toMatchObject({ cpu_quota: 50000, cpu_period: 100000, cpu_rt_period: 1400, cpu_rt_runtime: 400000 });
    expect(() => normalizeServiceConfig('s', { image: 'x', cpu_quota: 'lots' }, ctx)).toThrow(
      /services\.s\.cpu_quota: "lots" is neither a number of microseconds nor a duration/,
    );
  });

  it('keeps what compose-go accepts: any device permissions, cgroup service:X, ulimits missing a limit', () => {
    const s = service('    devices: ["/dev/a:/dev/b:permissions", "/dev/snd:rw"]\n    ulimits: {nofile: {soft: 10}}\n');
    expect(s.devices).toEqual([
      { source: '/dev/a', target: '/dev/b', permissions: 'permissions' },
      { source: '/dev/snd', target: '/dev/snd', permissions: 'rw' },
    ]);
    expect(s.ulimits).toEqual({ nofile: { soft: 10, hard: 0 } });
    expect(normalizeServiceConfig('s', { image: 'x', cgroup: 'service:db' }, ctx).cgroup).toBe('service:db');
    expect(() => normalizeServiceConfig('s', { image: 'x', cgroup: 'shared' }, ctx)).toThrow(/services\.s\.cgroup: cgroup must be host or private, not "shared"/);
  });

  it('types hook entries key by key and top-level models', () => {
    const s = service(`    post_start:
      - {command: echo hi, user: 1000, privileged: "true", environment: {N: 1, BARE: null}, x-note: n}
      - {command: [a], environment: [A=1, B]}
`);
    expect(s.post_start).toEqual([
      { command: ['echo', 'hi'], user: '1000', privileged: true, environment: { N: '1', BARE: null }, extensions: { 'x-note': 'n' } },
      { command: ['a'], environment: ['A=1', 'B'] },
    ]);
    const doc = parseYaml('services: {}\nmodels:\n  llm: {model: ai/smollm2, context_size: "4096", runtime_flags: [--a], x-k: 1}\n', 'c.yaml')[0]!.data;
    expect(normalizeModel(doc as Record<string, unknown>, ctx).models).toEqual({
      llm: { model: 'ai/smollm2', context_size: 4096, runtime_flags: ['--a'], extensions: { 'x-k': 1 } },
    });
  });
});
