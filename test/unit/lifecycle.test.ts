import { describe, expect, it } from 'vitest';
import { Compose } from '../../src/compose/compose.js';
import type { ComposeEvent } from '../../src/compose/events.js';
import type { Project } from '../../src/model/types.js';
import { FakeEngine } from '../support/fake-engine.js';
import { project } from '../support/fixtures.js';

/**
 * The lifecycle verbs (`stop start restart kill pause unpause rm`) against the fake engine: the
 * engine calls they make and the state they leave. Their plans are tested in
 * src/compose/verbs/lifecycle.test.ts.
 */

/** api depends on db with `restart: true`; worker on db without. */
function app(): Project {
  return project('app', {
    db: {},
    api: { depends_on: { db: { condition: 'service_started', required: true, restart: true } } },
    worker: { depends_on: { db: { condition: 'service_started', required: true } } },
  });
}

async function setup(): Promise<{ fake: FakeEngine; compose: Compose; p: Project }> {
  const fake = new FakeEngine({ images: ['busybox'] });
  const compose = new Compose({ engine: fake });
  const p = app();
  await compose.up(p, { detach: true });
  fake.clearCalls();
  return { fake, compose, p };
}

const status = (fake: FakeEngine, name: string): string | undefined => fake.container(name)?.status;

describe('lifecycle verbs on the fake engine', () => {
  it('stop then start', async () => {
    const { fake, compose, p } = await setup();
    await compose.stop(p, { timeoutSeconds: 1 });
    expect(['db', 'api', 'worker'].map((s) => status(fake, `app-${s}-1`))).toEqual(['exited', 'exited', 'exited']);
    const stops = fake.journal(['stopContainer']);
    expect(stops.at(-1)).toBe(`stopContainer ${fake.container('app-db-1')!.id}`);
    expect(fake.calls.filter((c) => c.method === 'stopContainer').every((c) => c.args[1] === 1)).toBe(true);
    await compose.start(p, { services: ['api'] });
    expect(status(fake, 'app-api-1')).toBe('running');
    expect(status(fake, 'app-db-1')).toBe('exited');
  });

  it('start --wait waits for a healthcheck to pass', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake });
    const p = project('hc', { web: { healthcheck: { test: ['CMD', 'true'] } } });
    await compose.up(p, { detach: true });
    await compose.stop(p);
    let done = false;
    const started = compose.start(p, { wait: true, waitTimeoutSeconds: 5 }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    fake.setHealth('hc-web-1', 'healthy');
    await started;
    expect(status(fake, 'hc-web-1')).toBe('running');
  });

  it('restart db also restarts api (restart: true), not worker; --no-deps only db', async () => {
    const { fake, compose, p } = await setup();
    const before = fake.journal(['startContainer']).length;
    await compose.restart(p, { services: ['db'] });
    expect(fake.journal(['startContainer']).slice(before)).toEqual(['startContainer app-db-1', 'startContainer app-api-1']);
    const again = fake.journal(['startContainer']).length;
    await compose.restart(p, { services: ['db'], noDeps: true });
    expect(fake.journal(['startContainer']).slice(again)).toEqual(['startContainer app-db-1']);
  });

  it('a project rebuilt from labels (-p NAME, no file) keeps depends_on: restart follows restart: true', async () => {
    const { fake, compose } = await setup();
    const fromLabels = await compose.projectFromLabels('app');
    expect(fromLabels.services.api!.depends_on).toEqual({ db: { condition: 'service_started', required: true, restart: true } });
    const before = fake.journal(['startContainer']).length;
    await compose.restart(fromLabels, { services: ['db'] });
    expect(fake.journal(['startContainer']).slice(before)).toEqual(['startContainer app-db-1', 'startContainer app-api-1']);
  });

  it('kill sends the signal to running containers', async () => {
    const { fake, compose, p } = await setup();
    await compose.kill(p, { services: ['worker'], killSignal: 'SIGTERM' });
    const kills = fake.calls.filter((c) => c.method === 'killContainer');
    expect(kills.map((c) => c.args)).toEqual([[fake.container('app-worker-1')!.id, 'SIGTERM']]);
    expect(status(fake, 'app-worker-1')).toBe('exited');
  });

  it('kill with nothing running says so as plain info, not a warning', async () => {
    const events: ComposeEvent[] = [];
    const compose = new Compose({ engine: new FakeEngine({ images: ['busybox'] }), events: (e) => events.push(e) });
    await compose.kill(app());
    expect(events).toContainEqual({ type: 'info', message: 'no container to kill' });
    expect(events.some((e) => e.type === 'warning')).toBe(false);
  });

  it('pause and unpause', async () => {
    const { fake, compose, p } = await setup();
    await compose.pause(p, { services: ['api'] });
    expect(status(fake, 'app-api-1')).toBe('paused');
    await compose.unpause(p);
    expect(status(fake, 'app-api-1')).toBe('running');
    expect(fake.journal(['unpauseContainer'])).toEqual([`unpauseContainer ${fake.container('app-api-1')!.id}`]);
  });

  it('rm asks first, removes nothing on no, and removes stopped containers on yes', async () => {
    const { fake, compose, p } = await setup();
    await compose.stop(p, { services: ['worker'] });
    const asked: string[][] = [];
    const no = await compose.rm(p, { confirm: async (names) => (asked.push(names), false) });
    expect(no.declined).toBe(true);
    expect(asked).toEqual([['app-worker-1']]);
    expect(fake.container('app-worker-1')).toBeDefined();
    await compose.rm(p, { volumes: true });
    expect(fake.container('app-worker-1')).toBeUndefined();
    expect(status(fake, 'app-db-1')).toBe('running');
    await compose.rm(p, { stop: true });
    expect(fake.container('app-db-1')).toBeUndefined();
  });

  it('dry run changes nothing and an unknown service is refused', async () => {
    const { fake, compose, p } = await setup();
    const writes = fake.writes().length;
    const plan = await compose.stop(p, { dryRun: true });
    expect(plan.steps).toHaveLength(3);
    expect(fake.writes()).toHaveLength(writes);
    await expect(compose.restart(p, { services: ['x'] })).rejects.toThrow('no such service: x');
  });
});
