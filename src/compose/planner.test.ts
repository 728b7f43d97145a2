import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { container, converged, empty, project } from '../../test/support/fixtures.js';
import { Label } from './labels.js';
import { formatPlan, formatSteps, type PlanNode } from './plan.js';
import { planBuild, planDown, planUp } from './planner.js';

const web = { image: 'busybox', environment: { LOG_LEVEL: 'info' }, depends_on: { db: { condition: 'service_healthy' as const, required: true } } };
const db = { image: 'busybox', volumes: [{ type: 'volume' as const, source: 'data', target: '/data' }] };
const shop = () =>
  project('shop', { web, db }, { volumes: { data: { name: 'shop_data' } } });
/** A node without the ids of its steps (the steps are asserted with formatSteps). */
const decision = ({ steps: _steps, ...node }: PlanNode): Omit<PlanNode, 'steps'> => node;

describe('planUp', () => {
  it('creates everything for a new project, in dependency order, waiting for health', async () => {
    const p = shop();
    const plan = await planUp(p, empty(p));
    expect(formatPlan(plan)).toBe(
      [
        'Plan for project "shop" (4 changes, 0 up to date)',
        '  network    shop_default  create  missing',
        '  volume     shop_data     create  missing',
        '  container  shop-db-1     create  missing',
        '  container  shop-web-1    create  missing',
      ].join('\n'),
    );
    expect(formatSteps(plan)).toBe(
      [
        'create-network:shop_default',
        'create-volume:shop_data',
        'create-container:shop-db-1 <- create-network:shop_default, create-volume:shop_data',
        'start-container:shop-db-1 <- create-container:shop-db-1',
        'create-container:shop-web-1 <- create-network:shop_default, create-container:shop-db-1',
        'wait-healthy:db <- start-container:shop-db-1',
        'start-container:shop-web-1 <- create-container:shop-web-1, wait-healthy:db',
      ].join('\n'),
    );
  });

  it('plans nothing when the project is converged', async () => {
    const p = shop();
    const plan = await planUp(p, converged(p));
    expect(plan.steps).toEqual([]);
    expect(formatPlan(plan).split('\n')[0]).toBe('Plan for project "shop" (0 changes, 4 up to date)');
  });

  it('recreates only the changed service and names the changed key', async () => {
    const before = shop();
    const observed = converged(before);
    const after = shop();
    after.services.web!.environment = { LOG_LEVEL: 'debug' };
    const plan = await planUp(after, observed);
    const changes = plan.nodes.filter((e) => e.action !== 'up to date').map(decision);
    expect(changes).toEqual([
      { resource: 'container', name: 'shop-web-1', service: 'web', action: 'recreate', cause: 'config changed: environment.LOG_LEVEL' },
    ]);
    const tmp = `${observed.containers.find((c) => c.service === 'web')!.id.slice(0, 12)}_shop-web-1`;
    expect(formatSteps(plan)).toBe(
      [
        `create-container:${tmp}`,
        `stop-container:shop-web-1 <- create-container:${tmp}`,
        'remove-container:shop-web-1 <- stop-container:shop-web-1',
        'rename-container:shop-web-1 <- remove-container:shop-web-1',
        'wait-healthy:db',
        'start-container:shop-web-1 <- rename-container:shop-web-1, wait-healthy:db',
      ].join('\n'),
    );
  });

  it('keeps anonymous volumes of a recreated container', async () => {
    const p = project('p', { app: { volumes: [{ type: 'volume', target: '/cache' }] } });
    const observed = converged(p);
    observed.containers[0] = { ...observed.containers[0]!, volumes: { '/cache': 'anon123' } };
    const plan = await planUp(p, observed, { forceRecreate: true });
    const create = plan.steps.find((s) => s.op.type === 'create-container')!;
    expect(create.op.type === 'create-container' && create.op.spec.body.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'anon123', Target: '/cache' },
    ]);
  });

  it('keeps the volumes at paths the image declares (VOLUME) that the service does not mount', async () => {
    const p = project('p', { app: { image: 'pg', volumes: [{ type: 'bind', source: '/srv/conf', target: '/etc/pg' }], tmpfs: ['/run:size=64k'] } });
    const observed = converged(p);
    observed.imageVolumes = new Map([['pg', ['/var/lib/pg', '/etc/pg', '/run', '/gone']]]);
    observed.containers[0] = { ...observed.containers[0]!, volumes: { '/var/lib/pg': 'anon456', '/run': 'anon789' } };
    const plan = await planUp(p, observed, { forceRecreate: true });
    const create = plan.steps.find((s) => s.op.type === 'create-container')!;
    // /etc/pg has the service's bind and /run its tmpfs; /gone has no old volume
    expect(create.op.type === 'create-container' && create.op.spec.body.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'anon456', Target: '/var/lib/pg' },
    ]);
  });

  it('--force-recreate and --no-recreate', async () => {
    const p = shop();
    expect((await planUp(p, converged(p), { forceRecreate: true })).nodes.filter((e) => e.action === 'recreate')).toHaveLength(2);
    const changed = shop();
    changed.services.web!.environment = { LOG_LEVEL: 'debug' };
    expect((await planUp(changed, converged(p), { noRecreate: true })).steps).toEqual([]);
  });

  it('starts stopped containers instead of recreating them', async () => {
    const p = project('p', { app: {} });
    const observed = converged(p);
    observed.containers[0]!.state = 'exited';
    const plan = await planUp(p, observed);
    expect(plan.nodes.find((e) => e.resource === 'container')).toMatchObject({ action: 'start', cause: 'was exited' });
  });

  it('scales up with the next numbers and down from the highest', async () => {
    const p = project('p', { web: {} });
    const up = await planUp(p, converged(p), { scale: { web: 3 } });
    expect(up.nodes.filter((e) => e.action === 'create').map((e) => `${e.name}: ${e.cause}`)).toEqual([
      'p-web-2: scale 1 → 3',
      'p-web-3: scale 1 → 3',
    ]);
    const three = converged(p);
    three.containers.push(container(p, p.services.web!, 2), container(p, p.services.web!, 3));
    const down = await planUp(p, three);
    expect(down.nodes.filter((e) => e.action === 'remove').map((e) => e.name)).toEqual(['p-web-3', 'p-web-2']);
  });

  it('scales down obsolete containers first, keeping an up-to-date one (compose sortContainers)', async () => {
    const p = project('p', { web: {} });
    const three = converged(p);
    three.containers.push(container(p, p.services.web!, 2), container(p, p.services.web!, 3));
    three.containers[0] = { ...three.containers[0]!, labels: { ...three.containers[0]!.labels, [Label.configHash]: 'old' } };
    const plan = await planUp(p, three, { scale: { web: 1 } });
    expect(plan.nodes.map((e) => `${e.name} ${e.action}`)).toEqual(['p_default up to date', 'p-web-2 up to date', 'p-web-3 remove', 'p-web-1 remove']);
  });

  it('only the named services and their dependencies; --no-deps only the named', async () => {
    const p = shop();
    expect((await planUp(p, empty(p), { services: ['web'] })).nodes.map((e) => e.name)).toContain('shop-db-1');
    const alone = await planUp(p, empty(p), { services: ['web'], noDeps: true });
    expect(alone.nodes.map((e) => e.name)).not.toContain('shop-db-1');
    expect(formatSteps(alone)).not.toContain('wait-healthy');
  });

  it('warns about orphans, and removes them with --remove-orphans', async () => {
    const p = project('p', { web: {} });
    const observed = converged(p);
    observed.containers.push(container(p, { name: 'old', image: 'busybox' }, 1));
    expect((await planUp(p, observed)).warnings[0]).toMatch(/Found orphan containers \(p-old-1\)/);
    expect((await planUp(p, observed, { ignoreOrphans: true })).warnings).toEqual([]);
    const removing = await planUp(p, observed, { removeOrphans: true });
    expect(removing.warnings).toEqual([]);
    expect(formatSteps(removing)).toBe('stop-container:p-old-1\nremove-container:p-old-1 <- stop-container:p-old-1');
    // -t applies to the orphans' stop too, in up as in down
    for (const plan of [await planUp(p, observed, { removeOrphans: true, timeoutSeconds: 3 }), planDown(p, observed, { removeOrphans: true, timeoutSeconds: 3 })]) {
      expect(plan.steps.find((s) => s.id === 'stop-container:p-old-1')?.op).toMatchObject({ timeoutSeconds: 3 });
    }
    // A service disabled by a profile is not an orphan.
    const withProfile = { ...p, disabledServices: { old: { name: 'old', image: 'busybox' } } };
    expect((await planUp(withProfile, observed)).warnings).toEqual([]);
  });

  it('counts exited one-offs of any service as orphans, and never a running one-off (compose isOrphaned)', async () => {
    const p = project('p', { web: {} });
    const observed = converged(p);
    const run = (name: string, service: string, state: string) =>
      container(p, { name: service, image: 'busybox' }, 0, { name, oneoff: true, state });
    observed.containers.push(run('p-web-run-1', 'web', 'exited'), run('p-web-run-2', 'web', 'running'), run('p-gone-run-1', 'gone', 'running'));
    expect((await planUp(p, observed)).warnings[0]).toMatch(/Found orphan containers \(p-web-run-1\)/);
    const removing = await planUp(p, observed, { removeOrphans: true });
    expect(removing.nodes.filter((e) => e.action === 'remove').map(decision)).toEqual([
      { resource: 'container', name: 'p-web-run-1', service: 'web', action: 'remove', cause: 'orphan: exited one-off container' },
    ]);
    // down removes the web one-offs with their service; --remove-orphans adds no second step for them
    expect(() => planDown(p, observed, { removeOrphans: true })).not.toThrow();
    // compose's down never warns about orphans
    expect(planDown(p, observed).warnings).toEqual([]);
  });

  it('planBuild plans only builds, whatever the state of networks and volumes', async () => {
    const p = project('p', { app: { image: undefined, build: { context: '/work/p' }, networks: { ext: null } } }, { networks: { ext: { name: 'ext', external: true } } });
    const plan = planBuild(p, ['app'], new Map([['p-app', 'sha256:old']]));
    expect(formatSteps(plan)).toBe('build-image:p-app');
    expect(plan.nodes.map(decision)).toEqual([{ resource: 'image', name: 'p-app', service: 'app', action: 'build', cause: '--build' }]);
    await expect(planUp(p, empty(p, {}))).rejects.toThrow(/network ext declared as external/);
  });

  it('builds a missing image first, and fails clearly on a missing image it cannot build', async () => {
    const p = project('p', { app: { image: undefined, build: { context: '/work/p' } } });
    const plan = await planUp(p, empty(p, {}));
    expect(plan.nodes[1]).toMatchObject({ resource: 'image', name: 'p-app', action: 'build', cause: 'image missing' });
    expect(formatSteps(plan)).toContain('create-container:p-app-1 <- create-network:p_default, build-image:p-app');
    // issue 11: a missing image of a service with `image:` is pulled; with pull_policy never it still fails
    const pulled = project('q', { app: { image: 'nginx:1.27' } });
    expect(formatSteps(await planUp(pulled, empty(pulled, {})))).toContain('pull-image:nginx:1.27');
    const q = project('q', { app: { image: 'nginx:1.27', pull_policy: 'never' } });
    await expect(planUp(q, empty(q, {}))).rejects.toThrow(/image nginx:1.27 is not present locally/);
  });

  it('uses an unmanaged network with a warning, and fails on a missing external one', async () => {
    const p = project('p', { app: {} });
    const observed = empty(p);
    observed.networks.set('p_default', { name: 'p_default', id: 'x', labels: {}, managed: false });
    const plan = await planUp(p, observed);
    expect(plan.warnings[0]).toMatch(/exists but was not created by compose/);
    expect(plan.steps.map((s) => s.id)).not.toContain('create-network:p_default');
    const ext = project('e', { app: {} }, { networks: { default: { name: 'shared', external: true } } });
    await expect(planUp(ext, empty(ext))).rejects.toThrow(/network shared declared as external, but could not be found/);
  });

  it('rejects unknown services, cycles and impossible scales', async () => {
    const p = shop();
    await expect(planUp(p, empty(p), { services: ['nope'] })).rejects.toThrow(new CapstanError('USAGE', 'no such service: nope'));
    const cyclic = project('c', {
      a: { depends_on: { b: { condition: 'service_started', required: true } } },
      b: { depends_on: { a: { condition: 'service_started', required: true } } },
    });
    await expect(planUp(cyclic, empty(cyclic))).rejects.toThrow('dependency cycle between services: a → b → a');
    const named = project('n', { app: { container_name: 'fixed' } });
    await expect(planUp(named, empty(named), { scale: { app: 2 } })).rejects.toThrow(/cannot scale to 2/);
  });

  it('--force-recreate applies to targeted services; --always-recreate-deps to their dependencies', async () => {
    const p = shop();
    const recreated = async (o: Parameters<typeof planUp>[2]) =>
      (await planUp(p, converged(p), o)).nodes.filter((e) => e.action === 'recreate').map((e) => e.service);
    expect(await recreated({ services: ['web'], forceRecreate: true })).toEqual(['web']);
    expect(await recreated({ services: ['web'], alwaysRecreateDeps: true })).toEqual(['db']);
  });

  it('restarts dependents with depends_on restart: true when their dependency is recreated', async () => {
    const before = project('p', { db: {}, app: { depends_on: { db: { condition: 'service_started', required: true, restart: true } } } });
    const after = project('p', { db: { environment: { V: '2' } }, app: { depends_on: { db: { condition: 'service_started', required: true, restart: true } } } });
    const plan = await planUp(after, converged(before));
    expect(plan.nodes.find((e) => e.service === 'app')).toMatchObject({ action: 'restart', cause: 'db recreated (depends_on restart: true)' });
    const steps = formatSteps(plan).split('\n');
    expect(steps).toContain('stop-container:p-db-1 <- create-container:db1000000000_p-db-1, stop-container:p-app-1');
    expect(steps).toContain('start-container:p-app-1 <- stop-container:p-app-1, start-container:p-db-1');
  });

  it('carries depends_on required: false into the wait step', async () => {
    const p = project('p', { db: {}, app: { depends_on: { db: { condition: 'service_healthy', required: false } } } });
    const wait = (await planUp(p, empty(p))).steps.find((s) => s.op.type === 'wait-healthy')!;
    expect(wait.op).toMatchObject({ service: 'db', required: false, containers: ['p-db-1'] });
    expect(wait.id).toBe('wait-healthy:db:optional');
  });

  it('dependents that disagree on required wait on separate steps: the optional one cannot let the required one through', async () => {
    const p = project('p', {
      db: {},
      b: { depends_on: { db: { condition: 'service_healthy', required: false } } },
      c: { depends_on: { db: { condition: 'service_healthy', required: true } } },
      d: { depends_on: { db: { condition: 'service_healthy', required: true } } },
    });
    const steps = formatSteps(await planUp(p, empty(p))).split('\n');
    expect(steps.filter((l) => l.startsWith('wait-healthy:'))).toEqual(['wait-healthy:db:optional <- start-container:p-db-1', 'wait-healthy:db <- start-container:p-db-1']);
    expect(steps).toContain('start-container:p-b-1 <- create-container:p-b-1, wait-healthy:db:optional');
    expect(steps).toContain('start-container:p-c-1 <- create-container:p-c-1, wait-healthy:db');
    expect(steps).toContain('start-container:p-d-1 <- create-container:p-d-1, wait-healthy:db');
  });

  it('recreates a container missing a network or a named volume, or whose network_mode parent is recreated', async () => {
    const p = project('p', { app: { volumes: [{ type: 'volume', source: 'data', target: '/data' }] } }, { volumes: { data: { name: 'p_data' } } });
    const observed = converged(p);
    observed.containers[0] = { ...observed.containers[0]!, networks: [] };
    expect((await planUp(p, observed)).nodes.at(-1)).toMatchObject({ action: 'recreate', cause: 'not connected to network p_default' });
    observed.containers[0] = { ...observed.containers[0]!, networks: ['p_default'], volumes: { '/data': 'other' } };
    expect((await planUp(p, observed)).nodes.at(-1)).toMatchObject({ action: 'recreate', cause: 'volume p_data not mounted at /data' });

    const before = project('q', { vpn: {}, app: { network_mode: 'service:vpn', networks: undefined } });
    const after = project('q', { vpn: { environment: { A: '1' } }, app: { network_mode: 'service:vpn', networks: undefined } });
    const plan = await planUp(after, converged(before));
    expect(plan.nodes.filter((e) => e.action === 'recreate').map((e) => `${e.service}: ${e.cause}`)).toEqual([
      'vpn: config changed: environment.A',
      'app: network_mode parent vpn recreated',
    ]);
  });

  it('--no-start creates without starting', async () => {
    const p = project('p', { app: {} });
    expect((await planUp(p, empty(p), { noStart: true })).steps.map((s) => s.op.type)).toEqual(['create-network', 'create-container']);
  });
});

