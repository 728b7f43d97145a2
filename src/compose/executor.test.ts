import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { executePlan, PlanFailedError } from './executor.js';
import { Plan, type PlanStep } from './plan.js';

const step = (id: string, ...dependsOn: string[]): PlanStep => ({
  id,
  dependsOn,
  op: { type: 'remove-network', name: id },
  cause: '',
});
const plan = (...steps: PlanStep[]): Plan => new Plan('p', [], steps, []);
const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('executePlan', () => {
  it('runs each step after its dependencies, independent ones in parallel', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await executePlan(plan(step('a'), step('b'), step('c', 'a', 'b'), step('d', 'c')), async (s) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`start ${s.id}`);
      await tick();
      log.push(`end ${s.id}`);
      inFlight--;
    });
    expect(maxInFlight).toBe(2);
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end b'));
    expect(log.at(-1)).toBe('end d');
  });

  it('honours the concurrency limit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    await executePlan(
      plan(...['a', 'b', 'c', 'd', 'e'].map((id) => step(id))),
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick();
        inFlight--;
      },
      { concurrency: 2 },
    );
    expect(maxInFlight).toBe(2);
  });

  it('stops starting steps after the first failure and reports what did and did not run', async () => {
    const ran: string[] = [];
    const failing = executePlan(plan(step('a'), step('b', 'a'), step('slow')), async (s, signal) => {
      ran.push(s.id);
      if (s.id === 'a') throw new CapstanError('CONFLICT', 'port is already allocated');
      await tick(20);
      expect(signal.aborted).toBe(true);
    });
    const err = await failing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanFailedError);
    expect((err as PlanFailedError).code).toBe('CONFLICT');
    expect((err as PlanFailedError).message).toBe('port is already allocated');
    expect((err as PlanFailedError).completed).toEqual(['slow']);
    expect((err as PlanFailedError).notStarted).toEqual(['b']);
    expect(ran).toEqual(['a', 'slow']);
  });

  it('a cancelled signal ends the run with CANCELLED (exit 130)', async () => {
    const controller = new AbortController();
    const run = executePlan(plan(step('a'), step('b', 'a')), async (s) => {
      if (s.id === 'a') controller.abort();
      await tick();
    }, { signal: controller.signal });
    const err = (await run.catch((e: unknown) => e)) as PlanFailedError;
    expect(err.code).toBe('CANCELLED');
    expect(err.exitCode).toBe(130);
    expect(err.notStarted).toEqual(['b']);
  });

  it('an empty plan does nothing', async () => {
    await expect(executePlan(plan(), async () => {})).resolves.toBeUndefined();
  });
});

describe('executePlan with keepGoing', () => {
  it('after a failure, runs what does not depend on it, skips its dependents, then throws the first failure', async () => {
    const ran: string[] = [];
    const err = await executePlan(
      plan(step('a'), step('b', 'a'), step('c', 'b'), step('x'), step('y', 'x')),
      async (s) => {
        await tick();
        if (s.id === 'a') throw new CapstanError('CONFLICT', 'a failed');
        ran.push(s.id);
      },
      { keepGoing: true, concurrency: 1 },
    ).catch((e: unknown) => e);
    expect(ran).toEqual(['x', 'y']);
    expect(err).toBeInstanceOf(PlanFailedError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'a failed', completed: ['x', 'y'], notStarted: ['b', 'c'] });
  });

  it('a bug (not a CapstanError) still stops everything', async () => {
    const ran: string[] = [];
    const err = await executePlan(plan(step('a'), step('x')), async (s) => {
      if (s.id === 'a') throw new TypeError('bug');
      ran.push(s.id);
    }, { keepGoing: true, concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(ran).toEqual([]);
  });
});
