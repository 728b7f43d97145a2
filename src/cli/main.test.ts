import { afterEach, describe, expect, it, vi } from 'vitest';
import { CapstanError } from '../errors.js';
import type { GlobalOptions } from './globals.js';
import { main } from './main.js';

/** `version` hands back the global flags it was given, so the tests can see them settled. */
const seen = vi.hoisted(() => ({ globals: undefined as unknown }));
vi.mock('./commands/version.js', async () => {
  const { Command } = await import('commander');
  const { handledBy } = await import('./options.js');
  return {
    command: () =>
      handledBy(new Command('version'), async (g) => {
        seen.globals = g;
        return 0;
      }),
  };
});

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

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('capstan command line', () => {
  it('an unknown command says so with the closest command, and exits 1', async () => {
    const typo = await capstan('stpo');
    expect(typo.failed).toBe(true);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe('error: unknown command "stpo"\n  hint: did you mean "stop"? (run capstan --help for the commands)\n');
    const far = await capstan('-p', 'x', 'frobnicate');
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/^error: unknown command "frobnicate"\n/);
    expect(far.stderr).not.toMatch(/too many arguments|did you mean/);
  });

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

  describe('global flags and their environment (compose-behaviour.md §1.1)', () => {
    const globals = async (env: Record<string, string>, ...args: string[]): Promise<GlobalOptions> => {
      vi.stubEnv('NO_COLOR', '');
      vi.stubEnv('COMPOSE_ANSI', undefined);
      vi.stubEnv('COMPOSE_PROGRESS', undefined);
      vi.stubEnv('COMPOSE_PARALLEL_LIMIT', undefined);
      for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
      seen.globals = undefined;
      const r = await capstan(...args, 'version');
      expect(r.stderr).toBe('');
      return seen.globals as GlobalOptions;
    };

    it('reads COMPOSE_ANSI, COMPOSE_PROGRESS and COMPOSE_PARALLEL_LIMIT when the flag is not given', async () => {
      expect(await globals({ COMPOSE_ANSI: 'always', COMPOSE_PROGRESS: 'json', COMPOSE_PARALLEL_LIMIT: '3' })).toMatchObject({ ansi: 'always', progress: 'json', parallel: 3 });
      expect(await globals({ COMPOSE_ANSI: 'always', COMPOSE_PROGRESS: 'json' }, '--ansi', 'auto', '--progress', 'quiet')).toMatchObject({ ansi: 'auto', progress: 'quiet' });
    });

    it('--progress none is quiet; auto with --ansi never is plain', async () => {
      expect((await globals({}, '--progress', 'none')).progress).toBe('quiet');
      expect((await globals({ COMPOSE_PROGRESS: 'none' })).progress).toBe('quiet');
      expect((await globals({}, '--ansi', 'never')).progress).toBe('plain');
    });

    it('NO_COLOR turns ANSI off without refusing --progress tty', async () => {
      expect(await globals({ NO_COLOR: '1' }, '--progress', 'tty')).toMatchObject({ ansi: 'never', progress: 'tty' });
      expect((await globals({ NO_COLOR: '1' })).progress).toBe('auto');
    });

    it('refuses tty with --ansi never and plain with --ansi always, flags or environment', async () => {
      for (const [env, args, message] of [
        [{}, ['--progress', 'tty', '--ansi', 'never'], "can't use --progress tty while ANSI support is disabled"],
        [{ COMPOSE_ANSI: 'never', COMPOSE_PROGRESS: 'tty' }, [], "can't use --progress tty while ANSI support is disabled"],
        [{ COMPOSE_ANSI: 'always' }, ['--progress', 'plain'], "can't use --progress plain while ANSI support is forced"],
      ] as const) {
        for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
        const r = await capstan(...args, 'version');
        expect(r.stderr).toBe(`error: ${message}\n`);
        expect(r.failed).toBe(true);
        vi.unstubAllEnvs();
      }
    });

    it('refuses an unknown COMPOSE_PROGRESS or a non-integer COMPOSE_PARALLEL_LIMIT', async () => {
      vi.stubEnv('COMPOSE_PROGRESS', 'fancy');
      let r = await capstan('version');
      expect(r.exited).toBe(1);
      expect(r.stderr).toMatch(/^error: option '--progress <mode>' value 'fancy' from env 'COMPOSE_PROGRESS' is invalid/);
      vi.unstubAllEnvs();
      vi.stubEnv('COMPOSE_PARALLEL_LIMIT', 'many');
      r = await capstan('version');
      expect(r.exited).toBe(1);
      expect(r.stderr).toMatch(/^error: option '--parallel <n>' value 'many' from env 'COMPOSE_PARALLEL_LIMIT' is invalid\. not an integer/);
    });
  });
});
