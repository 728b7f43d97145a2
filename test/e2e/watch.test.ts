import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capstan, engine, idle, leftovers, setup, spawnCapstan } from './helpers.js';

/**
 * `capstan watch` against the real engine (issue 14's acceptance list): one watch process for the
 * whole file, busybox containers, a tiny `FROM busybox` build for `rebuild`.
 */
const { project, dir } = setup('watch', {
  'compose.yaml': `services:
  web:
    image: busybox
    command: ${idle()}
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
          ignore: [ignored/]
        - path: ./conf
          action: sync+restart
          target: /conf
        - path: ./hook
          action: sync+exec
          target: /hook
          exec:
            command: ["sh", "-c", "echo \\"$$WHO ran in $$PWD\\" >> /tmp/hook.log"]
            working_dir: /hook
            environment: { WHO: hook }
        - path: ./init
          action: sync
          target: /init
          initial_sync: true
  app:
    build: ./app
    develop:
      watch:
        - path: ./app
          action: rebuild
  dep:
    image: busybox
    command: ${idle()}
    depends_on:
      app: { condition: service_started, restart: true }
`,
  'src/keep.txt': 'keep\n',
  'conf/app.ini': 'a=1\n',
  'hook/h.txt': 'h\n',
  'init/i.txt': 'initial\n',
  'app/Dockerfile': `FROM busybox\nCOPY v.txt /v.txt\nCMD ${idle()}\n`,
  'app/v.txt': 'v1\n',
});

let child: ReturnType<typeof spawnCapstan>;
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;

/** The IDs of the service's containers (two while one is being replaced). */
async function containerIds(service: string): Promise<string[]> {
  const list = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] } });
  return list.map((c) => c.Id!);
}

/** The ID of the service's one container. */
async function containerId(service: string): Promise<string> {
  const list = await containerIds(service);
  expect(list).toHaveLength(1);
  return list[0]!;
}

/** Runs `cmd` in the container, resolves its stdout (exit status ignored). */
async function run(id: string, cmd: string[]): Promise<string> {
  const exec = await engine.createExec(id, { cmd, tty: false });
  let out = '';
  for await (const chunk of engine.startExec(exec, { tty: false })) if (chunk.stream !== 'stderr') out += chunk.data.toString();
  return out;
}

