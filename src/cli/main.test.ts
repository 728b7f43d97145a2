import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

/** Runs one command line through `main`, stderr captured; the exit status is put back afterwards. */
async function capstan(...args: string[]): Promise<{ failed: boolean; code: number | undefined; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const saved = process.exitCode;
  try {
    const failed = await main(['node', 'capstan', ...args]);
    return { failed, code: process.exitCode === undefined ? undefined : Number(process.exitCode), stderr };
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
});
