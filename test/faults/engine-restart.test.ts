import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectDir, spawnCapstan, uniqueProject } from '../e2e/helpers.js';
import { errorLines, PrivateEngine, run, snapshot, sleep, generationCompose } from './support.js';
import { rmSync, writeFileSync } from 'node:fs';

/**
 * The engine restarts in the middle of `up -d` of 15 services (issue 13). The test runs its own
 * dockerd (support.ts PrivateEngine): the machine's engine is shared and never restarted.
 */

const SERVICES = 15;
const engine = new PrivateEngine();
const project = uniqueProject('restart');
/** 14 idle services and `store`, which keeps a marker in the named volume `data`. */
const compose = (generation: string): string => generationCompose(SERVICES, generation);
let dir = '';

beforeAll(async () => {
  await engine.start();
  engine.loadImage('busybox:latest');
  dir = projectDir({ 'compose.yaml': compose('1') });
});

afterAll(async () => {
  await engine.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('engine restart during up -d', () => {
  it('the interrupted up fails with one line; the next up converges to 15 containers, data intact', async () => {
    const env = engine.env;
    const first = await run(['-p', project, 'up', '-d'], dir, env);
    expect(first.code, first.stderr).toBe(0);
    const marker = `marker-${Date.now()}`;
    const write = await run(['-p', project, 'exec', '-T', 'store', 'sh', '-c', `echo ${marker} > /data/marker`], dir, env);
    expect(write.code, write.stderr).toBe(0);

    // a config change recreates all 15; the engine dies once a few containers were replaced
    writeFileSync(`${dir}/compose.yaml`, compose('2'));
    const child = spawnCapstan(['-p', project, 'up', '-d'], { cwd: dir, env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while ((stderr.match(/ (Created|Removed|Started)/g) ?? []).length < 6 && Date.now() < deadline) await sleep(20);
    await engine.kill();
    const code = await exited;
    expect(code).not.toBe(0);
    const errors = errorLines(stderr);
    expect(errors, stderr).toHaveLength(1);
    expect(errors[0]).toMatch(/Docker engine|engine/i);
    expect(stderr).not.toMatch(/^\s+at /m); // no stack trace

    await engine.start();
    const again = await run(['-p', project, 'up', '-d'], dir, env);
    expect(again.code, again.stderr).toBe(0);
    const after = await snapshot(engine.client, project);
    const expected = [...Array.from({ length: SERVICES - 1 }, (_, i) => `${project}-s${i + 1}-1`), `${project}-store-1`].sort();
    expect(after.names).toEqual(expected);
    expect(after.states.every((s) => s === 'running')).toBe(true);
    expect(after.names.filter((n) => /^[0-9a-f]{12}_/.test(n))).toEqual([]);
    expect(after.networks).toEqual([`${project}_default`]);
    expect(after.volumes).toEqual([`${project}_data`]);
    const read = await run(['-p', project, 'exec', '-T', 'store', 'cat', '/data/marker'], dir, env);
    expect(read.stdout.trim()).toBe(marker);
    // and it is the new generation everywhere
    const inspect = await engine.client.inspectContainer(`${project}-s1-1`);
    expect(inspect.Config?.Env).toContain('GENERATION=2');
  });
});
