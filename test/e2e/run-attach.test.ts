import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capstan, engine, idle, ROOT, setup, spawnCapstan } from './helpers.js';

/** `capstan run` and `capstan attach` against the real engine (issue 10's acceptance lines). */

const file = `
services:
  web:
    image: busybox
    command: ${idle()}
    environment:
      FOO: from-compose
    ports:
      - "127.0.0.1::80"
    restart: always
  db:
    image: busybox
    command: ${idle('sleep 1; touch /shared/ready')}
    volumes: [shared:/shared]
    healthcheck:
      test: ["CMD", "test", "-f", "/shared/ready"]
      interval: 500ms
  app:
    image: busybox
    volumes: [shared:/shared]
    depends_on:
      db: {condition: service_healthy}
  talk:
    image: busybox
    stdin_open: true
    command: ["sh", "-c", "read x; echo got $$x; exit 3"]
volumes:
  shared: {}
`;

/** The one-off containers of `project` (all states). */
async function oneOffs(project: string) {
  return engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.oneoff=True'] } });
}

/**
 * Starts the CLI under `script`, so that it sees a terminal: `typed` writes to that terminal,
 * `seen(text)` resolves once the output holds `text`, `done` with the exit status and output.
 */
function terminal(args: string, cwd: string) {
  const bin = join(ROOT, 'bin', 'capstan');
  const child = spawn('script', ['-qec', `${process.execPath} ${bin} ${args}`, '/dev/null'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', COMPOSE_PROGRESS: 'quiet' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiting) if (stdout.includes(w.text)) w.resolve();
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
  return {
    done,
    type: (text: string) => void child.stdin.write(text),
    seen: (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => (stdout.includes(text) ? resolve() : waiting.push({ text, resolve }))),
        done.then((r) => Promise.reject(new Error(`exited ${r.code} before printing ${text}: ${r.stdout}`))),
      ]),
  };
}

/** Runs the CLI under `script`, so that it sees a terminal. */
function onTerminal(args: string, cwd: string): Promise<{ code: number | null; stdout: string }> {
  return terminal(args, cwd).done;
}

