import { CapstanError } from '../errors.js';
import type { Plan, PlanStep } from './plan.js';

/**
 * Runs a Plan as a DAG: every step starts as soon as the steps it depends on have finished, with
 * at most `concurrency` steps in flight (`--parallel`, `COMPOSE_PARALLEL_LIMIT`; unlimited by
 * default). The first failure stops new steps from starting; steps already running finish (they
 * are single Engine API calls or waits that observe `signal`). An aborted `signal` (Ctrl+C) does
 * the same and the run rejects with a CANCELLED error.
 */
export interface ExecuteOptions {
  /** Maximum steps in flight; `undefined`, 0 or negative = unlimited. */
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * After a step fails, go on with the steps that do not depend on it (its dependents, direct or
   * not, never start): `up` starts what can start (a port taken by another project stops only the
   * service that publishes it). The first failure is still thrown at the end. Cancellation
   * (`signal`) and failures that are not CapstanErrors (bugs) stop everything as without it.
   */
  keepGoing?: boolean;
}

/**
 * The outcome when a plan fails: the first failure's code, message and exit status, plus which
 * steps completed and which never started. A failure that is not a CapstanError is a bug and is
 * rethrown as it is, not wrapped.
 */
export class PlanFailedError extends CapstanError {
  constructor(
    readonly failure: CapstanError,
    readonly completed: string[],
    readonly notStarted: string[],
  ) {
    const base = failure as CapstanError;
    super(base.code, base.message, { hint: base.hint, details: base.details, exitCode: base.exitCode, cause: failure });
  }
}

/**
 * @param run performs one step; it receives an AbortSignal that aborts on cancellation or on the
 *   failure of another step.
 * @throws PlanFailedError wrapping the first failure (its code and exit status are preserved).
 */
export async function executePlan(
  plan: Plan,
  run: (step: PlanStep, signal: AbortSignal) => Promise<void>,
  options: ExecuteOptions = {},
): Promise<void> {
  const limit = options.concurrency && options.concurrency > 0 ? options.concurrency : Infinity;
  const internal = new AbortController();
  const onAbort = (): void => internal.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const pending = new Map(plan.steps.map((s) => [s.id, s]));
  const waitingOn = new Map(plan.steps.map((s) => [s.id, new Set(s.dependsOn)]));
  const dependents = new Map<string, string[]>();
  for (const s of plan.steps) for (const d of s.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), s.id]);
  const completed: string[] = [];
  let running = 0;
  let failure: unknown;
  /** keepGoing: the first failure, thrown once the rest ran; the steps skipped because of failures. */
  let firstFailure: unknown;
  const skipped: string[] = [];

  try {
    await new Promise<void>((resolveAll) => {
      const pump = (): void => {
        if (failure === undefined && internal.signal.aborted) {
          failure = new CapstanError('CANCELLED', 'cancelled');
        }
        if (failure === undefined) {
          for (const [id, step] of pending) {
            if (running >= limit) break;
            if (waitingOn.get(id)!.size) continue;
            pending.delete(id);
            running++;
            run(step, internal.signal).then(
              () => {
                running--;
                completed.push(id);
                for (const next of dependents.get(id) ?? []) waitingOn.get(next)!.delete(id);
                pump();
              },
              (err: unknown) => {
                running--;
                const goOn = options.keepGoing && err instanceof CapstanError && err.code !== 'CANCELLED' && !internal.signal.aborted;
                if (goOn) {
                  firstFailure ??= err;
                  // what waits for the failed step can never run
                  const skip = [id];
                  while (skip.length) {
                    for (const next of dependents.get(skip.pop()!) ?? []) {
                      if (pending.delete(next)) {
                        skipped.push(next);
                        skip.push(next);
                      }
                    }
                  }
                } else if (failure === undefined) {
                  failure = err;
                  internal.abort(err);
                }
                pump();
              },
            );
          }
        }
        if (running === 0 && (failure !== undefined || pending.size === 0)) resolveAll();
        else if (running === 0 && pending.size > 0) {
          failure = new Error(`planner bug: steps can never start: ${[...pending.keys()].join(', ')}`);
          resolveAll();
        }
      };
      pump();
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  failure ??= firstFailure;
  if (failure === undefined) return;
  if (!(failure instanceof CapstanError)) throw failure;
  throw new PlanFailedError(failure, completed, [...skipped, ...pending.keys()]);
}
