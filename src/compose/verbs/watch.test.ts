import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeEngine } from '../../../test/support/fake-engine.js';
import { project } from '../../../test/support/fixtures.js';
import { until, watching } from '../../../test/support/watching.js';
import { readTar } from '../archive.js';
import { Compose } from '../compose.js';
import type { ComposeEvent } from '../events.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project dir with src/ and api/ (a Dockerfile), `web` (sync rules) and `api` (rebuild), `worker` depending on api with restart: true. */
async function running(develop: NonNullable<Parameters<typeof project>[1][string]['develop']>) {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-watch-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'api'));
  writeFileSync(join(dir, 'src', 'a.txt'), 'A');
  writeFileSync(join(dir, 'api', 'Dockerfile'), 'FROM busybox\n');
  const fake = new FakeEngine({ images: ['busybox'] });
  const events: ComposeEvent[] = [];
  const compose = new Compose({ engine: fake, events: (e) => events.push(e) });
  const p = project(
    'shop',
    {
      web: { develop },
      api: { build: { context: join(dir, 'api') }, develop: { watch: [{ path: join(dir, 'api'), action: 'rebuild' }] } },
      worker: { depends_on: { api: { condition: 'service_started', required: true, restart: true } } },
    },
    { workingDir: dir },
  );
  await compose.up(p, { detach: true });
  fake.clearCalls();
  return { dir, fake, compose, p, events };
}

