import { describe, expect, it } from 'vitest';
import { container, converged, empty, project } from '../../test/support/fixtures.js';
import { FakeEngine } from '../../test/support/fake-engine.js';
import type { Project } from '../model/types.js';
import { Compose } from './compose.js';
import { Label } from './labels.js';
import type { ObservedState } from './observed.js';
import { formatCauses, formatPlan, type Plan } from './plan.js';
import { planUp, VolumeDivergedError } from './planner.js';

/**
 * The reconciler's plans as text (compose's reconcile_test.go asserts `Plan.String()`): the
 * human view (`--dry-run`) then every step with its cause.
 */
const printed = (plan: Plan): string => `${formatPlan(plan)}\n${formatCauses(plan)}`;

const shop = () =>
  project(
    'shop',
    {
      db: { volumes: [{ type: 'volume', source: 'data', target: '/data' }] },
      web: { environment: { LOG_LEVEL: 'info' }, depends_on: { db: { condition: 'service_healthy', required: true } } },
    },
    { volumes: { data: { name: 'shop_data', driver_opts: { type: 'tmpfs', device: 'tmpfs' } } } },
  );

/** `shop` converged, but its volume was created with other driver options (config hash differs). */
function volumeDrift(): { p: ReturnType<typeof shop>; observed: ObservedState } {
  const p = shop();
  const observed = converged(p);
  observed.volumes.set('shop_data', {
    name: 'shop_data',
    id: 'shop_data',
    labels: { [Label.project]: 'shop', [Label.configHash]: 'old' },
    managed: true,
    volume: { Name: 'shop_data', Driver: 'local', Mountpoint: '', Scope: 'local', Options: {}, Labels: {} },
  });
  return { p, observed };
}

const QUESTION = `Volume "shop_data" exists but doesn't match configuration in compose file (driver_opts.device, driver_opts.type). Recreate (data will be lost)?`;

