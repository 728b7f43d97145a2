import { describe, expect, it } from 'vitest';
import { runHook, runHooks } from './hooks.js';
import type { Engine, ExecOptions, LogChunk } from '../engine/types.js';

/** An engine whose execs print `output` and exit with `codes` in turn (reporting Running once). */
function fakeEngine(codes: number[], output = 'done\n') {
  const created: { container: string; options: ExecOptions }[] = [];
  let n = 0;
  const inspects = new Map<string, number>();
  const engine = {
    async createExec(container: string, options: ExecOptions) {
      created.push({ container, options });
      return `exec${n++}`;
    },
    async *startExec(): AsyncGenerator<LogChunk> {
      yield { stream: 'stdout', data: Buffer.from(output) };
    },
    async inspectExec(id: string) {
      const seen = (inspects.get(id) ?? 0) + 1;
      inspects.set(id, seen);
      const running = seen === 1; // first look: still running
      return { ID: id, Running: running, ExitCode: running ? null : codes[Number(id.slice(4))]!, ContainerID: 'c' };
    },
  } as unknown as Engine;
  return { engine, created };
}

describe('hooks', () => {
  it('runs an exec with the hook settings and resolves with its output on status 0', async () => {
    const { engine, created } = fakeEngine([0]);
    const out = await runHook(engine, 'shop-web-1', 'web', { command: ['touch', '/x'], user: '1000', environment: ['A=1'], working_dir: '/app', privileged: true });
    expect(out).toBe('done\n');
    expect(created).toEqual([
      { container: 'shop-web-1', options: { cmd: ['touch', '/x'], user: '1000', privileged: true, workingDir: '/app', env: ['A=1'], tty: false } },
    ]);
  });

  it('fails with "hook exited with status N" and stops the remaining hooks', async () => {
    const { engine, created } = fakeEngine([3, 0], 'line1\nno such file\n');
    await expect(runHooks(engine, 'shop-web-1', 'web', [{ command: ['false'] }, { command: ['true'] }])).rejects.toMatchObject({
      message: 'service "web" hook exited with status 3',
      details: ['line1', 'no such file'],
    });
    expect(created).toHaveLength(1);
  });
});