describe('run', () => {
  const { project, dir } = setup('run', { 'compose.yaml': file });
  const run = (args: string[], input?: string) => capstan(['-p', project, 'run', ...args], { cwd: dir, ...(input !== undefined ? { input } : {}) });

  it('`run --rm web false` exits 1 and leaves no container', async () => {
    const r = await run(['--rm', 'web', 'false']);
    expect(r.code, r.stderr).toBe(1);
    expect(await oneOffs(project)).toEqual([]);
  });

  it('`run --rm` of a command that cannot start exits 1 and leaves no container', async () => {
    const r = await run(['--rm', '-T', '--no-deps', 'web', 'no-such-command']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-command');
    expect(await oneOffs(project)).toEqual([]);
  });

  it('`run -P` publishes the service ports, `run` alone does not', async () => {
    const published = await run(['-d', '-P', 'web']);
    expect(published.code, published.stderr).toBe(0);
    const plain = await run(['-d', 'web']);
    expect(plain.code, plain.stderr).toBe(0);
    const ports = async (id: string) => (await engine.inspectContainer(id)).NetworkSettings.Ports ?? {};
    const withP = await ports(published.stdout.trim());
    expect(withP['80/tcp']?.[0]).toMatchObject({ HostIp: '127.0.0.1' });
    expect(Number(withP['80/tcp']?.[0]?.HostPort)).toBeGreaterThan(0);
    expect(Object.keys(await ports(plain.stdout.trim()))).toEqual([]);
    // and the restart policy is cleared
    expect((await engine.inspectContainer(plain.stdout.trim())).HostConfig.RestartPolicy?.Name).toBe('no');
    for (const id of [published.stdout.trim(), plain.stdout.trim()]) await engine.removeContainer(id, { force: true });
  });

  it('`run` starts a service_healthy dependency and waits for it', async () => {
    // app sees the file db's healthcheck waits for: it ran after db became healthy
    const r = await run(['--rm', 'app', 'test', '-f', '/shared/ready']);
    expect(r.code, r.stderr).toBe(0);
    const db = await engine.inspectContainer(`${project}-db-1`);
    expect(db.State.Health?.Status).toBe('healthy');
    expect(r.stderr).toContain('Healthy');
  });

  it("passes the command's arguments through (`run web sh -c 'echo $FOO'`)", async () => {
    const r = await run(['--rm', 'web', 'sh', '-c', 'echo $FOO']);
    expect(r.stdout).toBe('from-compose\n');
    expect(r.code).toBe(0);
    const flags = await run(['--rm', 'web', 'echo', '-f', '/x', '--rm', '-d']);
    expect(flags.stdout).toBe('-f /x --rm -d\n');
  });

  it('-e overrides the environment', async () => {
    const r = await run(['--rm', '-e', 'FOO=from-flag', '-e', 'BAR=2', 'web', 'sh', '-c', 'echo $FOO $BAR']);
    expect(r.stdout).toBe('from-flag 2\n');
  });

  it('-d prints the container ID; the container is a one-off named <project>-web-run-<12 hex>', async () => {
    const r = await run(['-d', '--rm', 'web', 'sleep', '5']);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const info = await engine.inspectContainer(id);
    expect(info.Name).toMatch(new RegExp(`^/${project}-web-run-[0-9a-f]{12}$`));
    expect(info.Config.Labels).toMatchObject({ 'com.docker.compose.oneoff': 'True', 'com.docker.compose.service': 'web' });
    expect(info.Config.Labels?.['com.docker.compose.slug']?.slice(0, 12)).toBe(info.Name.slice(-12));
    await engine.removeContainer(id, { force: true });
  });

  it('gets a TTY on a terminal (`run web tty` under script)', async () => {
    const out = await onTerminal(`-p ${project} run --rm web tty`, dir);
    expect(out.stdout).toMatch(/\/dev\/pts\/\d+\r*\n/);
    expect(out.code).toBe(0);
  });

  it('ctrl-p ctrl-q on the terminal detaches at once: exit 0, the one-off runs on', async () => {
    const t = terminal(`-p ${project} run --no-deps web sh -c 'echo ready; sleep 60'`, dir);
    await t.seen('ready');
    const typed = Date.now();
    t.type('\x10\x11');
    const out = await t.done;
    expect(out.code).toBe(0);
    expect(Date.now() - typed).toBeLessThan(1500);
    const [running, ...others] = (await oneOffs(project)).filter((c) => c.State === 'running');
    expect(others).toEqual([]);
    expect(running?.Command).toContain('echo ready');
    await engine.removeContainer(running!.Id!, { force: true });
  });

  it('a container that closes its output but runs on is waited for: its exit status, not a detach', async () => {
    const r = await run(['--rm', '-T', 'web', 'sh', '-c', 'echo out; exec >&- 2>&-; sleep 3; exit 4']);
    expect(r.stdout).toBe('out\n');
    expect(r.code).toBe(4);
  });

  it('streams stdin with a half-close (`echo hi | run -T web cat`)', async () => {
    const r = await run(['-T', '--rm', 'web', 'cat'], 'hi\n');
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  it('forwards signals to the container and exits with its status', async () => {
    const child = spawnCapstan(['-p', project, 'run', '--rm', 'web', 'sh', '-c', 'trap "echo got-term; exit 5" TERM; echo started; while true; do sleep 0.1; done'], { cwd: dir });
    let stdout = '';
    const started = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('started')) resolve();
      }),
    );
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await started;
    child.kill('SIGTERM');
    expect(await closed).toBe(5);
    expect(stdout).toContain('got-term');
  });

  it('`attach` streams stdin in and output out, and exits with the container status', async () => {
    const up = await capstan(['-p', project, 'up', '-d', 'talk'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const child = spawnCapstan(['-p', project, 'attach', 'talk'], { cwd: dir });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // stdin stays open: its end would detach (the engine closes a non-StdinOnce attach)
    child.stdin.write('hello\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toBe('got hello\n');
    expect(code).toBe(3);
  });

  it('`attach --detach-keys ctrl-x,y` on a terminal detaches on that sequence; the container runs on', async () => {
    const id = (await run(['-d', '-t', '--no-deps', 'web', 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'])).stdout.trim();
    const name = (await engine.inspectContainer(id)).Name.slice(1);
    try {
      // no web-N container runs in this project: attach picks the running one-off
      const t = terminal(`-p ${project} attach --detach-keys ctrl-x,y web`, dir);
      await t.seen('tick');
      t.type('\x18y');
      const out = await t.done;
      expect(out.code).toBe(0);
      expect((await engine.inspectContainer(name)).State.Running).toBe(true);
    } finally {
      await engine.removeContainer(id, { force: true });
    }
  });
});

describe('run leaves its one-off for ps and down', () => {
  const { project, dir } = setup('run-down', { 'compose.yaml': file });

  it('`run web true` leaves an exited one-off that `ps -a` shows and `down` removes', async () => {
    const r = await capstan(['-p', project, 'run', '--no-deps', 'web', 'true'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [oneOff, ...others] = await oneOffs(project);
    expect(others).toEqual([]);
    expect(oneOff?.State).toBe('exited');
    const name = oneOff!.Names![0]!.slice(1);
    const ps = await capstan(['-p', project, 'ps', '-a', '--format', 'json'], { cwd: dir });
    expect(ps.stdout).toContain(name);
    const psRunning = await capstan(['-p', project, 'ps'], { cwd: dir });
    expect(psRunning.stdout).not.toContain(name);
    const down = await capstan(['-p', project, 'down'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(await oneOffs(project)).toEqual([]);
  });
});
