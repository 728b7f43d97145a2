import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Compose } from '../../src/compose/compose.js';
import type { ComposeEvent } from '../../src/compose/events.js';
import { Label } from '../../src/compose/labels.js';
import type { LogLine } from '../../src/compose/logs.js';
import { formatPlan } from '../../src/compose/plan.js';
import type { Project, ServiceConfig } from '../../src/model/types.js';
import { FakeEngine } from '../support/fake-engine.js';
import { project } from '../support/fixtures.js';

/**
 * The `Compose` verbs' orchestration against the fake engine: what each verb asks the engine, in
 * which order, and how waits end. Planning itself is tested in src/compose/planner.test.ts.
 */

const healthcheck = { test: ['CMD', 'true'] };

/** `shop`: web depends on a healthy db, which keeps its data in the named volume `data`. */
function shop(web: Partial<ServiceConfig> = {}): Project {
  return project(
    'shop',
    {
      web: { depends_on: { db: { condition: 'service_healthy', required: true } }, ...web },
      db: { healthcheck, volumes: [{ type: 'volume', source: 'data', target: '/data' }] },
    },
    { volumes: { data: { name: 'shop_data' } } },
  );
}

/** A fake engine with busybox, a Compose on it, and the events it emitted. */
function setup(): { fake: FakeEngine; compose: Compose; events: ComposeEvent[] } {
  const fake = new FakeEngine({ images: ['busybox'] });
  const events: ComposeEvent[] = [];
  return { fake, compose: new Compose({ engine: fake, events: (e) => events.push(e) }), events };
}

