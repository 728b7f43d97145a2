import { describe, expect, it } from 'vitest';
import { Compose } from '../../src/compose/compose.js';
import type { ComposeEvent } from '../../src/compose/events.js';
import { formatPlan } from '../../src/compose/plan.js';
import { planUp } from '../../src/compose/planner.js';
import type { Project } from '../../src/model/types.js';
import { FakeEngine } from '../support/fake-engine.js';
import { project } from '../support/fixtures.js';

/**
 * Recovery from the faults of issue 13 against the fake engine: what is left behind when a run is
 * interrupted, and how the next run converges.
 */

/** `p`: `app` keeps data in the named volume `data`; `env` changes its config. */
function app(name: string, env = 'one'): Project {
  return project(name, { app: { environment: { V: env }, volumes: [{ type: 'volume', source: 'data', target: '/data' }] } }, { volumes: { data: { name: `${name}_data` } } });
}

function setup(): { fake: FakeEngine; compose: Compose; events: ComposeEvent[] } {
  const fake = new FakeEngine({ images: ['busybox'] });
  const events: ComposeEvent[] = [];
  return { fake, compose: new Compose({ engine: fake, events: (e) => events.push(e) }), events };
}

/** Leave what a recreate killed right after creating its temporary copy leaves: the copy, and (unless `removeOld`) the original. */
async function interruptedRecreate(fake: FakeEngine, compose: Compose, next: Project, removeOld = false): Promise<string> {
  const plan = await planUp(next, await compose.observe(next));
  const create = plan.steps.find((s) => s.op.type === 'create-container')!;
  if (create.op.type !== 'create-container') throw new Error('no create step');
  await fake.createContainer(create.op.name, create.op.spec.body);
  if (removeOld) await fake.removeContainer(create.op.finalName, { force: true });
  return create.op.name;
}

describe('an interrupted recreate (kill -9 between create and rename)', () => {
  it('removes the temporary copy when the original still exists, then recreates the original', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    const tmp = await interruptedRecreate(fake, compose, app('p', 'two'));
    expect(tmp).toMatch(/^[0-9a-f]{12}_p-app-1$/);
    expect(fake.containerNames().sort()).toEqual([tmp, 'p-app-1'].sort());

    const plan = await planUp(app('p', 'two'), await compose.observe(app('p', 'two')));
    expect(formatPlan(plan)).toMatch(new RegExp(`container +${tmp} +remove +leftover of an interrupted recreate \\(p-app-1 still exists\\)`));
    await compose.up(app('p', 'two'), { detach: true });
    expect(fake.containerNames()).toEqual(['p-app-1']);
    expect(fake.container('p-app-1')!.body.Env).toContain('V=two');
    expect(fake.container('p-app-1')!.status).toBe('running');
    expect(fake.volumeNames()).toContain('p_data');
  });

  it('same when the next run has the old configuration again (the original is up to date)', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    const tmp = await interruptedRecreate(fake, compose, app('p', 'two'));
    await compose.up(app('p'), { detach: true });
    expect(fake.containerNames()).toEqual(['p-app-1']);
    expect(fake.containerNames()).not.toContain(tmp);
    expect(fake.container('p-app-1')!.body.Env).toContain('V=one');
  });

  it('renames the copy back when the original was already removed', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    const tmp = await interruptedRecreate(fake, compose, app('p', 'two'), true);
    const plan = await planUp(app('p', 'two'), await compose.observe(app('p', 'two')));
    expect(formatPlan(plan)).toContain(`finish an interrupted recreate (rename ${tmp})`);
    await compose.up(app('p', 'two'), { detach: true });
    expect(fake.containerNames()).toEqual(['p-app-1']);
    expect(fake.container('p-app-1')!.status).toBe('running');
  });

  it('recreates a lone copy whose configuration changed again, ending with the final name', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    await interruptedRecreate(fake, compose, app('p', 'two'), true);
    await compose.up(app('p', 'three'), { detach: true });
    expect(fake.containerNames()).toEqual(['p-app-1']);
    expect(fake.container('p-app-1')!.body.Env).toContain('V=three');
  });
});

describe('an image reference the engine rejects', () => {
  it('names the service, the image and the reason, before any change', async () => {
    const { fake, compose } = setup();
    const p = project('p', { web: { image: 'BusyBox:Latest' }, db: {} });
    const err = await compose.up(p, { detach: true }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('service "web": invalid image reference "BusyBox:Latest": repository name must be lowercase');
    expect((err as { hint?: string }).hint).toContain('busybox:Latest');
    expect(fake.containerNames()).toEqual([]);
    expect(fake.networkNames()).not.toContain('p_default');
  });
});

describe('up --wait and a crash loop', () => {
  it('fails naming the container and its exit code when it restarts while waited on, long before the timeout', async () => {
    const { fake, compose } = setup();
    const p = project('p', { crash: { restart: 'on-failure:3' }, ok: {} });
    const t = performance.now();
    setTimeout(() => {
      const c = fake.container('p-crash-1')!;
      Object.assign(c, { status: 'restarting', exitCode: 3, restartCount: 1 });
    }, 300);
    const err = await compose.up(p, { detach: true, wait: true, waitTimeoutSeconds: 60 }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('container p-crash-1 exited (3) and is restarting (restart count 1)');
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