describe('Compose.watch on the fake engine', () => {
  it('sync: a changed file is sent as one tar at / with its container path; a deleted one is removed with rm -rf', async () => {
    const { dir, fake, compose, p } = await running({ watch: [] });
    p.services.web!.develop = { watch: [{ path: join(dir, 'src'), action: 'sync', target: '/app' }] };
    const w = watching(compose, p, { services: ['web'] });
    await w.ready();
    expect(w.watcher.roots).toEqual([[join(dir, 'src')]]);
    writeFileSync(join(dir, 'src', 'b.txt'), 'B');
    w.watcher.change([join(dir, 'src', 'b.txt'), join(dir, 'src', 'gone.txt'), join(dir, 'src', '.b.txt.swp')]);
    await until(() => fake.journal(['putArchive']).length === 1);
    const put = fake.calls.find((c) => c.method === 'putArchive')!;
    expect(put.target).toBe(fake.container('shop-web-1')!.id);
    expect(put.args[1]).toBe('/');
    const entries = await readTar(put.args[2] as Buffer);
    expect(entries.map((e) => [e.path, e.data?.toString()])).toEqual([['app/b.txt', 'B']]);
    const exec = fake.calls.find((c) => c.method === 'createExec')!;
    expect((exec.args[1] as { cmd: string[] }).cmd).toEqual(['rm', '-rf', '/app/gone.txt']);
    expect(w.messages).toContain('Syncing service "web" after 2 changes were detected');
    await w.stop();
    expect(w.watcher.closed()).toBe(true);
    expect(w.messages.at(-1)).toBe('Watch disabled');
  });

  it('sync+restart restarts after syncing; restart only restarts', async () => {
    const { dir, fake, compose, p } = await running({ watch: [] });
    p.services.web!.develop = {
      watch: [
        { path: join(dir, 'src'), action: 'sync+restart', target: '/app' },
        { path: join(dir, 'conf'), action: 'restart', target: '/conf' },
      ],
    };
    const w = watching(compose, p, { services: ['web'] });
    await w.ready();
    w.watcher.change([join(dir, 'src', 'a.txt')]);
    await until(() => w.messages.includes('service(s) ["web"] restarted'));
    const web = fake.container('shop-web-1')!.id;
    expect(fake.journal(['putArchive', 'stopContainer', 'startContainer'])).toEqual([`putArchive ${web}`, `stopContainer ${web}`, 'startContainer shop-web-1']);
    fake.clearCalls();
    w.watcher.change([join(dir, 'conf', 'x.ini')]);
    await until(() => w.messages.filter((m) => m.endsWith('restarted')).length === 2);
    expect(fake.journal(['putArchive', 'stopContainer', 'startContainer'])).toEqual([`stopContainer ${web}`, 'startContainer shop-web-1']);
    await w.stop();
  });

  it('sync+exec runs the hook once per container after syncing, its output as log lines', async () => {
    const { dir, fake, compose, p } = await running({ watch: [] });
    p.services.web!.scale = 2;
    await compose.up(p, { detach: true });
    p.services.web!.develop = {
      watch: [{ path: join(dir, 'src'), action: 'sync+exec', target: '/app', exec: { command: ['reload'], user: 'app', environment: { A: '1' } } }],
    };
    fake.onExec((c, options) => ({ exitCode: 0, output: options.cmd[0] === 'reload' ? `reloaded ${c.name}\n` : '' }));
    fake.clearCalls();
    const w = watching(compose, p, { services: ['web'] });
    await w.ready();
    w.watcher.change([join(dir, 'src', 'a.txt'), join(dir, 'src', 'b.txt')]);
    await until(() => w.logs.length === 2);
    const execs = fake.calls.filter((c) => c.method === 'createExec').map((c) => c.args[1] as { cmd: string[]; user?: string; env?: string[] });
    expect(execs.filter((e) => e.cmd[0] === 'reload')).toEqual([
      expect.objectContaining({ cmd: ['reload'], user: 'app', env: ['A=1'] }),
      expect.objectContaining({ cmd: ['reload'], user: 'app', env: ['A=1'] }),
    ]);
    expect(w.logs.map((l) => `${l.container} ${l.text}`).sort()).toEqual(['shop-web-1 reloaded shop-web-1', 'shop-web-2 reloaded shop-web-2']);
    // the tar went in first
    const first = fake.calls.findIndex((c) => c.method === 'putArchive');
    const exec = fake.calls.findIndex((c) => c.method === 'createExec' && (c.args[1] as { cmd: string[] }).cmd[0] === 'reload');
    expect(first).toBeLessThan(exec);
    await w.stop();
  });

  it('rebuild: builds and force-recreates only that service, then restarts its restart: true dependents', async () => {
    const { dir, fake, compose, p } = await running({ watch: [{ path: '/nowhere', action: 'sync', target: '/x' }] });
    const before = Object.fromEntries(['shop-web-1', 'shop-api-1', 'shop-worker-1'].map((n) => [n, fake.container(n)!.id]));
    const w = watching(compose, p, { services: ['api'] });
    await w.ready();
    w.watcher.change([join(dir, 'api', 'Dockerfile')]);
    await until(() => w.messages.includes('service(s) ["api"] successfully built') && fake.journal(['startContainer']).length >= 2);
    expect(w.messages[1]).toBe('Rebuilding service(s) ["api"] after changes were detected...');
    expect(fake.journal(['build']).length).toBe(1);
    expect(fake.container('shop-web-1')!.id).toBe(before['shop-web-1']);
    expect(fake.container('shop-worker-1')!.id).toBe(before['shop-worker-1']);
    expect(fake.container('shop-api-1')!.id).not.toBe(before['shop-api-1']);
    expect(fake.journal(['stopContainer', 'startContainer']).filter((c) => c.includes(before['shop-worker-1']!) || c.includes('shop-worker-1'))).toEqual([
      `stopContainer ${before['shop-worker-1']}`,
      'startContainer shop-worker-1',
    ]);
    await w.stop();
  });

  it('initial_sync copies the tree (ignored files left out) before watching', async () => {
    const { dir, fake, compose, p } = await running({ watch: [] });
    writeFileSync(join(dir, 'src', 'skip.log'), 'x');
    p.services.web!.develop = { watch: [{ path: join(dir, 'src'), action: 'sync', target: '/app', initial_sync: true, ignore: ['*.log'] }] };
    const w = watching(compose, p, { services: ['web'] });
    await w.ready();
    const put = fake.calls.find((c) => c.method === 'putArchive')!;
    expect((await readTar(put.args[2] as Buffer)).map((e) => e.path)).toEqual(['app/', 'app/a.txt']);
    await w.stop();
  });

  it('--dry-run reports each rule a path falls under, and changes nothing', async () => {
    const { dir, fake, compose, p } = await running({ watch: [] });
    p.services.web!.develop = { watch: [{ path: join(dir, 'src'), action: 'sync', target: '/app', ignore: ['*.log'] }] };
    const w = watching(compose, p, { dryRun: true });
    await w.ready();
    w.watcher.change([join(dir, 'src', 'a.txt'), join(dir, 'src', 'x.log'), join(dir, 'elsewhere')]);
    await until(() => w.dry.length === 3);
    expect(w.dry.map(([path, v]) => [path.slice(dir.length), v.map((x) => [x.service, x.action, x.verdict])])).toEqual([
      ['/elsewhere', []],
      ['/src/a.txt', [['web', 'sync', { match: true, containerPath: '/app/a.txt' }]]],
      ['/src/x.log', [['web', 'sync', { match: false, reason: 'ignore' }]]],
    ]);
    expect(fake.writes()).toEqual([]);
    await w.stop();
  });

  it('a batch of more than 1000 files warns', async () => {
    const { dir, compose, p, events } = await running({ watch: [] });
    p.services.web!.develop = { watch: [{ path: join(dir, 'src'), action: 'sync', target: '/app' }] };
    const w = watching(compose, p, { services: ['web'] });
    await w.ready();
    w.watcher.change(Array.from({ length: 1001 }, (_, i) => join(dir, 'src', `gone-${i}`)));
    await until(() => w.messages.some((m) => m.startsWith('Syncing')));
    expect(events).toContainEqual({ type: 'warning', message: 'Very large batch of file changes detected: 1001 files. This may impact performance.' });
    expect(w.messages).toContain('Large batch of file changes detected. If you just switched branches, this is expected.');
    await w.stop();
  });

  it('a failing batch is reported and the watch goes on', async () => {
    const { dir, fake, compose, p, events } = await running({ watch: [] });
    p.services.web!.develop = { watch: [{ path: join(dir, 'src'), action: 'sync', target: '/app' }] };
    const w = watching(compose, p, { services: ['web'] });
    await w.ready();
    fake.onExec(() => ({ exitCode: 1, output: 'rm: denied' }));
    w.watcher.change([join(dir, 'src', 'gone')]);
    await until(() => events.some((e) => e.type === 'warning' && e.message.startsWith('Error handling changed files:')));
    fake.onExec(() => ({ exitCode: 0, output: '' }));
    w.watcher.change([join(dir, 'src', 'a.txt')]);
    await until(() => fake.journal(['putArchive']).length === 1);
    await w.stop();
  });
});
