import { afterEach, describe, expect, it, vi } from 'vitest';
import { project } from '../../../test/support/fixtures.js';
import type { UpOptions } from '../../compose/index.js';
import { confirm } from '../../ui/prompt.js';
import { run as up } from './up.js';

vi.mock('../context.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../context.js')>();
  return { ...real, session: vi.fn(), loadFromGlobals: vi.fn() };
});
vi.mock('../../compose/index.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../compose/index.js')>()),
  formatPlan: () => 'PLAN',
}));

const context = await import('../context.js');

/** Runs `up` against a recording Compose with stdin and stderr as terminals or not; returns the options it got. */
async function upOptions(tty: boolean, dryRun = false): Promise<UpOptions> {
  let seen: UpOptions = {};
  const compose = { up: async (_p: unknown, options: UpOptions) => ((seen = options), { plan: {}, exitCode: 0 }) };
  const progress = Object.assign(() => {}, { close: () => {} });
  vi.mocked(context.session).mockReturnValue({ compose, progress } as unknown as ReturnType<typeof context.session>);
  vi.mocked(context.loadFromGlobals).mockResolvedValue(project('p', { web: {} }));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  for (const stream of [process.stdin, process.stderr]) Object.defineProperty(stream, 'isTTY', { value: tty, configurable: true });
  await up({}, { detach: true, dryRun }, []);
  return seen;
}

const saved = [process.stdin, process.stderr].map((stream) => [stream, Object.getOwnPropertyDescriptor(stream, 'isTTY')] as const);
afterEach(() => {
  vi.restoreAllMocks();
  for (const [stream, descriptor] of saved) {
    if (descriptor) Object.defineProperty(stream, 'isTTY', descriptor);
    else delete (stream as { isTTY?: boolean }).isTTY;
  }
});

describe('up asks about recreating a volume only on a terminal', () => {
  it('passes the terminal prompt when stdin and stderr are terminals', async () => {
    expect((await upOptions(true)).prompt).toBe(confirm);
  });

  it('passes none without a terminal, or with --dry-run', async () => {
    expect((await upOptions(false)).prompt).toBeUndefined();
    expect((await upOptions(true, true)).prompt).toBeUndefined();
  });
});