/** Index of the first journal line equal to `line` (fails the test when absent). */
function at(fake: FakeEngine, line: string): number {
  const i = fake.journal().indexOf(line);
  expect(i, `${line} in the journal`).toBeGreaterThanOrEqual(0);
  return i;
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

/** Resolves once `check` holds, polling the event loop (the fake changes synchronously). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe('Compose.up', () => {
  it('creates a fresh project: network and volume first, db healthy before web starts', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    const { plan, exitCode } = await compose.up(shop(), { detach: true });
    expect(exitCode).toBe(0);
    expect(formatPlan(plan).split('\n')[0]).toBe('Plan for project "shop" (4 changes, 0 up to date)');
    expect(fake.writes().map((c) => `${c.method} ${c.target}`).sort()).toEqual([
      'createContainer shop-db-1',
      'createContainer shop-web-1',
      'createNetwork shop_default',
      'createVolume shop_data',
      'startContainer shop-db-1',
      'startContainer shop-web-1',
    ]);
    expect(at(fake, 'createNetwork shop_default')).toBeLessThan(at(fake, 'createContainer shop-db-1'));
    expect(at(fake, 'createVolume shop_data')).toBeLessThan(at(fake, 'createContainer shop-db-1'));
    expect(at(fake, 'createNetwork shop_default')).toBeLessThan(at(fake, 'createContainer shop-web-1'));
    expect(at(fake, 'inspectContainer shop-db-1')).toBeLessThan(at(fake, 'startContainer shop-web-1')); // the health wait
    expect(at(fake, 'startContainer shop-db-1')).toBeLessThan(at(fake, 'inspectContainer shop-db-1'));

    const web = fake.container('shop-web-1')!;
    expect(web.status).toBe('running');
    expect([...web.endpoints.keys()]).toEqual(['shop_default']);
    expect(web.body.Labels).toMatchObject({ [Label.project]: 'shop', [Label.service]: 'web', [Label.containerNumber]: '1', [Label.oneoff]: 'False' });
    expect(fake.container('shop-db-1')!.mounts).toMatchObject([{ Type: 'volume', Name: 'shop_data', Destination: '/data' }]);
    expect((await fake.inspectVolume('shop_data')).Labels).toMatchObject({ [Label.project]: 'shop', [Label.volume]: 'data' });
    expect((await fake.inspectNetwork('shop_default')).Labels).toMatchObject({ [Label.project]: 'shop', [Label.network]: 'default' });
  });

  it('a second up changes nothing: no create, start or stop call', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    await compose.up(shop(), { detach: true });
    fake.clearCalls();
    const { plan } = await compose.up(shop(), { detach: true });
    expect(formatPlan(plan).split('\n')[0]).toBe('Plan for project "shop" (0 changes, 4 up to date)');
    expect(fake.writes()).toEqual([]);
  });

  it('--dry-run reads and executes nothing', async () => {
    const { fake, compose } = setup();
    const { plan } = await compose.up(shop(), { dryRun: true });
    expect(formatPlan(plan).split('\n')[0]).toBe('Plan for project "shop" (4 changes, 0 up to date)');
    expect(fake.writes()).toEqual([]);
    expect(fake.containerNames()).toEqual([]);
  });

  it('recreates a changed service through a temporary name, which never collides', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    await compose.up(shop({ environment: { LOG_LEVEL: 'info' } }), { detach: true });
    const old = fake.container('shop-web-1')!.id;
    fake.clearCalls();
    await compose.up(shop({ environment: { LOG_LEVEL: 'debug' } }), { detach: true });
    const tmp = `${old.slice(0, 12)}_shop-web-1`;
    expect(fake.journal().filter((l) => !/^(list|inspect|negotiated)/.test(l))).toEqual([
      `createContainer ${tmp}`,
      `stopContainer ${old}`,
      `removeContainer ${old}`,
      `renameContainer ${tmp}`,
      'startContainer shop-web-1',
    ]);
    expect(fake.containerNames()).toEqual(['shop-db-1', 'shop-web-1']);
    expect(fake.container('shop-web-1')!.body.Env).toContain('LOG_LEVEL=debug');
  });

  it('warns about orphans and leaves them; --remove-orphans removes them', async () => {
    const { fake, compose, events } = setup();
    const withOld = project('shop', { web: {}, old: {} });
    await compose.up(withOld, { detach: true });
    const withoutOld = project('shop', { web: {} });
    await compose.up(withoutOld, { detach: true });
    expect(events).toContainEqual({
      type: 'warning',
      message:
        'Found orphan containers (shop-old-1) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.',
    });
    expect(fake.containerNames()).toEqual(['shop-old-1', 'shop-web-1']);
    await compose.up(withoutOld, { detach: true, removeOrphans: true });
    expect(fake.containerNames()).toEqual(['shop-web-1']);
  });

  it('names the port when another container holds it', async () => {
    const { fake, compose } = setup();
    await compose.up(project('blog', { web: { ports: [{ target: 80, published: '8080', protocol: 'tcp' }] } }), { detach: true });
    const error = await failure(compose.up(project('shop', { web: { ports: [{ target: 80, published: '8080', protocol: 'tcp' }] } }), { detach: true }));
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'container shop-web-1 could not start: port 8080 is already allocated' });
    expect((error as { hint?: string }).hint).toMatch(/^port 8080 is held by project "blog" \(container blog-web-1\) — `capstan ls` lists projects/);
    expect(fake.container('shop-web-1')!.status).toBe('created');
  });

  it('builds a missing image first and labels the container with the built image', async () => {
    const { fake, compose } = setup();
    const dir = await mkdtemp(join(tmpdir(), 'capstan-fake-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\n');
      const p = project('shop', { api: { image: undefined, build: { context: dir } } });
      await compose.up(p, { detach: true });
      expect(at(fake, 'build shop-api')).toBeLessThan(at(fake, 'createContainer shop-api-1'));
      const built = (await fake.inspectImage('shop-api'))!;
      expect(built.Config?.Labels).toMatchObject({ [Label.project]: 'shop', [Label.service]: 'api' });
      expect(fake.container('shop-api-1')!.body.Labels?.[Label.image]).toBe(built.Id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Compose.up waits', () => {
  it('depends_on service_healthy: web starts only once db reports healthy', async () => {
    const { fake, compose } = setup();
    const up = compose.up(shop(), { detach: true });
    await until(() => fake.container('shop-db-1')?.status === 'running' && fake.container('shop-web-1') !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.container('shop-web-1')!.status).toBe('created');
    fake.setHealth('shop-db-1', 'healthy');
    await up;
    expect(fake.container('shop-web-1')!.status).toBe('running');
  });

  it('depends_on service_healthy: an unhealthy db fails the dependency and web never starts', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'unhealthy' });
    const error = await failure(compose.up(shop(), { detach: true }));
    expect(error).toMatchObject({ code: 'DEPENDENCY', message: 'dependency failed to start: container shop-db-1 is unhealthy' });
    expect(fake.journal(['startContainer'])).toEqual(['startContainer shop-db-1']);
  });

  it('--wait: times out with compose\'s message when a container stays starting', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    fake.behave('web', { health: 'starting' });
    const started = Date.now();
    const error = await failure(compose.up(shop({ healthcheck }), { wait: true, waitTimeoutSeconds: 1 }));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'application not healthy after 1s', details: ['still waiting for: shop-web-1'] });
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    expect(fake.container('shop-web-1')!.status).toBe('running'); // a timeout stops nothing
  });

  it('--wait: an unhealthy container fails at once, without waiting for the timeout', async () => {
    const { fake, compose, events } = setup();
    fake.behave('db', { health: 'healthy' });
    fake.behave('web', { health: 'unhealthy' });
    const started = Date.now();
    const error = await failure(compose.up(shop({ healthcheck }), { wait: true, waitTimeoutSeconds: 60 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ code: 'DEPENDENCY', message: 'container shop-web-1 is unhealthy' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'progress', id: 'shop-web-1', status: 'Error', error: 'unhealthy' }));
  });

  it('--wait: returns once healthy; a one-shot dependency may exit 0, a service exiting non-zero fails', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    fake.behave('migrate', { exitCode: 0 });
    const p = shop({ healthcheck, depends_on: { db: { condition: 'service_healthy', required: true }, migrate: { condition: 'service_completed_successfully', required: true } } });
    p.services.migrate = { name: 'migrate', image: 'busybox', networks: { default: null } };
    const up = compose.up(p, { wait: true, waitTimeoutSeconds: 10 });
    await until(() => fake.container('shop-web-1')?.status === 'running');
    fake.setHealth('shop-web-1', 'healthy');
    expect(await up).toMatchObject({ exitCode: 0 });

    const crash = project('crash', { app: {} });
    fake.behave('app', { exitCode: 2 });
    expect(await failure(compose.up(crash, { wait: true, waitTimeoutSeconds: 10 }))).toMatchObject({ code: 'DEPENDENCY', message: 'container crash-app-1 exited (2)' });
  });
});

describe('Compose.up attached', () => {
  it('--abort-on-container-exit: shows the logs, stops the others, ends with the exit code', async () => {
    const { fake, compose } = setup();
    const p = project('job', { web: {}, task: {} });
    const lines: LogLine[] = [];
    const exits: string[] = [];
    let attached: string[] = [];
    const up = compose.up(p, {
      abortOnContainerExit: true,
      onAttach: (c) => (attached = c),
      onLog: (l) => lines.push(l),
      onExit: (c, _s, code) => exits.push(`${c} ${code}`),
    });
    await until(() => attached.length === 2 && fake.journal(['containerLogs']).length === 2);
    fake.write('job-web-1', 'serving\n');
    fake.write('job-task-1', 'working\nfailed\n', 'stderr');
    await new Promise((r) => setTimeout(r, 10));
    fake.exit('job-task-1', 3);
    expect(await up).toMatchObject({ exitCode: 3 });
    expect(attached.sort()).toEqual(['job-task-1', 'job-web-1']);
    expect(lines.map((l) => `${l.container} ${l.stream} ${l.text}`).sort()).toEqual([
      'job-task-1 stderr failed',
      'job-task-1 stderr working',
      'job-web-1 stdout serving',
    ]);
    expect(exits).toContain('job-task-1 3');
    expect(fake.journal(['stopContainer'])).toEqual([`stopContainer ${fake.container('job-web-1')!.id}`]);
    expect(fake.container('job-web-1')!.status).toBe('exited');
  });
});

describe('Compose.down', () => {
  /** `shop` and `blog` up, plus a container and a network without labels. */
  async function twoProjects(): Promise<{ fake: FakeEngine; events: ComposeEvent[] }> {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    await compose.up(shop(), { detach: true });
    await compose.up(project('blog', { web: {} }, { volumes: { data: { name: 'blog_data' } } }), { detach: true });
    await fake.createVolume({ Name: 'blog_data', Labels: { [Label.project]: 'blog', [Label.volume]: 'data' } });
    await fake.createNetwork({ Name: 'shop_manual' });
    await fake.createContainer('shop-web-manual', { Image: 'busybox', HostConfig: { NetworkMode: 'shop_manual' } });
    await fake.startContainer('shop-web-manual');
    fake.clearCalls();
    const events: ComposeEvent[] = [];
    return { fake, events };
  }

  it('rebuilds a project from its labels, then removes exactly its containers and networks', async () => {
    const { fake, events } = await twoProjects();
    const compose = new Compose({ engine: fake, events: (e) => events.push(e) }); // a new process: nothing cached
    const p = await compose.projectFromLabels('shop');
    expect(Object.keys(p.services).sort()).toEqual(['db', 'web']);
    expect(p.networks).toEqual({ default: { name: 'shop_default' } });
    expect(p.volumes).toEqual({ data: { name: 'shop_data' } });

    const network = (await fake.listNetworks({ name: ['shop_default'] })).find((n) => n.Name === 'shop_default')!.Id;
    const plan = await compose.down(p);
    expect(formatPlan(plan).split('\n')[0]).toBe('Plan for project "shop" (3 changes, 0 up to date)');
    expect(fake.containerNames()).toEqual(['blog-web-1', 'shop-web-manual']);
    expect(fake.networkNames()).toEqual(['blog_default', 'bridge', 'host', 'none', 'shop_manual']);
    expect(fake.volumeNames()).toEqual(['blog_data', 'shop_data']); // no -v: volumes stay
    // the network after the containers; one listing serves both projectFromLabels and down
    // (by ID: a network name may also match a look-alike the project does not own)
    expect(fake.journal(['removeContainer', 'removeNetwork']).at(-1)).toBe(`removeNetwork ${network}`);
    expect(fake.journal(['listContainers'])).toEqual(['listContainers {"label":["com.docker.compose.project=shop"]}']);
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('with the compose file, stops and removes dependents first: web before db', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    await compose.up(shop(), { detach: true });
    const ids = { web: fake.container('shop-web-1')!.id, db: fake.container('shop-db-1')!.id };
    const network = (await fake.listNetworks({ name: ['shop_default'] })).find((n) => n.Name === 'shop_default')!.Id;
    fake.clearCalls();
    await compose.down(shop());
    expect(fake.journal(['stopContainer', 'removeContainer', 'removeNetwork'])).toEqual([
      `stopContainer ${ids.web}`,
      `removeContainer ${ids.web}`,
      `stopContainer ${ids.db}`,
      `removeContainer ${ids.db}`,
      `removeNetwork ${network}`,
    ]);
  });

  it('-v removes the project\'s named volumes too, and only those', async () => {
    const { fake } = await twoProjects();
    const compose = new Compose({ engine: fake });
    await compose.down(await compose.projectFromLabels('shop'), { volumes: true });
    expect(fake.volumeNames()).toEqual(['blog_data']);
    expect(fake.journal(['removeVolume'])).toEqual(['removeVolume shop_data']);
    expect(fake.journal(['removeContainer', 'removeVolume']).at(-1)).toBe('removeVolume shop_data');
  });

  it('warns when there is nothing to remove', async () => {
    const { fake, events } = await twoProjects();
    const compose = new Compose({ engine: fake, events: (e) => events.push(e) });
    await compose.down(await compose.projectFromLabels('nothing'));
    expect(fake.writes()).toEqual([]);
    expect(events).toContainEqual({ type: 'warning', message: 'No resource found to remove for project "nothing".' });
  });
});

