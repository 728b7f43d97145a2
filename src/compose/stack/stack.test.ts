import { describe, expect, it } from 'vitest';
import { project } from '../../../test/support/fixtures.js';
import type { SwarmService } from '../../engine/types.js';
import { convertStack, specHash, STACK_NAMESPACE_LABEL, vipReliance } from './convert.js';
import { formatStackPlan, planStack, subset, type StackObserved } from './plan.js';
import { Stack } from './stack.js';
import { FakeSwarm } from '../../../test/support/fake-swarm.js';

const read = (p: string): Buffer => Buffer.from(`content of ${p}`);
const none: StackObserved = { services: [], networks: [], secrets: [], configs: [] };

function gettingStarted(env = 'A=1', secretFile = '/s/x.txt') {
  return project(
    'st',
    {
      web: {
        image: 'reg:5000/web:1',
        build: { context: '/w' },
        depends_on: { redis: { condition: 'service_started', required: true } },
        links: ['redis'],
        environment: { A: env.split('=')[1]!, GONE: null },
        ports: [{ target: 5000, published: '8000', mode: 'host', protocol: 'tcp' }],
        secrets: [{ source: 'x' }],
        configs: [{ source: 'c', target: '/etc/c.conf', mode: '0400' }],
        healthcheck: { test: ['CMD', 'true'], interval: '2s', retries: 3 },
        stop_grace_period: '1s',
        volumes: [{ type: 'volume', source: 'data', target: '/data' }],
        deploy: {
          replicas: 3,
          endpoint_mode: 'dnsrr',
          labels: { tier: 'front' },
          placement: { max_replicas_per_node: 1, constraints: ['node.role==worker'], preferences: [{ spread: 'node.labels.zone' }] },
          resources: { limits: { cpus: 0.5, memory: 64 * 1024 * 1024 }, reservations: { generic_resources: [{ discrete_resource_spec: { kind: 'gpu', value: 1 } }] } },
          restart_policy: { condition: 'on-failure', delay: '1s', max_attempts: 2 },
          update_config: { parallelism: 1, delay: '2s', order: 'start-first', failure_action: 'rollback', monitor: '5s', max_failure_ratio: 0.2 },
          rollback_config: { parallelism: 2 },
        },
      },
      redis: { image: 'redis', restart: 'unless-stopped', deploy: { placement: { constraints: ['node.role==manager'] } } },
      agent: { image: 'agent', deploy: { mode: 'global' } },
      job: { image: 'job', deploy: { mode: 'replicated-job', replicas: 2 } },
    },
    {
      secrets: { x: { name: 'st_x', file: secretFile } },
      configs: { c: { name: 'st_c', content: 'k=v' } },
      volumes: { data: { name: 'st_data', driver: 'local', driver_opts: { type: 'tmpfs' } } },
    },
  );
}