describe('planDown', () => {
  it('removes dependents before dependencies, then networks; volumes only with -v', () => {
    const p = shop();
    const observed = converged(p);
    expect(formatSteps(planDown(p, observed))).toBe(
      [
        'stop-container:shop-web-1',
        'remove-container:shop-web-1 <- stop-container:shop-web-1',
        'stop-container:shop-db-1 <- remove-container:shop-web-1',
        'remove-container:shop-db-1 <- stop-container:shop-db-1',
        'remove-network:shop_default <- remove-container:shop-web-1, remove-container:shop-db-1',
      ].join('\n'),
    );
    expect(planDown(p, observed, { volumes: true }).steps.map((s) => s.id)).toContain('remove-volume:shop_data');
  });

  it('never removes resources without the project label, nor external ones', () => {
    const p = project('p', { app: {} }, {
      volumes: { data: { name: 'p_data' }, shared: { name: 'shared', external: true } },
    });
    const observed = converged(p);
    observed.networks.set('p_default', { name: 'p_default', id: 'x', labels: {}, managed: false });
    observed.volumes.set('p_data', { name: 'p_data', id: 'p_data', labels: {}, managed: false });
    observed.volumes.set('shared', { name: 'shared', id: 'shared', labels: {}, managed: false });
    const ids = planDown(p, observed, { volumes: true }).steps.map((s) => s.id);
    expect(ids).toEqual(['stop-container:p-app-1', 'remove-container:p-app-1 <- stop-container:p-app-1'].map((s) => s.split(' ')[0]));
  });

  it('down SERVICE takes its dependents and keeps networks', () => {
    const p = shop();
    const plan = planDown(p, converged(p), { services: ['db'] });
    expect(plan.nodes.map((e) => e.name)).toEqual(['shop-web-1', 'shop-db-1']);
    expect(plan.steps.some((s) => s.op.type === 'remove-network')).toBe(false);
  });
});