describe('Compose.ps', () => {
  it('shows running containers, or all with their exit code; health and published ports come from the engine', async () => {
    const { fake, compose } = setup();
    fake.behave('db', { health: 'healthy' });
    await compose.up(shop({ ports: [{ target: 80, published: '8080', protocol: 'tcp' }] }), { detach: true });
    fake.exit('shop-web-1', 137);
    expect((await compose.ps('shop')).map((r) => [r.name, r.service, r.state, r.health])).toEqual([['shop-db-1', 'db', 'running', 'healthy']]);
    const rows = await compose.ps('shop', { all: true });
    expect(rows.map((r) => [r.name, r.state, r.exitCode, r.status])).toEqual([
      ['shop-db-1', 'running', 0, expect.stringMatching(/^Up .+ \(healthy\)$/)],
      ['shop-web-1', 'exited', 137, expect.stringMatching(/^Exited \(137\) .+ ago$/)],
    ]);
    expect(rows[0]).toMatchObject({ project: 'shop', number: 1, image: 'busybox', networks: ['shop_default'], mounts: [{ name: 'shop_data', local: true }] });
    await fake.startContainer('shop-web-1');
    expect((await compose.ps('shop', { services: ['web'] }))[0]!.publishers).toEqual([{ URL: '0.0.0.0', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' }]);
  });
});

describe('Compose.logs', () => {
  it('reads each service container\'s output as whole lines, --tail per container', async () => {
    const { fake, compose } = setup();
    fake.behave('web', { output: 'one\ntwo\nthr' });
    fake.behave('db', { health: 'healthy', output: [{ stream: 'stderr', text: 'ready\n' }] });
    await compose.up(shop(), { detach: true });
    const lines: LogLine[] = [];
    await compose.logs('shop', (l) => lines.push(l), { tail: 2 });
    expect(lines.map((l) => `${l.service} ${l.stream} ${l.text}`).sort()).toEqual(['db stderr ready', 'web stdout thr', 'web stdout two']);
    lines.length = 0;
    await compose.logs('shop', (l) => lines.push(l), { services: ['db'] });
    expect(lines).toEqual([{ container: 'shop-db-1', service: 'db', stream: 'stderr', text: 'ready' }]);
  });
});
