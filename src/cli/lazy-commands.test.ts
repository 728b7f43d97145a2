import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CapstanError } from '../errors.js';

const ALL = ['up', 'create', 'down', 'start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'rm', 'ps', 'logs', 'exec', 'run', 'attach', 'top', 'port', 'images', 'volumes', 'ls', 'events', 'wait', 'watch', 'scale', 'cp', 'stats', 'export', 'commit', 'config', 'build', 'pull', 'push', 'stack', 'version', 'completion', 'install-plugin', 'uninstall-plugin', '__complete'];

/** The command modules main.ts loaded, in order. */
const loaded: string[] = [];

/** Forgets every module loaded so far, and makes each command module record its loading. */
function recordLoads(): void {
  vi.resetModules();
  loaded.length = 0;
  for (const name of ALL) vi.doMock(`./commands/${name}.js`, async (original) => (loaded.push(name), original()));
}

/** Runs one command line through a freshly imported main.ts; stdout and stderr are captured. */
async function capstan(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out.stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((out.stderr += String(chunk)), true));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new CapstanError('CANCELLED', 'exit', { exitCode: Number(code ?? 0) }); // printError prints nothing for it
  });
  const saved = process.exitCode;
  try {
    const { main } = await import('./main.js');
    await main(['node', 'capstan', ...args]);
    return out;
  } finally {
    vi.restoreAllMocks();
    process.exitCode = saved;
  }
}

beforeEach(recordLoads);

describe('main.ts loads only the command modules a command line needs', () => {
  it('a command loads its own module only, wherever the global flags put it', async () => {
    expect((await capstan('version')).stdout).toMatch(/^Capstan version v/);
    expect(loaded).toEqual(['version']);
    for (const args of [['-f', 'version', 'version', '--short'], ['-vf', 'version', 'version'], ['--file=x', '-p', 'ps', '--', 'version'], ['-fversion', 'version']]) {
      recordLoads();
      await capstan(...args);
      expect(loaded, args.join(' ')).toEqual(['version']);
    }
  });

  it('--version alone loads none', async () => {
    expect((await capstan('--version')).stdout).toMatch(/^Capstan version v/);
    expect(loaded).toEqual([]);
  });

  it('help, and a command line commander refuses, load them all (help lists them)', async () => {
    // the column width follows the longest command term (it grows as commands are added)
    expect((await capstan('--help')).stdout).toMatch(/\n  version \[options\] +Show the Capstan version information\n/);
    expect(loaded).toEqual(ALL);
    for (const args of [[], ['-v', '--help'], ['--bogus', 'version'], ['nope']]) {
      recordLoads();
      await capstan(...args);
      expect(loaded, args.join(' ')).toEqual(ALL);
    }
  });
});
