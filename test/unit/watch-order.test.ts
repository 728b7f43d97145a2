import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTar } from '../../src/compose/archive.js';
import { Compose } from '../../src/compose/compose.js';
import type { ContainerCreateBody, Engine } from '../../src/engine/types.js';
import { FakeEngine, type FakeCall } from '../support/fake-engine.js';
import { project } from '../support/fixtures.js';
import { until, watching } from '../support/watching.js';

/**
 * `watch` on the fake engine, the gaps left by src/compose/verbs/watch.test.ts: the order of one
 * batch mixing rebuild and sync rules, the 16-container limit through the real sync path, and
 * volumes kept by a watch rebuild.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project directory with the given files (paths relative to it). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-watch-order-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const cmdOf = (c: FakeCall): string[] => (c.args[1] as { cmd: string[] }).cmd;

describe('watch: one batch with rebuild and sync rules', () => {
  it('runs in compose order: build, recreate (and restart: true dependents), archive PUT, restart, then the sync+exec hook', async () => {
    const dir = tree({ 'api/Dockerfile': 'FROM busybox\n', 'src/a.txt': 'A', 'lib/l.txt': 'L' });
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake, events: () => {} });
    const p = project(
      'shop',
      {
        api: { build: { context: join(dir, 'api') }, develop: { watch: [{ path: join(dir, 'api'), action: 'rebuild' }] } },
        // depends on api with restart: true: restarted after api's recreate, before any sync
        worker: { depends_on: { api: { condition: 'service_started', required: true, restart: true } } },
        web: {
          scale: 2,
          develop: {
            watch: [
              { path: join(dir, 'src'), action: 'sync+restart', target: '/app' },
              { path: join(dir, 'lib'), action: 'sync+exec', target: '/lib', exec: { command: ['reload'] } },
            ],
          },
        },
      },
      { workingDir: dir },
    );
    await compose.up(p, { detach: true });
    const oldApi = fake.container('shop-api-1')!.id;
    const oldWorker = fake.container('shop-worker-1')!.id;
    const webIds = ['shop-web-1', 'shop-web-2'].map((n) => fake.container(n)!.id);
    fake.onExec((c, o) => ({ exitCode: 0, output: o.cmd[0] === 'reload' ? `reloaded ${c.name}\n` : '' }));
    fake.clearCalls();

    const w = watching(compose, p);
    await w.ready();
    // one batch: a path of each rule
    w.watcher.change([join(dir, 'api', 'Dockerfile'), join(dir, 'src', 'a.txt'), join(dir, 'lib', 'l.txt')]);
    await until(() => w.logs.length === 2);
    await w.stop();

    const calls = fake.calls;
    const at = (pred: (c: FakeCall) => boolean): number[] => calls.flatMap((c, i) => (pred(c) ? [i] : []));
    const build = at((c) => c.method === 'build');
    const apiCreate = at((c) => c.method === 'createContainer' && (c.args[1] as ContainerCreateBody).Labels?.['com.docker.compose.service'] === 'api');
    const apiRemove = at((c) => c.method === 'removeContainer' && c.target === oldApi);
    const apiStart = at((c) => c.method === 'startContainer' && c.target === 'shop-api-1');
    const workerStop = at((c) => c.method === 'stopContainer' && c.target === oldWorker);
    const workerStart = at((c) => c.method === 'startContainer' && c.target === 'shop-worker-1');
    const puts = at((c) => c.method === 'putArchive');
    const webStops = at((c) => c.method === 'stopContainer' && webIds.includes(c.target));
    const webStarts = at((c) => c.method === 'startContainer' && /^shop-web-\d$/.test(c.target));
    const hooks = at((c) => c.method === 'createExec' && cmdOf(c)[0] === 'reload');

    // each step happened, once per container
    expect([build.length, apiCreate.length, apiRemove.length, apiStart.length]).toEqual([1, 1, 1, 1]);
    expect([workerStop.length, workerStart.length]).toEqual([1, 1]);
    expect(puts.map((i) => calls[i]!.target).sort()).toEqual([...webIds].sort());
    expect([webStops.length, webStarts.length, hooks.length]).toEqual([2, 2, 2]);
    // one tar per container carries both rules' files
    const names = await readTar(calls[puts[0]!]!.args[2] as Buffer);
    expect(names.map((e) => e.path).sort()).toEqual(['app/a.txt', 'lib/l.txt']);

    // rebuild: build → create the new api → remove the old → start it; then its dependent restarts
    expect(build[0]!).toBeLessThan(apiCreate[0]!);
    expect(apiCreate[0]!).toBeLessThan(apiRemove[0]!);
    expect(apiRemove[0]!).toBeLessThan(apiStart[0]!);
    expect(apiStart[0]!).toBeLessThan(workerStop[0]!);
    expect(workerStop[0]!).toBeLessThan(workerStart[0]!);
    // the whole rebuild step is done before the first archive PUT
    expect(Math.max(...build, ...apiCreate, ...apiRemove, ...apiStart, ...workerStart)).toBeLessThan(Math.min(...puts));
    // every PUT before any restart; every restart done before any hook
    expect(Math.max(...puts)).toBeLessThan(Math.min(...webStops));
    expect(Math.max(...webStarts)).toBeLessThan(Math.min(...hooks));
    // no new archive, build or recreate after the hooks
    expect(calls.slice(Math.min(...hooks)).some((c) => ['putArchive', 'build', 'createContainer'].includes(c.method))).toBe(false);

    expect(w.messages.slice(1, 5)).toEqual([
      'Rebuilding service(s) ["api"] after changes were detected...',
      'service(s) ["api"] successfully built',
      'Syncing service "web" after 2 changes were detected',
      'service(s) ["web"] restarted',
    ]);
    expect(w.logs.map((l) => `${l.container} ${l.text}`).sort()).toEqual(['shop-web-1 reloaded shop-web-1', 'shop-web-2 reloaded shop-web-2']);
  });
});

/** Counts archive uploads in flight; each one waits a few ms so they overlap. */
class CountingEngine extends FakeEngine {
  active = 0;
  peak = 0;
  override async putArchive(id: string, path: string, tar: Buffer): Promise<void> {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      await new Promise((r) => setTimeout(r, 3));
      await super.putArchive(id, path, tar);
    } finally {
      this.active--;
    }
  }
}