describe('convertStack: a Project as Swarm ServiceSpecs', () => {
  const stack = convertStack(gettingStarted(), 'st', { read });
  const web = stack.services.web!;

  it('names, labels, mode and replicas', () => {
    expect(web.Name).toBe('st_web');
    expect(web.Labels).toEqual({ tier: 'front', [STACK_NAMESPACE_LABEL]: 'st', 'com.docker.stack.image': 'reg:5000/web:1' });
    expect(web.TaskTemplate.ContainerSpec.Labels).toEqual({ [STACK_NAMESPACE_LABEL]: 'st' });
    expect(web.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(stack.services.agent!.Mode).toEqual({ Global: {} });
    expect(stack.services.job!.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 } });
  });

  it('placement, resources, restart and update policies, in Engine units', () => {
    expect(web.TaskTemplate.Placement).toEqual({ Constraints: ['node.role==worker'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 1 });
    expect(web.TaskTemplate.Resources).toEqual({ Limits: { NanoCPUs: 5e8, MemoryBytes: 67108864 }, Reservations: { GenericResources: [{ DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } }] } });
    expect(web.TaskTemplate.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 1e9, MaxAttempts: 2 });
    expect(stack.services.redis!.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any' });
    expect(web.UpdateConfig).toEqual({ Parallelism: 1, Delay: 2e9, FailureAction: 'rollback', Monitor: 5e9, MaxFailureRatio: 0.2, Order: 'start-first' });
    expect(web.RollbackConfig).toEqual({ Parallelism: 2 });
  });

  it('endpoint, ports, networks, env, healthcheck, grace period, volumes', () => {
    expect(web.EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishedPort: 8000, PublishMode: 'host' }] });
    expect(web.TaskTemplate.Networks).toEqual([{ Target: 'st_default', Aliases: ['web'] }]);
    expect(web.TaskTemplate.ContainerSpec.Env).toEqual(['A=1']);
    expect(web.TaskTemplate.ContainerSpec.Healthcheck).toEqual({ Test: ['CMD', 'true'], Interval: 2e9, Retries: 3 });
    expect(web.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(1e9);
    expect(web.TaskTemplate.ContainerSpec.Mounts).toEqual([
      { Type: 'volume', Source: 'st_data', Target: '/data', VolumeOptions: { Labels: { [STACK_NAMESPACE_LABEL]: 'st' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs' } } } },
    ]);
    expect(stack.networks).toEqual([{ key: 'default', name: 'st_default', external: false, body: { Name: 'st_default', Driver: 'overlay', Labels: { [STACK_NAMESPACE_LABEL]: 'st' } } }]);
  });

  it('secrets and configs: content-suffixed Swarm objects, referenced by name', () => {
    const x = stack.objects.find((o) => o.key === 'x')!;
    expect(x.name).toMatch(/^st_x-[0-9a-f]{10}$/);
    expect(x.data!.toString()).toBe('content of /s/x.txt');
    expect(web.TaskTemplate.ContainerSpec.Secrets).toEqual([{ File: { Name: 'x', UID: '0', GID: '0', Mode: 0o444 }, SecretID: '', SecretName: x.name }]);
    expect(web.TaskTemplate.ContainerSpec.Configs![0]!.File).toEqual({ Name: '/etc/c.conf', UID: '0', GID: '0', Mode: 0o400 });
    const changed = convertStack(gettingStarted('A=1', '/s/y.txt'), 'st', { read });
    expect(changed.objects.find((o) => o.key === 'x')!.name).not.toBe(x.name);
  });

  it('keys Swarm ignores: one warning naming each once; built services listed', () => {
    expect(stack.warnings).toEqual(['Ignoring unsupported options: build, depends_on, links']);
    expect(stack.built).toEqual(['web']);
  });

  it('refuses what Swarm cannot take, naming the key', () => {
    const p = project('st', { a: { ports: [{ target: 80, published: '80-81' }] } });
    expect(() => convertStack(p, 'st', { read })).toThrow(/services\.a\.ports: published port range 80-81/);
    const m = project('st', { a: { deploy: { mode: 'daemon' } } });
    expect(() => convertStack(m, 'st', { read })).toThrow(/services\.a\.deploy\.mode: invalid value "daemon"/);
    for (const mode of ['global', 'global-job'] as const) {
      const g = project('st', { a: { deploy: { mode, replicas: 2 } } });
      expect(() => convertStack(g, 'st', { read })).toThrow(`services.a.deploy.replicas: replicas can only be used with replicated or replicated-job mode (mode is ${mode})`);
    }
  });

  it('VIP reliance: vip endpoints and ingress ports are named; dnsrr + host ports are not', () => {
    expect(vipReliance(stack)).toEqual(['agent: endpoint_mode vip (a virtual IP)', 'job: endpoint_mode vip (a virtual IP)', 'redis: endpoint_mode vip (a virtual IP)']);
    const ingress = convertStack(project('st', { a: { ports: [{ target: 80, published: '8080' }], deploy: { endpoint_mode: 'dnsrr' } } }), 'st', { read });
    expect(vipReliance(ingress)).toEqual(['a: ports 8080:80 published in ingress mode (routing mesh)']);
  });
});

