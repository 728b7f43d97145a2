import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireProjectLock, lockPath } from '../../src/compose/project-lock.js';
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

describe('two runs at once', () => {
  it('up: the copy of a network left by concurrent runs is removed by ID before containers are created', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    const copy = fake.addDuplicateNetwork('p_default');
    expect(fake.networkNames().filter((n) => n === 'p_default')).toHaveLength(2);
    const observed = await compose.observe(app('p'));
    expect(observed.duplicateNetworks?.get('p_default')?.map((n) => n.id)).toEqual([copy]);
    const plan = await planUp(app('p'), observed);
    expect(formatPlan(plan)).toMatch(new RegExp(`network +p_default +remove +duplicate \\(id ${copy.slice(0, 12)}\\) of network p_default`));
    await compose.up(app('p', 'two'), { detach: true });
    expect(fake.networkNames().filter((n) => n === 'p_default')).toHaveLength(1);
    expect(fake.journal(['removeNetwork'])).toEqual([`removeNetwork ${copy}`]);
    expect(fake.containerNames()).toEqual(['p-app-1']);
  });

  it('up: a container attached to the copy is recreated on the kept network, then the copy removed', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    const observed = await compose.observe(app('p'));
    const kept = observed.networks.get('p_default')!.id;
    // the container is attached to the copy, not to the kept one
    const c = observed.containers[0]!;
    c.summary = { ...c.summary, NetworkSettings: { Networks: { p_default: { NetworkID: 'copy-id' } } } };
    observed.duplicateNetworks = new Map([['p_default', [{ name: 'p_default', id: 'copy-id', labels: {}, managed: true }]]]);
    const plan = await planUp(app('p'), observed);
    expect(formatPlan(plan)).toMatch(/container +p-app-1 +recreate +attached to a duplicate network p_default/);
    const steps = plan.steps.map((s) => `${s.id} <- ${s.dependsOn.join(', ')}`);
    expect(steps).toContain('remove-network:copy-id <- remove-container:p-app-1');
    expect(steps).toContain('create-container:p-app-1 <- remove-network:copy-id, remove-container:p-app-1');
    expect(kept).not.toBe('copy-id');
  });

  it('down: removes every copy of the network, each by ID', async () => {
    const { fake, compose } = setup();
    await compose.up(app('p'), { detach: true });
    fake.addDuplicateNetwork('p_default');
    await compose.down(app('p'));
    expect(fake.networkNames()).not.toContain('p_default');
    expect(fake.containerNames()).toEqual([]);
  });

  it('the project lock: a second up of the same project waits for the first, then finds it converged', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const dir = mkdtempSync(join(tmpdir(), 'capstan-lock-test-'));
    try {
      const events: ComposeEvent[][] = [[], []];
      const [a, b] = [0, 1].map((i) => new Compose({ engine: fake, events: (e) => events[i]!.push(e), lock: { dir, engine: 'fake' } }));
      const p = project('p', { web: {}, db: {}, cache: {} });
      const [ra, rb] = await Promise.all([a!.up(p, { detach: true }), b!.up(p, { detach: true })]);
      expect(fake.containerNames().sort()).toEqual(['p-cache-1', 'p-db-1', 'p-web-1']);
      expect(fake.networkNames().filter((n) => n === 'p_default')).toHaveLength(1);
      // exactly one of them did the work; the other waited, said so, and found nothing to do
      const changes = [ra, rb].map((r) => r.plan.steps.length);
      expect(changes.filter((n) => n === 0)).toHaveLength(1);
      const waited = events.flat().filter((e) => e.type === 'warning' && /another capstan \(pid \d+\) is changing project "p"; waiting/.test(e.message));
      expect(waited).toHaveLength(1);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('acquireProjectLock', () => {
  it('takes over a lock whose holder was killed (its PID no longer runs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-lock-test-'));
    try {
      const dead = spawnSync('true').pid!;
      writeFileSync(lockPath('e', 'p', dir), JSON.stringify({ pid: dead, project: 'p', engine: 'e', since: 0, token: 'x' }));
      const waited: unknown[] = [];
      const release = await acquireProjectLock('e', 'p', { dir, onWait: (h) => waited.push(h) });
      expect(waited).toEqual([]);
      expect(JSON.parse(readFileSync(lockPath('e', 'p', dir), 'utf8')).pid).toBe(process.pid);
      release();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits while a live process holds it; other projects and engines are not blocked; Ctrl+C stops the wait', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-lock-test-'));
    try {
      const first = await acquireProjectLock('e', 'p', { dir });
      const other = await acquireProjectLock('e', 'q', { dir });
      const elsewhere = await acquireProjectLock('e2', 'p', { dir });
      other();
      elsewhere();
      const abort = new AbortController();
      const second = acquireProjectLock('e', 'p', { dir, signal: abort.signal, pollMs: 10 });
      setTimeout(() => abort.abort(), 50);
      await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
      const third = acquireProjectLock('e', 'p', { dir, pollMs: 10 });
      setTimeout(first, 50);
      const release = await third;
      release();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a killed run whose create the engine still carries out', () => {
  it('up plans again when a name is taken meanwhile by a container of the project, and converges', async () => {
    const { fake, compose, events } = setup();
    const p = app('p');
    // the engine creates p-app-1 for the killed run right after this run observed
    const create = fake.createContainer.bind(fake);
    let raced = false;
    fake.createContainer = async (name, body, platform) => {
      if (!raced && name === 'p-app-1') {
        raced = true;
        await create(name, body, platform);
      }
      return create(name, body, platform);
    };
    await compose.up(p, { detach: true });
    expect(fake.containerNames()).toEqual(['p-app-1']);
    expect(fake.container('p-app-1')!.status).toBe('running');
    expect(events.some((e) => e.type === 'warning' && /taken meanwhile by a container of this project; planning again/.test(e.message))).toBe(true);
  });

  it('a name taken by a container of another project still fails at once', async () => {
    const { fake, compose } = setup();
    await fake.createContainer('p-app-1', { Image: 'busybox', Labels: { 'com.docker.compose.project': 'other' } });
    const err = await compose.up(app('p'), { detach: true }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('CONFLICT');
  });
});

describe('a port taken mid-up', () => {
  it('stops only the service that publishes it: the others start, its dependents do not; the error names the port', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    // one step at a time (--parallel 1): without going on, nothing after the failure would run
    const compose = new Compose({ engine: fake, concurrency: 1 });
    fake.behave('web', { startError: 'driver failed programming external connectivity on endpoint p-web-1: Bind for 0.0.0.0:8080 failed: port is already allocated' });
    const p = project('p', {
      web: { ports: [{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }] },
      proxy: { depends_on: { web: { condition: 'service_started', required: true } } },
      one: {},
      two: {},
    });
    const err = await compose.up(p, { detach: true }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('container p-web-1 could not start: port 8080 is already allocated');
    expect(fake.container('p-one-1')!.status).toBe('running');
    expect(fake.container('p-two-1')!.status).toBe('running');
    expect(fake.container('p-web-1')!.status).toBe('created');
    expect(fake.container('p-proxy-1')?.status ?? 'absent').not.toBe('running');
  });
});
