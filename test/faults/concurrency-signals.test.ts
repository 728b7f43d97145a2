import { describe, expect, it } from 'vitest';
import { engine, spawnCapstan } from '../e2e/helpers.js';
import { faultProject, idleService, run, sleep, snapshot } from './support.js';

/**
 * Concurrent runs and signals (issue 13), against the machine's engine: two `up -d` of one
 * project at once, duplicate networks left by runs of older versions, Ctrl+C in attached `up`.
 */

const five = ['services:', ...['a', 'b', 'c', 'd', 'e'].map((s) => idleService(s)), ''].join('\n');

describe('concurrent runs', () => {
  it('two up -d of the same project at once: both succeed, one container per service, one network', async () => {
    const { project, dir } = faultProject('concurrent', { 'compose.yaml': five });
    for (let round = 0; round < 2; round++) {
      const [one, two] = await Promise.all([run(['-p', project, 'up', '-d'], dir), run(['-p', project, 'up', '-d'], dir)]);
      expect(one.code, one.stderr).toBe(0);
      expect(two.code, two.stderr).toBe(0);
      // the second waited for the first, and said so (the lock, project-lock.ts) — in the first round
      if (round === 0) expect(`${one.stderr}${two.stderr}`).toMatch(/another capstan \(pid \d+\) is changing project .*; waiting for it to finish/);
      const state = await snapshot(engine, project);
      expect(state.names).toEqual(['a', 'b', 'c', 'd', 'e'].map((s) => `${project}-${s}-1`));
      expect(state.networks).toEqual([`${project}_default`]);
      const down = await run(['-p', project, 'down', '-t', '0'], dir);
      expect(down.code, down.stderr).toBe(0);
    }
  });

  it('a duplicate project network (left by two runs at once) is repaired by up and by down', async () => {
    const { project, dir } = faultProject('dupnet', { 'compose.yaml': five });
    const up = await run(['-p', project, 'up', '-d'], dir);
    expect(up.code, up.stderr).toBe(0);
    const name = `${project}_default`;
    const [original] = await engine.listNetworks({ name: [name] });
    // what a second, concurrent run created: the same name and labels (the engine allows it)
    const copy = () => engine.createNetwork({ Name: name, CheckDuplicate: false, Labels: original!.Labels });
    const copyId = await copy();
    expect((await snapshot(engine, project)).networks).toEqual([name, name]);

    const again = await run(['-p', project, 'up', '-d', '--force-recreate', 'a'], dir);
    expect(again.code, again.stderr).toBe(0);
    const after = await engine.listNetworks({ label: [`com.docker.compose.project=${project}`] });
    expect(after.map((n) => n.Id)).toEqual([original!.Id]);
    expect(after.map((n) => n.Id)).not.toContain(copyId);

    await copy();
    const down = await run(['-p', project, 'down', '-t', '0'], dir);
    expect(down.code, down.stderr).toBe(0);
    expect(await snapshot(engine, project)).toEqual({ names: [], states: [], networks: [], volumes: [] });
  });
});

describe('signals in attached up', () => {
  /** Attached `up`, once both services printed `ready`; resolves the child and its output so far. */
  async function attached(project: string, dir: string) {
    const child = spawnCapstan(['-p', project, 'up'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while ((stdout.match(/ready/g) ?? []).length < 2 && Date.now() < deadline) await sleep(50);
    return { child, closed, out: () => ({ stdout, stderr }) };
  }

  it('one Ctrl+C stops gracefully and exits 130', async () => {
    const { project, dir } = faultProject('sigint', {
      'compose.yaml': [
        'services:',
        ...['one', 'two'].map((s) => `  ${s}:\n    image: busybox\n    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.2; done"]`),
        '',
      ].join('\n'),
    });
    const { child, closed, out } = await attached(project, dir);
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(out().stderr).toContain('Gracefully Stopping... press Ctrl+C again to force');
    const state = await snapshot(engine, project);
    expect(state.states).toEqual(['exited', 'exited']);
    // stopped with SIGTERM (their trap exits 0), not killed (137)
    for (const name of state.names) expect((await engine.inspectContainer(name)).State?.ExitCode).toBe(0);
  });

  it('a second Ctrl+C kills: exits at once though the containers ignore SIGTERM', async () => {
    const { project, dir } = faultProject('sigint2', {
      'compose.yaml': [
        'services:',
        ...['one', 'two'].map((s) => `  ${s}:\n    image: busybox\n    command: ["sh", "-c", "echo ready; exec sleep 1000"]\n    stop_grace_period: 60s`),
        '',
      ].join('\n'),
    });
    const { child, closed, out } = await attached(project, dir);
    child.kill('SIGINT');
    await sleep(1000); // graceful stop under way: it would take 60 s
    const t = Date.now();
    child.kill('SIGINT');
    const code = await closed;
    expect(Date.now() - t, out().stderr).toBeLessThan(10_000);
    expect(code).toBe(130);
    const state = await snapshot(engine, project);
    expect(state.states.every((s) => s === 'exited')).toBe(true);
  });
});