/** What the engine would report for services created from `stack`. */
function deployed(stack: ReturnType<typeof convertStack>): StackObserved {
  const actions = planStack(stack, none);
  return {
    services: actions.filter((a) => a.kind === 'service').map((a, i): SwarmService => ({ ID: `id${i}`, Version: { Index: 10 + i }, Spec: a.spec! })),
    networks: stack.networks.map((n) => ({ Name: n.name, Id: `net-${n.name}` })),
    secrets: stack.objects.filter((o) => o.kind === 'secrets').map((o) => ({ ID: `s-${o.name}`, Version: { Index: 1 }, Spec: { Name: o.name } })),
    configs: stack.objects.filter((o) => o.kind === 'configs').map((o) => ({ ID: `c-${o.name}`, Version: { Index: 1 }, Spec: { Name: o.name } })),
  };
}

describe('planStack: create, update with reasons, prune, old secret versions', () => {
  it('a first deploy creates networks, secrets, configs and services', () => {
    const plan = planStack(convertStack(gettingStarted(), 'st', { read }), none);
    expect(formatStackPlan(plan).replace(/-[0-9a-f]{10}/g, '-HASH')).toBe(
      [
        'network st_default: create (missing)',
        'secret st_x-HASH: create (content of secrets.x)',
        'config st_c-HASH: create (content of configs.c)',
        'service st_agent: create (missing)',
        'service st_job: create (missing)',
        'service st_redis: create (missing)',
        'service st_web: create (missing)',
        '',
      ].join('\n'),
    );
    expect(plan.find((a) => a.name === 'st_web')!.spec!.Labels!['com.capstan.stack.spec-hash']).toBe(specHash(convertStack(gettingStarted(), 'st', { read }).services.web!));
  });

  it('a redeploy with no change plans nothing', () => {
    const stack = convertStack(gettingStarted(), 'st', { read });
    expect(planStack(stack, deployed(stack))).toEqual([]);
  });

  it('a changed environment updates the service, naming the change and the version', () => {
    const before = convertStack(gettingStarted(), 'st', { read });
    const plan = planStack(convertStack(gettingStarted('A=2'), 'st', { read }), deployed(before));
    expect(formatStackPlan(plan)).toBe('service st_web: update (environment changed)\n');
    expect(plan[0]).toMatchObject({ id: 'id3', version: 13 });
  });

  it('a changed secret: new object, service update, old version removed', () => {
    const before = convertStack(gettingStarted(), 'st', { read });
    const plan = planStack(convertStack(gettingStarted('A=1', '/s/other'), 'st', { read }), deployed(before));
    expect(plan.map((a) => `${a.kind} ${a.action} ${a.reason}`)).toEqual([
      'secret create content of secrets.x',
      'service update secrets changed',
      'secret remove no service of the stack uses it any more',
    ]);
  });

  it('--prune removes the services the file lost; without it they stay', () => {
    const before = convertStack(gettingStarted(), 'st', { read });
    const p = gettingStarted();
    delete p.services.job;
    const after = convertStack(p, 'st', { read });
    expect(planStack(after, deployed(before))).toEqual([]);
    expect(formatStackPlan(planStack(after, deployed(before), { prune: true }))).toBe('service st_job: remove (not in the compose file (--prune))\n');
  });

  it('engine defaults are no change (subset)', () => {
    expect(subset({ Parallelism: 1 }, { Parallelism: 1, FailureAction: 'pause' })).toEqual({ Parallelism: 1 });
  });
});

