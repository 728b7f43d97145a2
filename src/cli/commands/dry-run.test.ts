import { afterEach, describe, expect, it, vi } from 'vitest';
import { project } from '../../../test/support/fixtures.js';
import { run as build } from './build.js';
import { run as down } from './down.js';
import { run as up } from './up.js';

vi.mock('../context.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../context.js')>();
  return { ...real, session: vi.fn(), loadFromGlobals: vi.fn(), loadOrLabels: vi.fn() };
});
vi.mock('../../compose/index.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../compose/index.js')>()),
  formatPlan: () => 'PLAN',
}));

const context = await import('../context.js');

/** A session whose progress renderer and stdout record, in order, what happened. */
function recording(): string[] {
  const events: string[] = [];
  const progress = Object.assign(() => {}, { close: () => void events.push('close') });
  const compose = {
    up: async () => ({ plan: {}, exitCode: 0 }),
    down: async () => ({}),
    build: async (_p: unknown, o: { dryRun?: boolean }) => (events.push(`build dryRun=${o.dryRun}`), {}),
  };
  vi.mocked(context.session).mockReturnValue({ compose, progress } as unknown as ReturnType<typeof context.session>);
  vi.mocked(context.loadFromGlobals).mockResolvedValue(project('p', { web: {} }));
  vi.mocked(context.loadOrLabels).mockResolvedValue(project('p', { web: {} }));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (events.push(`stdout ${String(chunk).trim()}`), true));
  return events;
}

afterEach(() => vi.restoreAllMocks());

describe('--dry-run prints the plan after the progress renderer is closed, once', () => {
  it('up', async () => {
    const events = recording();
    expect(await up({}, { dryRun: true }, [])).toBe(0);
    expect(events).toEqual(['close', 'stdout PLAN']);
  });

  it('down', async () => {
    const events = recording();
    expect(await down({ dryRun: true }, {}, [])).toBe(0);
    expect(events).toEqual(['close', 'stdout PLAN']);
  });

  it('build (the global --dry-run)', async () => {
    const events = recording();
    expect(await build({ dryRun: true }, {}, [])).toBe(0);
    expect(events).toEqual(['build dryRun=true', 'close', 'stdout PLAN']);
  });
});
