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
  State: { Status: 'running', StartedAt: '2020-01-01T00:00:00Z', ...(health ? { Health: { Status: health } } : {}) },
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

  it('--wait: a container that restarts while waited on fails the wait with its exit code (a crash loop)', async () => {
    const started = (at: string, restarts: number): ContainerInspect =>
      ({ Config: {}, State: { Status: 'running', StartedAt: at }, RestartCount: restarts }) as ContainerInspect;
    const now = new Date().toISOString();
    const restarting = { Config: {}, State: { Status: 'restarting', Restarting: true, ExitCode: 3 }, RestartCount: 1 } as ContainerInspect;
    // seen running (just started), then restarting
    const a = await run(engineWith({ 'p-crash-1': [started(now, 0), restarting] }), [{ type: 'running', container: 'p-crash-1', service: 'crash', exitedOk: false }]);
    expect(a.error).toMatchObject({ code: 'DEPENDENCY', message: 'container p-crash-1 exited (3) and is restarting (restart count 1)' });
    expect(a.events).toEqual(['p-crash-1 Waiting', 'p-crash-1 Error (restarting, exit 3)']);
    // between two polls it crashed and runs again: the restart count gives it away
    const b = await run(engineWith({ 'p-crash-1': [started(now, 0), { ...started(new Date().toISOString(), 1), State: { Status: 'running', ExitCode: 3, StartedAt: 'later' } } as ContainerInspect] }), [
      { type: 'running', container: 'p-crash-1', service: 'crash', exitedOk: false },
    ]);
    expect(b.error).toMatchObject({ message: 'container p-crash-1 exited (3) and is restarting (restart count 1)' });
    // a container that just started counts as running only once it stayed up for a while
    const t = performance.now();
    const c = await run(engineWith({ 'p-ok-1': [started(new Date().toISOString(), 0)] }), [{ type: 'running', container: 'p-ok-1', service: 'ok', exitedOk: false }]);
    expect(c).toEqual({ error: undefined, events: ['p-ok-1 Waiting', 'p-ok-1 Running'] });
    expect(performance.now() - t).toBeGreaterThanOrEqual(900);
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