describe('watch: sync parallelism', () => {
  it('a service with 20 replicas: at most 16 uploads in flight, and all 20 containers get the file', async () => {
    const dir = tree({ 'src/a.txt': 'A' });
    const fake = new CountingEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake, events: () => {} });
    const p = project('shop', { web: { scale: 20, develop: { watch: [{ path: join(dir, 'src'), action: 'sync', target: '/app' }] } } }, { workingDir: dir });
    await compose.up(p, { detach: true });
    const ids = Array.from({ length: 20 }, (_, i) => fake.container(`shop-web-${i + 1}`)!.id);
    // the fake has no copyToContainer, so sync goes through putArchive
    expect((fake as Engine).copyToContainer).toBeUndefined();
    fake.clearCalls();

    const w = watching(compose, p);
    await w.ready();
    w.watcher.change([join(dir, 'src', 'a.txt')]);
    await until(() => fake.journal(['putArchive']).length === 20 && fake.active === 0);
    await w.stop();

    expect(fake.peak).toBe(16);
    const puts = fake.calls.filter((c) => c.method === 'putArchive');
    expect(puts.map((c) => c.target).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(fake.container(id)!.archives).toEqual([{ path: '/', bytes: expect.any(Number) }]);
    expect((await readTar(puts[19]!.args[2] as Buffer)).map((e) => [e.path, e.data?.toString()])).toEqual([['app/a.txt', 'A']]);
  });
});

describe('watch: rebuild keeps the volumes', () => {
  it('the recreated container mounts the same anonymous and named volumes as the one it replaced', async () => {
    const dir = tree({ 'api/Dockerfile': 'FROM busybox\n' });
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake, events: () => {} });
    const p = project(
      'shop',
      {
        api: {
          build: { context: join(dir, 'api') },
          volumes: [
            { type: 'volume', target: '/data' },
            { type: 'volume', source: 'cache', target: '/cache' },
          ],
          develop: { watch: [{ path: join(dir, 'api'), action: 'rebuild' }] },
        },
      },
      { workingDir: dir, volumes: { cache: { name: 'shop_cache' } } },
    );
    await compose.up(p, { detach: true });
    const old = fake.container('shop-api-1')!;
    const mounts = (id: string): string[] =>
      fake
        .container(id)!
        .mounts.filter((m) => m.Type === 'volume')
        .map((m) => `${m.Destination}=${m.Name}`)
        .sort();
    const before = mounts(old.id);
    const anonymous = old.mounts.find((m) => m.Destination === '/data')!.Name!;
    expect(before).toEqual(['/cache=shop_cache', `/data=${anonymous}`]);
    const volumesBefore = fake.volumeNames();
    fake.clearCalls();

    const w = watching(compose, p);
    await w.ready();
    w.watcher.change([join(dir, 'api', 'Dockerfile')]);
    await until(() => fake.container('shop-api-1')?.id !== old.id && fake.container('shop-api-1')?.status === 'running');
    await w.stop();

    const now = fake.container('shop-api-1')!;
    expect(fake.journal(['build'])).toHaveLength(1);
    // the new container asked for the old anonymous volume by name, and got the same two volumes
    const body = fake.calls.find((c) => c.method === 'createContainer')!.args[1] as ContainerCreateBody;
    expect(body.HostConfig?.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: 'volume', Source: anonymous, Target: '/data' }),
        expect.objectContaining({ Type: 'volume', Source: 'shop_cache', Target: '/cache' }),
      ]),
    );
    expect(mounts(now.id)).toEqual(before);
    // no volume created or removed
    expect(fake.volumeNames()).toEqual(volumesBefore);
    expect(fake.journal(['createVolume', 'removeVolume'])).toEqual([]);
    expect(fake.calls.find((c) => c.method === 'removeContainer')!.args[1]).not.toMatchObject({ volumes: true });
  });
});
