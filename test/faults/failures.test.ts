import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { engine } from '../e2e/helpers.js';
import { errorLines, faultProject, idleService, run, sleep, snapshot } from './support.js';

/**
 * Containers and inputs that fail (issue 13), against the machine's engine: a crash loop under
 * `up --wait`, a published port taken mid-`up`, an image reference the engine rejects.
 */

/** A TCP port free right now on the host. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe('crash loop', () => {
  it('up -d --wait fails naming the container and its exit code, long before the timeout; ps -a shows the exit code', async () => {
    const { project, dir } = faultProject('crashloop', {
      'compose.yaml': [
        'services:',
        '  crash:\n    image: busybox\n    restart: on-failure:3\n    command: ["sh", "-c", "sleep 0.3; exit 3"]',
        idleService('fine'),
        '',
      ].join('\n'),
    });
    const started = Date.now();
    const up = await run(['-p', project, 'up', '-d', '--wait', '--wait-timeout', '120'], dir);
    const took = Date.now() - started;
    expect(up.code).not.toBe(0);
    expect(took).toBeLessThan(30_000);
    const errors = errorLines(up.stderr);
    expect(errors, up.stderr).toEqual([`error: container ${project}-crash-1 exited (3) and is restarting (restart count 1)`]);
    // on-failure:3 gives up after three restarts: then ps -a shows the exit status
    const deadline = Date.now() + 30_000;
    let ps = '';
    while (Date.now() < deadline) {
      ps = (await run(['-p', project, 'ps', '-a'], dir)).stdout;
      if (/crash-1 .*Exited \(3\)/.test(ps)) break;
      await sleep(500);
    }
    expect(ps).toMatch(new RegExp(`${project}-crash-1 .*Exited \\(3\\)`));
    expect(ps).toMatch(new RegExp(`${project}-fine-1 .*Up`));
  });
});

describe('port collision mid-up', () => {
  it('names the port and the project holding it; what could start did; after freeing it the next up converges', async () => {
    const port = await freePort();
    const holder = faultProject('portholder', { 'compose.yaml': `services:\n${idleService('web', `    ports: ["${port}:80"]\n`)}` });
    const held = await run(['-p', holder.project, 'up', '-d'], holder.dir);
    expect(held.code, held.stderr).toBe(0);

    const { project, dir } = faultProject('portwant', {
      'compose.yaml': [
        'services:',
        idleService('web', `    ports: ["${port}:80"]\n`),
        ...['one', 'two', 'three'].map((s) => idleService(s)),
        '',
      ].join('\n'),
    });
    const up = await run(['-p', project, 'up', '-d'], dir);
    expect(up.code).not.toBe(0);
    const errors = errorLines(up.stderr);
    expect(errors, up.stderr).toEqual([`error: container ${project}-web-1 could not start: port ${port} is already allocated`]);
    expect(up.stderr).toContain(`held by project "${holder.project}"`);
    const partial = await snapshot(engine, project);
    const running = partial.names.filter((_, i) => partial.states[i] === 'running');
    expect(running).toEqual(['one', 'three', 'two'].map((s) => `${project}-${s}-1`));

    const freed = await run(['-p', holder.project, 'down', '-t', '0'], holder.dir);
    expect(freed.code, freed.stderr).toBe(0);
    const again = await run(['-p', project, 'up', '-d'], dir);
    expect(again.code, again.stderr).toBe(0);
    const after = await snapshot(engine, project);
    expect(after.names).toEqual(['one', 'three', 'two', 'web'].map((s) => `${project}-${s}-1`));
    expect(after.states.every((s) => s === 'running')).toBe(true);
    expect(after.networks).toEqual([`${project}_default`]);
  });
});

describe('an image reference the engine rejects', () => {
  it('names the service and the image, and changes nothing', async () => {
    const { project, dir } = faultProject('badimage', {
      'compose.yaml': 'services:\n  web:\n    image: BusyBox:Latest\n  ok:\n    image: busybox\n',
    });
    const up = await run(['-p', project, 'up', '-d'], dir);
    expect(up.code).not.toBe(0);
    // refused when the file is loaded (src/loader/engine-limits.ts), so with its position
    expect(errorLines(up.stderr)).toEqual(['error: compose.yaml:3:12: services.web.image: service "web": invalid image reference "BusyBox:Latest": repository name must be lowercase']);
    expect(await snapshot(engine, project)).toEqual({ names: [], states: [], networks: [], volumes: [] });
  });
});
