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

/** Runs the CLI under `script`, so that it sees a terminal. */
function onTerminal(args: string, cwd: string): Promise<{ code: number | null; stdout: string }> {
  const bin = join(ROOT, 'bin', 'capstan');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `${process.execPath} ${bin} ${args}`, '/dev/null'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', COMPOSE_PROGRESS: 'quiet' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe('run', () => {
  const { project, dir } = setup('run', { 'compose.yaml': file });
  const run = (args: string[], input?: string) => capstan(['-p', project, 'run', ...args], { cwd: dir, ...(input !== undefined ? { input } : {}) });

  it('`run --rm web false` exits 1 and leaves no container', async () => {
    const r = await run(['--rm', 'web', 'false']);
    expect(r.code, r.stderr).toBe(1);
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