describe('Reconciler: plans with causes', () => {
  it('fresh project: creates everything, in dependency order', async () => {
    const p = shop();
    expect(printed(await planUp(p, empty(p)))).toBe(
      [
        'Plan for project "shop" (4 changes, 0 up to date)',
        '  network    shop_default  create  missing',
        '  volume     shop_data     create  missing',
        '  container  shop-db-1     create  missing',
        '  container  shop-web-1    create  missing',
        'create-network:shop_default  # missing',
        'create-volume:shop_data  # missing',
        'create-container:shop-db-1 <- create-network:shop_default, create-volume:shop_data  # missing',
        'start-container:shop-db-1 <- create-container:shop-db-1  # missing',
        'create-container:shop-web-1 <- create-network:shop_default, create-container:shop-db-1  # missing',
        'wait-healthy:db <- start-container:shop-db-1  # depends_on db: service_healthy',
        'start-container:shop-web-1 <- create-container:shop-web-1, wait-healthy:db  # missing',
      ].join('\n'),
    );
  });

  it('env change: recreates only that service, naming the key', async () => {
    const before = shop();
    const after = shop();
    after.services.web!.environment = { LOG_LEVEL: 'debug' };
    const tmp = 'web100000000_shop-web-1';
    const why = 'config changed: environment.LOG_LEVEL';
    expect(printed(await planUp(after, converged(before)))).toBe(
      [
        'Plan for project "shop" (1 change, 3 up to date)',
        '  network    shop_default  up to date',
        '  volume     shop_data     up to date',
        '  container  shop-db-1     up to date',
        `  container  shop-web-1    recreate    ${why}`,
        `create-container:${tmp}  # ${why}`,
        `stop-container:shop-web-1 <- create-container:${tmp}  # ${why}`,
        `remove-container:shop-web-1 <- stop-container:shop-web-1  # ${why}`,
        `rename-container:shop-web-1 <- remove-container:shop-web-1  # ${why}`,
        'wait-healthy:db  # depends_on db: service_healthy',
        `start-container:shop-web-1 <- rename-container:shop-web-1, wait-healthy:db  # ${why}`,
      ].join('\n'),
    );
  });

  it('scale 3 → 1: removes the highest numbers', async () => {
    const p = shop();
    const three = converged(p);
    three.containers.push(container(p, p.services.web!, 2), container(p, p.services.web!, 3));
    expect(printed(await planUp(p, three))).toBe(
      [
        'Plan for project "shop" (2 changes, 4 up to date)',
        '  network    shop_default  up to date',
        '  volume     shop_data     up to date',
        '  container  shop-db-1     up to date',
        '  container  shop-web-1    up to date',
        '  container  shop-web-3    remove      scale 3 → 1',
        '  container  shop-web-2    remove      scale 3 → 1',
        'stop-container:shop-web-3  # scale 3 → 1',
        'remove-container:shop-web-3 <- stop-container:shop-web-3  # scale 3 → 1',
        'stop-container:shop-web-2  # scale 3 → 1',
        'remove-container:shop-web-2 <- stop-container:shop-web-2  # scale 3 → 1',
      ].join('\n'),
    );
  });

  it('network drift: recreates the network, keeps the containers and reconnects them', async () => {
    const p = project('p', { web: { networks: { back: {} } } }, { networks: { back: { name: 'p_back', internal: true } } });
    const observed = converged(p);
    observed.networks.set('p_back', {
      name: 'p_back',
      id: 'n1',
      labels: { [Label.project]: 'p', [Label.configHash]: 'old' },
      managed: true,
      network: { Name: 'p_back', Driver: 'bridge', Internal: false, Options: {}, IPAM: { Driver: 'default' }, Labels: { [Label.project]: 'p' } },
    });
    expect(printed(await planUp(p, observed))).toBe(
      [
        'Plan for project "p" (2 changes, 0 up to date)',
        '  network    p_back   recreate  config changed: internal',
        '  container  p-web-1  restart   network p_back recreated',
        'remove-network:p_back <- disconnect-network:p_back:p-web-1  # config changed: internal',
        'create-network:p_back <- remove-network:p_back  # config changed: internal',
        'stop-container:p-web-1  # network p_back recreated',
        'disconnect-network:p_back:p-web-1 <- stop-container:p-web-1  # network p_back recreated',
        'connect-network:p_back:p-web-1 <- create-network:p_back, disconnect-network:p_back:p-web-1  # network p_back recreated',
        'start-container:p-web-1 <- connect-network:p_back:p-web-1  # network p_back recreated',
      ].join('\n'),
    );
  });

  it('volume drift answered "no" by the prompt: the plan is refused', async () => {
    const { p, observed } = volumeDrift();
    const asked: string[] = [];
    const prompt = async (question: string): Promise<boolean> => (asked.push(question), false);
    const refused = await planUp(p, observed, { prompt }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(asked).toEqual([QUESTION]);
    expect(refused).toBeInstanceOf(VolumeDivergedError);
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      message: `volume "shop_data" exists but doesn't match the configuration in the compose file (changed: driver_opts.device, driver_opts.type); recreating it deletes its data`,
    });
  });

  it('volume drift answered "yes": the volume is recreated, its container around it', async () => {
    const { p, observed } = volumeDrift();
    const plan = await planUp(p, observed, { prompt: async () => true });
    const volume = 'config changed: driver_opts.device, driver_opts.type (confirmed: data is lost)';
    expect(printed(plan)).toBe(
      [
        'Plan for project "shop" (2 changes, 2 up to date)',
        '  network    shop_default  up to date',
        `  volume     shop_data     recreate    ${volume}`,
        '  container  shop-db-1     recreate    volume shop_data recreated',
        '  container  shop-web-1    up to date',
        `remove-volume:shop_data <- remove-container:shop-db-1  # ${volume}`,
        `create-volume:shop_data <- remove-volume:shop_data  # ${volume}`,
        'stop-container:shop-db-1  # volume shop_data recreated',
        'remove-container:shop-db-1 <- stop-container:shop-db-1  # volume shop_data recreated',
        'create-container:shop-db-1 <- create-volume:shop_data, remove-container:shop-db-1  # volume shop_data recreated',
        'start-container:shop-db-1 <- create-container:shop-db-1  # volume shop_data recreated',
      ].join('\n'),
    );
  });

  it('without a prompt (and without -y) the volume drift is refused as before; -y asks nothing', async () => {
    const { p, observed } = volumeDrift();
    await expect(planUp(p, observed)).rejects.toBeInstanceOf(VolumeDivergedError);
    const never = async (): Promise<boolean> => {
      throw new Error('asked despite -y');
    };
    expect(formatPlan(await planUp(p, observed, { yes: true, prompt: never }))).toContain('recreate    config changed: driver_opts.device, driver_opts.type (-y: data is lost)');
  });
});

describe('Compose.up with a volume drift answered "no"', () => {
  /**
   * A fake engine on which `shop`'s db and its volume were created before the volume had driver
   * options; `shop` now declares them. Calls made so far are cleared: a refused plan must make none.
   */
  async function drifted(): Promise<{ fake: FakeEngine; p: Project }> {
    const fake = new FakeEngine({ images: ['busybox'] });
    const before = shop();
    delete before.volumes.data!.driver_opts;
    await new Compose({ engine: fake }).up(before, { detach: true, services: ['db'] });
    fake.clearCalls();
    return { fake, p: shop() };
  }

  it('asks once, refuses the plan and executes nothing', async () => {
    const { fake, p } = await drifted();
    const asked: string[] = [];
    const up = new Compose({ engine: fake }).up(p, { detach: true, prompt: async (q) => (asked.push(q), false) });
    await expect(up).rejects.toBeInstanceOf(VolumeDivergedError);
    expect(asked).toEqual([QUESTION]);
    expect(fake.writes()).toEqual([]);
  });

  it('"yes" executes the planned recreation', async () => {
    const { fake, p } = await drifted();
    const { plan } = await new Compose({ engine: fake }).up(p, { detach: true, services: ['db'], prompt: async () => true });
    expect(plan.steps.map((s) => s.id)).toContain('remove-volume:shop_data');
    expect(fake.writes().filter((c) => /^(removeVolume|createVolume)/.test(c.method)).map((c) => c.method)).toEqual(['removeVolume', 'createVolume']);
  });
});
