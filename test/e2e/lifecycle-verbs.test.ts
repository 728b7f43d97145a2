import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, idle, setup } from './helpers.js';

/**
 * The lifecycle verbs against the real engine (issue 10's acceptance): `stop -t`, `start`,
 * `restart` with `depends_on … restart: true`, `kill -s`, `pause`/`unpause`, `rm -f -v`, and the
 * same verbs with `-p NAME` and no compose file.
 */
const file = `
services:
  db:
    image: busybox
    command: ${idle()}
  api:
    image: busybox
    command: ${idle()}
    depends_on:
      db: { condition: service_started, restart: true }
  stubborn:
    image: busybox
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]
  trapper:
    image: busybox
    command: ["sh", "-c", "trap 'echo got USR1' USR1; echo ready; while true; do sleep 0.2; done"]
  vols:
    image: busybox
    command: ${idle()}
    volumes:
      - /anon
      - named:/named
volumes:
  named: {}
`;

describe('lifecycle verbs', () => {
  const { project, dir } = setup('lcv', { 'compose.yaml': file });
  const run = (...args: string[]): ReturnType<typeof capstan> => capstan(['-p', project, ...args], { cwd: dir });
  const inspect = (service: string): ReturnType<typeof engine.inspectContainer> => engine.inspectContainer(`${project}-${service}-1`);

  beforeAll(async () => {
    const up = await run('up', '-d');
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
  }, 120_000);

  it('stop -t 1 of a container ignoring SIGTERM takes about 1 s; start starts it again', async () => {
    const started = performance.now();
    const stop = await run('stop', '-t', '1', 'stubborn');
    const seconds = (performance.now() - started) / 1000;
    expect(stop.code, stop.stderr).toBe(0);
    expect(seconds).toBeGreaterThan(0.9);
    expect(seconds).toBeLessThan(5);
    expect((await inspect('stubborn')).State.Running).toBe(false);
    const start = await run('start', 'stubborn');
    expect(start.code, start.stderr).toBe(0);
    expect((await inspect('stubborn')).State.Running).toBe(true);
  }, 60_000);

  it('restart of db also restarts api (restart: true); --no-deps only db', async () => {
    const before = (await inspect('api')).State.StartedAt;
    const restart = await run('restart', 'db');
    expect(restart.code, restart.stderr).toBe(0);
    const after = (await inspect('api')).State.StartedAt;
    expect(after).not.toBe(before);
    const noDeps = await run('restart', '--no-deps', '-t', '1', 'db');
    expect(noDeps.code, noDeps.stderr).toBe(0);
    expect((await inspect('api')).State.StartedAt).toBe(after);
  }, 60_000);

  it('kill -s SIGUSR1 is seen by a trap in the container', async () => {
    const kill = await run('kill', '-s', 'SIGUSR1', 'trapper');
    expect(kill.code, kill.stderr).toBe(0);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('got USR1'); i++) {
      logs = (await run('logs', 'trapper')).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs).toContain('got USR1');
    expect((await inspect('trapper')).State.Running).toBe(true);
  }, 60_000);

  it('pause leaves the container paused and unpause resumes it', async () => {
    expect((await run('pause', 'db')).code).toBe(0);
    expect((await inspect('db')).State.Status).toBe('paused');
    expect((await run('unpause', 'db')).code).toBe(0);
    expect((await inspect('db')).State.Status).toBe('running');
  }, 60_000);

  it('--dry-run prints the plan and changes nothing; an unknown service exits 1', async () => {
    const dry = await run('stop', '--dry-run', 'db');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`container\\s+${project}-db-1\\s+stop`));
    expect((await inspect('db')).State.Running).toBe(true);
    const bad = await run('restart', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no such service: nope');
  }, 60_000);

  it('stop, start and restart (following restart: true) work with -p NAME from an empty directory', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'capstan-e2e-empty-'));
    afterFile(() => import('node:fs/promises').then((fs) => fs.rm(empty, { recursive: true, force: true })));
    const stop = await capstan(['-p', project, 'stop', '-t', '0', 'api'], { cwd: empty });
    expect(stop.code, stop.stderr).toBe(0);
    expect((await inspect('api')).State.Running).toBe(false);
    const start = await capstan(['-p', project, 'start', 'api'], { cwd: empty });
    expect(start.code, start.stderr).toBe(0);
    expect((await inspect('api')).State.Running).toBe(true);
    const before = (await inspect('api')).State.StartedAt;
    const restart = await capstan(['-p', project, 'restart', 'db'], { cwd: empty });
    expect(restart.code, restart.stderr).toBe(0);
    expect((await inspect('api')).State.StartedAt).not.toBe(before);
  }, 60_000);

  it('rm without -f off a terminal removes nothing and says why', async () => {
    const stop = await run('stop', '-t', '0', 'vols');
    expect(stop.code, stop.stderr).toBe(0);
    const rm = await run('rm', 'vols');
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain(`error: Going to remove ${project}-vols-1: not confirmed (no terminal to ask on)`);
    expect(rm.stderr).toContain('rm -f');
    expect((await inspect('vols')).State.Running).toBe(false); // still there
  }, 60_000);

  it('rm -f -s -v removes the anonymous volume but not the named one', async () => {
    const mounts = (await inspect('vols')).Mounts;
    const anon = mounts.find((m) => m.Destination === '/anon')!.Name!;
    const named = mounts.find((m) => m.Destination === '/named')!.Name!;
    const rm = await run('rm', '-f', '-s', '-v', 'vols');
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toContain(`Going to remove ${project}-vols-1`);
    const volumes = (await engine.listVolumes()).map((v) => v.Name);
    expect(volumes).not.toContain(anon);
    expect(volumes).toContain(named);
    await expect(inspect('vols')).rejects.toThrow();
  }, 60_000);
});