describe('Stack over a fake manager', () => {
  const simple = (env = '1') =>
    project('st', { web: { image: 'reg:5000/web:1', environment: { A: env }, secrets: [{ source: 'x' }], deploy: { endpoint_mode: 'dnsrr' } } }, { secrets: { x: { name: 'st_x', content: `v${env}` } } });

  it('deploy creates in order, pins digests (always), fills secret IDs; a redeploy changes nothing', async () => {
    const fake = new FakeSwarm();
    fake.digests['reg:5000/web:1'] = 'sha256:aa';
    const stack = new Stack(fake);
    await stack.deploy(simple(), 'st');
    expect(fake.calls.map((c) => c.replace(/-[0-9a-f]{10}/, '-H'))).toEqual(['create network st_default', 'create secrets st_x-H', 'create service st_web']);
    const web = [...fake.services.values()][0]!;
    expect(web.Spec.TaskTemplate.ContainerSpec.Image).toBe('reg:5000/web:1@sha256:aa');
    expect(web.Spec.TaskTemplate.ContainerSpec.Secrets![0]!.SecretID).toBe([...fake.objects.secrets.keys()][0]);
    fake.calls = [];
    expect(await stack.deploy(simple(), 'st', { dryRun: true })).toEqual([]);
    await stack.deploy(simple(), 'st');
    expect(fake.calls).toEqual([]);
  });

  it('a new secret content: created, service updated, old version removed; rm removes all', async () => {
    const fake = new FakeSwarm();
    const stack = new Stack(fake);
    await stack.deploy(simple(), 'st', { resolveImage: 'never' });
    fake.calls = [];
    await stack.deploy(simple('2'), 'st', { resolveImage: 'never' });
    expect(fake.calls.map((c) => c.replace(/-[0-9a-f]{10}/, '-H'))).toEqual(['create secrets st_x-H', 'update service st_web', 'remove secrets st_x-H']);
    fake.calls = [];
    await stack.rm('st');
    expect(fake.calls.map((c) => c.replace(/-[0-9a-f]{10}/, '-H'))).toEqual(['remove service st_web', 'remove secrets st_x-H', 'remove network st_default']);
    await expect(stack.rm('st')).rejects.toThrow('nothing found in stack: st');
  });

  it('refuses a non-manager, and a built image no registry has', async () => {
    const fake = new FakeSwarm();
    fake.info = { LocalNodeState: 'inactive', ControlAvailable: false };
    await expect(new Stack(fake).deploy(simple(), 'st')).rejects.toThrow('this engine is not a swarm manager');
    const built = project('st', { web: { image: 'reg:5000/web:1', build: { context: '/w' } } });
    await expect(new Stack(new FakeSwarm()).deploy(built, 'st', { dryRun: true })).rejects.toThrow(/built by compose and not in a registry/);
  });

  it('warns once about ignored keys, and about VIPs when IPVS is missing', async () => {
    const warnings: string[] = [];
    const p = project('st', { web: { image: 'i', links: ['x'], ports: [{ target: 80, published: '80' }] } });
    await new Stack(new FakeSwarm()).deploy(p, 'st', { dryRun: true, resolveImage: 'never', ipvs: { available: false, why: 'no IPVS' }, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      'Ignoring unsupported options: links',
      'this swarm cannot provide service VIPs or the ingress routing mesh (no IPVS); these services rely on them: web: ports 80:80 published in ingress mode (routing mesh). Use deploy.endpoint_mode: dnsrr and ports with mode: host',
    ]);
  });
});

describe('--resolve-image and networks', () => {
  const p = () => project('st', { web: { image: 'reg:5000/web:1', deploy: { endpoint_mode: 'dnsrr' } } });
  it('changed keeps the deployed digest when the image name did not change; always follows the registry', async () => {
    const fake = new FakeSwarm();
    fake.digests['reg:5000/web:1'] = 'sha256:aa';
    const stack = new Stack(fake);
    await stack.deploy(p(), 'st');
    fake.digests['reg:5000/web:1'] = 'sha256:bb';
    expect(await stack.deploy(p(), 'st', { dryRun: true, resolveImage: 'changed' })).toEqual([]);
    expect(formatStackPlan(await stack.deploy(p(), 'st', { dryRun: true, resolveImage: 'always' }))).toBe('service st_web: update (image changed)\n');
  });

  it('overlay networks: attachable, internal, driver_opts, labels; external ones are only checked', async () => {
    const q = project('st', { web: { image: 'i', networks: { front: null, ext: null } } }, {
      networks: { front: { name: 'st_front', attachable: true, internal: true, driver_opts: { encrypted: '' }, labels: { a: 'b' } }, ext: { name: 'shared', external: true } },
    });
    const s = convertStack(q, 'st', { read });
    expect(s.networks).toEqual([
      { key: 'ext', name: 'shared', external: true },
      { key: 'front', name: 'st_front', external: false, body: { Name: 'st_front', Driver: 'overlay', Labels: { a: 'b', [STACK_NAMESPACE_LABEL]: 'st' }, Attachable: true, Internal: true, Options: { encrypted: '' } } },
    ]);
    await expect(new Stack(new FakeSwarm()).deploy(q, 'st', { dryRun: true, resolveImage: 'never' })).rejects.toThrow('network shared declared as external, but could not be found');
  });
});
