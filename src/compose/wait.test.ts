import { describe, expect, it } from 'vitest';
import type { ContainerInspect, Engine } from '../engine/types.js';
import type { ComposeEvent } from './events.js';
import { waitFor, type WaitCondition } from './wait.js';

/** An engine whose containers go through the given inspect states, one per poll (the last repeats). */
function engineWith(states: Record<string, ContainerInspect[]>, exitCodes: Record<string, number> = {}): Engine {
  const polls = new Map<string, number>();
  return {
    inspectContainer: async (name: string) => {
      const n = polls.get(name) ?? 0;
      polls.set(name, n + 1);
      const list = states[name]!;
      return list[Math.min(n, list.length - 1)]!;
    },
    waitContainer: async (name: string) => exitCodes[name] ?? 0,
  } as unknown as Engine;
}

const running = (health?: string): ContainerInspect => ({
  Config: { Healthcheck: { Test: ['CMD', 'true'] } },
  State: { Status: 'running', ...(health ? { Health: { Status: health } } : {}) },
}) as ContainerInspect;
const exited = (code: number): ContainerInspect => ({ Config: {}, State: { Status: 'exited', ExitCode: code } }) as ContainerInspect;

async function run(engine: Engine, conditions: WaitCondition[], timeoutSeconds?: number): Promise<{ error?: unknown; events: string[] }> {
  const events: string[] = [];
  const emit = (e: ComposeEvent): void => void (e.type === 'progress' && events.push(`${e.id} ${e.status}${e.error ? ` (${e.error})` : ''}`));
  const error = await waitFor(engine, emit, conditions, { timeoutSeconds }).then(() => undefined, (e: unknown) => e);
  return { error, events };
}

describe('waitFor', () => {
  it('polls healthy conditions until the healthcheck says healthy', async () => {
    const engine = engineWith({ 'p-db-1': [running('starting'), running('healthy')] });
    expect(await run(engine, [{ type: 'healthy', container: 'p-db-1', service: 'db' }])).toEqual({ error: undefined, events: ['p-db-1 Waiting', 'p-db-1 Healthy'] });
  });

  it('--wait: running, healthy, or exited 0 for a one-shot service; fails on another exit', async () => {
    const engine = engineWith({ 'p-web-1': [running()], 'p-db-1': [running('healthy')], 'p-init-1': [exited(0)], 'p-bad-1': [exited(2)] });
    const ok = await run(engine, [
      { type: 'running', container: 'p-web-1', service: 'web', exitedOk: false },
      { type: 'running', container: 'p-db-1', service: 'db', exitedOk: false },
      { type: 'running', container: 'p-init-1', service: 'init', exitedOk: true },
    ]);
    expect(ok).toEqual({ error: undefined, events: ['p-web-1 Waiting', 'p-db-1 Waiting', 'p-init-1 Waiting', 'p-web-1 Running', 'p-db-1 Healthy', 'p-init-1 Exited'] });
    const bad = await run(engine, [{ type: 'running', container: 'p-bad-1', service: 'bad', exitedOk: true }]);
    expect(bad.error).toMatchObject({ code: 'DEPENDENCY', message: 'container p-bad-1 exited (2)' });
    expect(bad.events).toEqual(['p-bad-1 Waiting', 'p-bad-1 Error (exited (2))']);
  });

  it('times out naming what it still waits for', async () => {
    const engine = engineWith({ 'p-db-1': [running('starting')] });
    const { error } = await run(engine, [{ type: 'running', container: 'p-db-1', service: 'db', exitedOk: false }], 0.1);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'application not healthy after 0.1s', details: ['still waiting for: p-db-1'] });
  });

  it('completed conditions use the engine wait, not polling', async () => {
    const engine = engineWith({}, { 'p-migrate-1': 3 });
    const { error, events } = await run(engine, [{ type: 'completed', container: 'p-migrate-1', service: 'migrate' }]);
    expect(error).toMatchObject({ code: 'DEPENDENCY', message: `service "migrate" didn't complete successfully: exit 3` });
    expect(events).toEqual(['p-migrate-1 Waiting', 'p-migrate-1 Error (exit 3)']);
  });
});
