import { afterEach, describe, expect, it, vi } from 'vitest';
import { CapstanError } from '../errors.js';
import { main } from './main.js';

/**
 * Runs one command line through `main`, stderr captured; the exit status is put back afterwards.
 * `exited` is the status commander asked `process.exit` for (on a usage error it prints and exits).
 */
async function capstan(...args: string[]): Promise<{ failed: boolean; code: number | undefined; exited?: number; stderr: string }> {
  let stderr = '';
  let exited: number | undefined;
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    exited = Number(code ?? 0);
    throw new CapstanError('CANCELLED', 'exit', { exitCode: exited }); // printError prints nothing for it
  });
  const saved = process.exitCode;
  try {
    const failed = await main(['node', 'capstan', ...args]);
    return { failed, code: process.exitCode === undefined ? undefined : Number(process.exitCode), exited, stderr };
  } finally {
    spy.mockRestore();
    process.exitCode = saved;
  }
}

afterEach(() => vi.restoreAllMocks());

describe('capstan command line', () => {
  it('--no-build is a flag of its own: up and create refuse it with --build', async () => {
    for (const command of ['up', 'create']) {
      const r = await capstan(command, '--build', '--no-build');
      expect(r.failed).toBe(true);
      expect(r.stderr).toBe('error: --build and --no-build are incompatible\n');
    }
  });

  it('a flag that wants an integer refuses anything else as a usage error, not as a bug', async () => {
    for (const args of [['down', '-t', 'abc'], ['up', '--wait-timeout', '5s'], ['--parallel', 'x', 'ps'], ['--parallel', '2x', 'ps']]) {
      const r = await capstan(...args);
      expect(r.exited).toBe(1);
      expect(r.stderr).toMatch(/^error: option '.*' argument '.*' is invalid\. not an integer\n/);
      expect(r.stderr).not.toContain('bug');
    }
  });
});
