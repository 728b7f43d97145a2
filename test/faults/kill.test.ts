import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCapstan } from '../e2e/helpers.js';
import { libnetworkDeadlock, longBlocked } from './goroutines.js';
import { faultProject, faultSeed, idleService, PrivateEngine, run as runOn, seeded, sleep, snapshot, generationCompose } from './support.js';

/**
 * kill -9 of Capstan (issue 13): at seeded random moments of `up -d` of 20 services, and in the
 * middle of a recreate. Each time the next `up -d` converges: one container per service, under
 * its own name (no recreate's `<hex>_<name>` copy left), one network, the volume's data intact.
 */

// A private dockerd (support.ts): what a killed run leaves in the engine stays out of the shared one.
const engine = new PrivateEngine();
beforeAll(async () => {
  await engine.start();
  engine.loadImage('busybox:latest');
});
afterAll(() => engine.destroy());
const run = (args: string[], dir: string, timeoutMs?: number) => runOn(args, dir, engine.env, timeoutMs);

const SERVICES = 20;
const TRIALS = 10;

const compose = (generation: number): string => generationCompose(SERVICES, generation);

/** Start `up -d` and SIGKILL it after `delayMs`; resolves once it is gone. */
async function killedUp(project: string, dir: string, delayMs: number, args: string[] = []): Promise<string> {
  const child = spawnCapstan(['-p', project, 'up', '-d', ...args], { cwd: dir, env: engine.env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await sleep(delayMs);
  child.kill('SIGKILL');
  await closed;
  return stderr;
}

/**
 * `up -d`, which must converge. When it has not finished after 2 minutes, the engine's goroutines
 * tell why: a dockerd caught in libnetwork's lock-order deadlock (goroutines.ts `libnetworkDeadlock`,
 * a dockerd 20.10.24 defect that a recreate of 20 services triggered once in CI: every start
 * waited forever) is restarted, as its operator would have to, and `up -d` runs again; any other
 * hang fails the test with the goroutines that were blocked.
 */
async function convergingUp(project: string, dir: string, what: string): Promise<void> {
  let up = await run(['-p', project, 'up', '-d'], dir, 120_000);
  if (up.code === null) {
    const stacks = await engine.goroutineStacks();
    const deadlock = libnetworkDeadlock(stacks);
    expect(deadlock, `${what}: up -d hung for 2 minutes, not in libnetwork's known deadlock; goroutines blocked a minute or more:\n${longBlocked(stacks)}\n${up.stderr}`).toBeDefined();
    console.log(`${what}: dockerd is in libnetwork's lock-order deadlock (moby/moby#46661, fixed in 20.10.27): ${deadlock}; restarting it`);
    await engine.restart();
    up = await run(['-p', project, 'up', '-d'], dir);
  }
  expect(up.code, `${what}: ${up.stderr}`).toBe(0);
}

/** The project converged: `names` running, nothing else, one network, the marker in the volume. */
async function expectConverged(project: string, dir: string, names: string[], marker: string): Promise<void> {
  const after = await snapshot(engine.client, project);
  expect(after.names).toEqual([...names].sort());
  expect(after.states.every((s) => s === 'running'), after.states.join(' ')).toBe(true);
  expect(after.networks).toEqual([`${project}_default`]);
  expect(after.volumes).toEqual([`${project}_data`]);
  const read = await run(['-p', project, 'exec', '-T', 'store', 'cat', '/data/marker'], dir);
  expect(read.stdout.trim(), read.stderr).toBe(marker);
}

describe('kill -9 of capstan', () => {
  it(`at random moments of up -d of ${SERVICES} services (${TRIALS} trials): the next up converges`, async () => {
    const seed = faultSeed();
    console.log(`kill -9 trials: seed ${seed} (replay with CAPSTAN_FAULT_SEED=${seed})`);
    const random = seeded(seed);
    const { project, dir } = faultProject('kill', { 'compose.yaml': compose(0) }, engine.client);
    const names = [...Array.from({ length: SERVICES - 1 }, (_, i) => `${project}-s${i + 1}-1`), `${project}-store-1`];

    // trial 0 kills the very first up (creation); the others a recreate of all 20 (config changed)
    const marker = `marker-${seed}`;
    for (let trial = 0; trial < TRIALS; trial++) {
      writeFileSync(`${dir}/compose.yaml`, compose(trial));
      const delay = Math.floor(random() * 2500);
      await killedUp(project, dir, delay);
      await convergingUp(project, dir, `trial ${trial} (kill after ${delay} ms, seed ${seed})`);
      if (trial === 0) {
        const write = await run(['-p', project, 'exec', '-T', 'store', 'sh', '-c', `echo ${marker} > /data/marker`], dir);
        expect(write.code, write.stderr).toBe(0);
      }
      await expectConverged(project, dir, names, marker);
    }
    // and down still removes everything
    let down = await run(['-p', project, 'down'], dir);
    if (down.code !== 0 && /has active endpoints/.test(down.stderr)) {
      // dockerd 20.10 now and then keeps an endpoint of a container whose start was cut off by the
      // kill (no container holds it; only an engine restart frees it): Capstan's down says so in
      // one line; after the restart an operator would do, down must finish the job
      console.log(`kill -9 trials: the engine leaked a network endpoint (seed ${seed}); restarting it`);
      await engine.restart();
      down = await run(['-p', project, 'down'], dir);
    }
    expect(down.code, down.stderr).toBe(0);
    expect(await snapshot(engine.client, project)).toEqual({ names: [], states: [], networks: [], volumes: [`${project}_data`] });
  }, 600_000); // 10 trials take about 160 s; an engine restart after a deadlock adds about 150 s

  it('in the middle of a recreate (temporary copy created, old container stopping): the next up converges', async () => {
    // `slow` ignores SIGTERM: stopping the old container takes its whole grace period, during
    // which the new one exists under `<hex>_<name>`
    const slow = (generation: number): string =>
      [
        'services:',
        `  slow:\n    image: busybox\n    command: ["sleep", "1000"]\n    stop_grace_period: 4s\n    environment: { GENERATION: "${generation}" }`,
        idleService('store', '    volumes: [data:/data]\n'),
        'volumes:',
        '  data: {}',
        '',
      ].join('\n');
    const { project, dir } = faultProject('killrecreate', { 'compose.yaml': slow(1) }, engine.client);
    const names = [`${project}-slow-1`, `${project}-store-1`];
    const first = await run(['-p', project, 'up', '-d'], dir);
    expect(first.code, first.stderr).toBe(0);
    const marker = `marker-${Date.now()}`;
    await run(['-p', project, 'exec', '-T', 'store', 'sh', '-c', `echo ${marker} > /data/marker`], dir);

    writeFileSync(`${dir}/compose.yaml`, slow(2));
    const child = spawnCapstan(['-p', project, 'up', '-d'], { cwd: dir, env: engine.env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (!/slow-1 +Stopping/.test(stderr) && Date.now() < deadline) await sleep(20);
    child.kill('SIGKILL');
    await closed;
    const left = await snapshot(engine.client, project);
    expect(left.names.filter((n) => /^[0-9a-f]{12}_/.test(n))).toHaveLength(1); // the fault happened

    const plan = await run(['-p', project, 'up', '-d', '--dry-run'], dir);
    expect(plan.stdout).toMatch(/remove +leftover of an interrupted recreate/);
    await convergingUp(project, dir, 'after the interrupted recreate');
    await expectConverged(project, dir, names, marker);
    const info = await engine.client.inspectContainer(`${project}-slow-1`);
    expect(info.Config?.Env).toContain('GENERATION=2');
  });
});