/** Polls `probe` every 50 ms until it returns true; resolves the milliseconds it took. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const startedAt = async (id: string): Promise<string> => (await engine.inspectContainer(id)).State!.StartedAt!;

beforeAll(async () => {
  child = spawnCapstan(['-p', project, 'watch'], { cwd: dir });
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  await within(120_000, async () => stdout.includes('⦿ Watch enabled'));
}, 150_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('capstan watch', () => {
  it('initial_sync copied the tree before any change', async () => {
    const web = await containerId('web');
    expect(await run(web, ['cat', '/init/i.txt'])).toBe('initial\n');
    expect(await run(web, ['ls', '/app'])).toBe(''); // a plain sync rule copies nothing up front
  });

  it('sync: an edited file reaches the container within 1.5 s; a deleted one is removed', async () => {
    const web = await containerId('web');
    writeFileSync(join(dir, 'src', 'a.txt'), 'one\n');
    const ms = await within(1500, async () => (await run(web, ['cat', '/app/a.txt'])) === 'one\n');
    expect(ms).toBeLessThan(1500);
    writeFileSync(join(dir, 'src', 'a.txt'), 'two\n');
    await within(1500, async () => (await run(web, ['cat', '/app/a.txt'])) === 'two\n');
    rmSync(join(dir, 'src', 'a.txt'));
    await within(1500, async () => !(await run(web, ['ls', '/app'])).includes('a.txt'));
    expect(stdout).toMatch(/⦿ Syncing service "web" after 1 changes were detected/);
  });

  it('files under ignore, .git/ and vim swap files cause nothing', async () => {
    const web = await containerId('web');
    const before = stdout;
    mkdirSync(join(dir, 'src', 'ignored'), { recursive: true });
    mkdirSync(join(dir, 'src', '.git'), { recursive: true });
    writeFileSync(join(dir, 'src', 'ignored', 'x.txt'), 'x');
    writeFileSync(join(dir, 'src', '.git', 'HEAD'), 'ref');
    writeFileSync(join(dir, 'src', '.a.txt.swp'), 'swap');
    await new Promise((r) => setTimeout(r, 1500));
    expect(stdout.slice(before.length)).not.toContain('Syncing');
    expect(await run(web, ['ls', '-a', '/app'])).not.toMatch(/ignored|\.git|swp/);
  });

  it('sync+restart restarts the container after syncing (StartedAt changes)', async () => {
    const web = await containerId('web');
    const started = await startedAt(web);
    writeFileSync(join(dir, 'conf', 'app.ini'), 'a=2\n');
    await within(10_000, async () => (await startedAt(web)) !== started);
    await within(3000, async () => (await run(web, ['cat', '/conf/app.ini'])) === 'a=2\n');
    expect(stdout).toContain('⦿ service(s) ["web"] restarted');
  });

  it('sync+exec runs the hook once per container, with its environment and working_dir', async () => {
    const web = await containerId('web');
    writeFileSync(join(dir, 'hook', 'h.txt'), 'h2\n');
    appendFileSync(join(dir, 'hook', 'h2.txt'), 'second file, same batch\n');
    await within(3000, async () => (await run(web, ['cat', '/tmp/hook.log'])).includes('hook ran'));
    await new Promise((r) => setTimeout(r, 700));
    expect(await run(web, ['cat', '/tmp/hook.log'])).toBe('hook ran in /hook\n');
    expect(await run(web, ['cat', '/hook/h2.txt'])).toBe('second file, same batch\n');
  });

  it('rebuild: only that service is recreated, its restart: true dependent restarts', async () => {
    const [web, app, dep] = [await containerId('web'), await containerId('app'), await containerId('dep')];
    const depStarted = await startedAt(dep);
    writeFileSync(join(dir, 'app', 'v.txt'), 'v2\n');
    await within(60_000, async () => {
      const ids = await containerIds('app');
      return ids.length === 1 && ids[0] !== app && (await engine.inspectContainer(ids[0]!)).State?.Running === true;
    });
    const fresh = await containerId('app');
    expect(await run(fresh, ['cat', '/v.txt'])).toBe('v2\n');
    expect(await containerId('web')).toBe(web);
    expect(await containerId('dep')).toBe(dep);
    await within(10_000, async () => (await startedAt(dep)) !== depStarted);
    expect(stdout).toContain('⦿ Rebuilding service(s) ["app"] after changes were detected...');
  }, 90_000);

  it('Ctrl+C ends watch with 130, the containers left running', async () => {
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(code).toBe(130);
    expect(stdout).toContain('⦿ Watch disabled');
    expect((await leftovers(project)).containers).toBe(3);
    expect(stderr).not.toMatch(/error/i);
  });
});

describe('capstan watch --no-up', () => {
  const other = setup('watch-noup', {
    'compose.yaml': `services:\n  web:\n    image: busybox\n    command: ${idle()}\n    develop:\n      watch:\n        - path: ./src\n          action: sync\n          target: /app\n`,
    'src/a.txt': 'a\n',
  });

  it('starts nothing, and still watches; --progress json also writes each watch line as a record', async () => {
    const c = spawnCapstan(['--progress', 'json', '-p', other.project, 'watch', '--no-up'], { cwd: other.dir });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise((resolve) => c.on('close', (code) => resolve(code)));
    await within(20_000, async () => out.includes('⦿ Watch enabled'));
    writeFileSync(join(other.dir, 'src', 'a.txt'), 'b\n');
    await within(3000, async () => out.includes('Syncing service "web"'));
    c.kill('SIGINT');
    expect(await done).toBe(130);
    const records = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { resource?: string; message?: string });
    const watch = records.filter((r) => r.resource === 'watch').map((r) => r.message);
    expect(watch[0]).toBe('Watch enabled');
    expect(watch.some((m) => /^Syncing service "web" after \d+ changes were detected$/.test(m ?? ''))).toBe(true);
    expect(await leftovers(other.project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});

describe('capstan up --watch', () => {
  const third = setup('watch-up', {
    'compose.yaml': `services:\n  web:\n    image: busybox\n    command: ${idle('echo web is up')}\n    develop:\n      watch:\n        - path: ./src\n          action: sync\n          target: /app\n`,
    'src/a.txt': 'a\n',
  });

  it('follows the logs and watches; Ctrl+C stops the services, exit 130', async () => {
    const c = spawnCapstan(['-p', third.project, 'up', '--watch'], { cwd: third.dir });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise((resolve) => c.on('close', (code) => resolve(code)));
    await within(30_000, async () => out.includes('⦿ Watch enabled') && out.includes('web is up'));
    expect(out).toMatch(/^web-1 +\| web is up$/m);
    writeFileSync(join(third.dir, 'src', 'a.txt'), 'changed\n');
    const list = await engine.listContainers({ filters: { label: [`com.docker.compose.project=${third.project}`] } });
    await within(3000, async () => (await run(list[0]!.Id!, ['cat', '/app/a.txt'])) === 'changed\n');
    c.kill('SIGINT');
    expect(await done).toBe(130);
    const after = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${third.project}`] } });
    expect(after.map((x) => x.State)).toEqual(['exited']);
  });

  it('refuses -d and --no-build with --watch, as compose', async () => {
    const d = await capstan(['-p', third.project, 'up', '-d', '--watch'], { cwd: third.dir });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('--detach cannot be combined with');
    const nb = await capstan(['-p', third.project, 'up', '--no-build', '--watch'], { cwd: third.dir });
    expect(nb.stderr).toContain('--no-build and --watch are incompatible');
  });
});
