import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, idle, leftovers, setup, spawnCapstan } from './helpers.js';

/**
 * `wait`, `scale`, `events` and `logs --tail/--since/--until/--index/-f` against the real engine
 * (issue 10's acceptance), also with `-p NAME` from an empty directory.
 */

/** A service that prints three lines, then idles. */
const printer = `["sh", "-c", "trap 'exit 0' TERM; echo line-1; echo line-2; echo line-3; while true; do sleep 0.2; done"]`;
/** A service that idles until SIGUSR1, then exits with `code`. */
const sleeper = (code: number): string => `["sh", "-c", "trap 'exit ${code}' USR1; while true; do sleep 0.2; done"]`;

/** A child CLI process whose output is collected; `waitFor` resolves once stdout matches. */
function background(args: string[], cwd: string) {
  const child = spawnCapstan(args, { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void closed.then(() => clearTimeout(timer));
  return {
    child,
    closed,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitFor(pattern: RegExp, ms = 20_000): Promise<void> {
      const end = Date.now() + ms;
      while (!pattern.test(stdout)) {
        if (Date.now() > end) throw new Error(`no ${pattern} in time; stdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Polls `fn` until `check` holds on its result (at most ~10 s); resolves the last result. */
async function poll<T>(fn: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  let v = await fn();
  for (let i = 0; i < 50 && !check(v); i++) {
    await new Promise((r) => setTimeout(r, 200));
    v = await fn();
  }
  return v;
}

/** An empty directory, removed after the file's tests (for `-p NAME` without a compose file). */
function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-e2e-empty-'));
  afterFile(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('logs, events, wait', () => {
  const file = `
services:
  web:
    image: busybox
    scale: 2
    command: ${printer}
  clock:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; echo early; sleep 1; echo late; while true; do sleep 0.2; done"]
  sleeper:
    image: busybox
    command: ${sleeper(7)}
  sleeper2:
    image: busybox
    command: ${sleeper(9)}
`;
  const { project, dir } = setup('wse', { 'compose.yaml': file });
  const run = (...args: string[]): ReturnType<typeof capstan> => capstan(['-p', project, ...args], { cwd: dir });
  const empty = emptyDir();
  let upAt = 0;

  beforeAll(async () => {
    upAt = Math.floor(Date.now() / 1000) - 1;
    const up = await run('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    // every container has printed all it prints at first
    await poll(() => run('logs', 'web', 'clock'), (r) => (r.stdout.match(/line-3/g) ?? []).length === 2 && r.stdout.includes('late'));
  }, 120_000);

  it('logs --tail 2 prints exactly two lines per container', async () => {
    const logs = await run('logs', '--tail', '2', 'web');
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trim().split('\n');
    expect(lines.filter((l) => /^web-1 +\| /.test(l)).map((l) => l.split('| ')[1])).toEqual(['line-2', 'line-3']);
    expect(lines.filter((l) => /^web-2 +\| /.test(l)).map((l) => l.split('| ')[1])).toEqual(['line-2', 'line-3']);
    expect(lines).toHaveLength(4);
  });

  it('logs --since / --until bound the lines', async () => {
    const stamped = await run('logs', '-t', '--no-log-prefix', 'clock');
    const [early, late] = ['early', 'late'].map((word) => {
      const line = stamped.stdout.split('\n').find((l) => l.endsWith(` ${word}`));
      expect(line, stamped.stdout).toBeDefined();
      return Date.parse(line!.split(' ')[0]!);
    });
    const middle = new Date((early! + late!) / 2).toISOString();
    const since = await run('logs', '--no-log-prefix', '--since', middle, 'clock');
    expect(since.stdout.trim().split('\n')).toEqual(['late']);
    const until = await run('logs', '--no-log-prefix', '--until', middle, 'clock');
    expect(until.stdout.trim().split('\n')).toEqual(['early']);
    const relative = await run('logs', '--no-log-prefix', '--since', '10m', 'clock');
    expect(relative.stdout.trim().split('\n')).toEqual(['early', 'late']);
  });

  it('logs --index 2 shows the second replica only', async () => {
    const logs = await run('logs', '--index', '2', 'web');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.trim().split('\n')).toEqual(['web-2 | line-1', 'web-2 | line-2', 'web-2 | line-3']);
    const bad = await run('logs', '--index', '2');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--index requires one service to be selected');
  });

  it('events --json emits a start event during restart', async () => {
    const since = String(Date.now() / 1000);
    const events = background(['-p', project, 'events', '--json', '--since', since, 'web'], dir);
    try {
      const restart = await run('restart', '-t', '1', 'web');
      expect(restart.code, restart.stderr).toBe(0);
      await events.waitFor(/"action":"start"/);
    } finally {
      events.child.kill('SIGINT');
      await events.closed;
    }
    const parsed = events.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = parsed.find((e) => e.action === 'start')!;
    expect(Object.keys(start).sort()).toEqual(['action', 'attributes', 'id', 'service', 'time', 'type']);
    expect(start).toMatchObject({ type: 'container', service: 'web', attributes: { image: 'busybox' } });
    expect(parsed.every((e) => e.service === 'web')).toBe(true);
  });

  it('events, logs with -p NAME from an empty directory', async () => {
    const events = await capstan(['-p', project, 'events', '--since', String(upAt), '--until', String(Math.ceil(Date.now() / 1000)), 'clock'], { cwd: empty });
    expect(events.code, events.stderr).toBe(0);
    expect(events.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container start [0-9a-f]{64} \(.*name=[\w-]+-clock-1.*\)$/m);
    const logs = await capstan(['-p', project, 'logs', '--no-log-prefix', 'clock'], { cwd: empty });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.trim().split('\n')).toEqual(['early', 'late']);
    const unknown = await capstan(['-p', project, 'events', 'nope'], { cwd: empty });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no such service: nope');
  });

  it('wait returns the container\'s exit code', async () => {
    const wait = background(['-p', project, 'wait', 'sleeper'], dir);
    await new Promise((r) => setTimeout(r, 2000)); // the CLI is waiting by then
    await engine.killContainer(`${project}-sleeper-1`, 'SIGUSR1');
    expect(await wait.closed, wait.stderr()).toBe(7);
    expect(wait.stdout()).toMatch(/^container "[0-9a-f]{64}" exited with status code 7$/m);
  });

  it('wait with -p NAME from an empty directory', async () => {
    const wait = background(['-p', project, 'wait', 'sleeper2'], empty);
    await new Promise((r) => setTimeout(r, 2000)); // the CLI is waiting by then
    await engine.killContainer(`${project}-sleeper2-1`, 'SIGUSR1');
    expect(await wait.closed, wait.stderr()).toBe(9);
  });
});

describe('logs -f', () => {
  const { project, dir } = setup('wsf', { 'compose.yaml': `services:\n  web:\n    image: busybox\n    command: ${printer}\n` });

  it('logs -f picks up a container started by up --scale web=2 while it runs, and ends when the project is gone', async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const logs = background(['-p', project, 'logs', '-f'], dir);
    try {
      await logs.waitFor(/^web-1 +\| line-3$/m);
      const scale = await capstan(['-p', project, 'up', '-d', '--scale', 'web=2'], { cwd: dir });
      expect(scale.code, scale.stderr).toBe(0);
      await logs.waitFor(/^web-2 +\| line-3$/m);
      const down = await capstan(['-p', project, 'down', '-t', '1'], { cwd: dir });
      expect(down.code, down.stderr).toBe(0);
      expect(await logs.closed, logs.stderr()).toBe(0);
    } finally {
      logs.child.kill('SIGKILL');
    }
    expect(logs.stdout().match(/^web-2 +\| line-1$/gm)).toHaveLength(1);
  }, 60_000);
});

describe('logs -f across a restart', () => {
  const { project, dir } = setup('wsr', { 'compose.yaml': `services:\n  web:\n    image: busybox\n    command: ${printer}\n` });

  it('logs -f follows a restarted container: each run\'s lines once, none lost, and ends with down', async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const logs = background(['-p', project, 'logs', '-f', '--no-log-prefix'], dir);
    try {
      await logs.waitFor(/^line-3$/m);
      for (const round of [2, 3]) {
        const restart = await capstan(['-p', project, 'restart', '-t', '1'], { cwd: dir });
        expect(restart.code, restart.stderr).toBe(0);
        await logs.waitFor(new RegExp(`(^line-3$[\\s\\S]*){${round}}`, 'm'));
      }
      const down = await capstan(['-p', project, 'down', '-t', '1'], { cwd: dir });
      expect(down.code, down.stderr).toBe(0);
      expect(await logs.closed, logs.stderr()).toBe(0);
    } finally {
      logs.child.kill('SIGKILL');
    }
    const all = logs.stdout().trim().split('\n');
    const lines = all.filter((l) => !l.includes(' exited with code '));
    expect(lines).toEqual(['line-1', 'line-2', 'line-3', 'line-1', 'line-2', 'line-3', 'line-1', 'line-2', 'line-3']);
    // as compose's logs -f: a line as each run ends (` (restarting)` when the engine already restarts it)
    const exits = all.filter((l) => l.includes(' exited with code '));
    expect(exits.length).toBeGreaterThanOrEqual(2);
    for (const l of exits) expect(l).toMatch(/^web-1 exited with code \d+( \(restarting\))?$/);
    expect(logs.stderr()).toBe('');
  }, 60_000);
});

describe('scale', () => {
  const file = `
services:
  db:
    image: busybox
    command: ${idle()}
  web:
    image: busybox
    command: ${idle()}
    depends_on: [db]
`;
  const { project, dir } = setup('wss', { 'compose.yaml': file });
  const run = (...args: string[]): ReturnType<typeof capstan> => capstan(['-p', project, ...args], { cwd: dir });
  const webs = async (): Promise<number> => ((await run('ps', 'web')).stdout.match(new RegExp(`^${project}-web-\\d`, 'gm')) ?? []).length;

  beforeAll(async () => {
    const up = await run('up', '-d');
    expect(up.code, up.stderr).toBe(0);
  }, 120_000);

  it('scale --dry-run prints the plan and changes nothing', async () => {
    const dry = await run('scale', '--dry-run', 'web=3');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`${project}-web-3 +create +scale 1 → 3`));
    expect(await webs()).toBe(1);
  });

  it('scale web=2 then ps shows two', async () => {
    const scale = await run('scale', 'web=2');
    expect(scale.code, scale.stderr).toBe(0);
    expect(await webs()).toBe(2);
  });

  it('scale needs the compose file, as compose: -p NAME from an empty directory is refused and changes nothing', async () => {
    const empty = emptyDir();
    const scale = await capstan(['-p', project, 'scale', 'web=3'], { cwd: empty });
    expect(scale.code).toBe(1);
    expect(scale.stderr).toContain('no configuration file provided');
    expect(await webs()).toBe(2);
  });

  it('scale refuses an unknown service and bad SVC=N syntax', async () => {
    const unknown = await run('scale', 'nope=2');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no such service: nope');
    const syntax = await run('scale', 'web');
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toContain('invalid scale specifier: web');
  });
});

describe('wait --down-project', () => {
  const { project, dir } = setup('wsd', { 'compose.yaml': `services:\n  job:\n    image: busybox\n    command: ${sleeper(3)}\n  other:\n    image: busybox\n    command: ${idle()}\n` });

  it('wait --down-project tears the project down once the containers stopped, with the last one\'s exit code', async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const wait = background(['-p', project, 'wait', '--down-project', 'job', 'other'], dir);
    await new Promise((r) => setTimeout(r, 2000)); // the CLI is waiting by then
    // as compose's wait.go: every selected container is waited for, the last one's code wins
    await engine.killContainer(`${project}-other-1`, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await leftovers(project)).toMatchObject({ containers: 2 });
    await engine.killContainer(`${project}-job-1`, 'SIGUSR1');
    expect(await wait.closed, wait.stderr()).toBe(3);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  }, 60_000);
});
