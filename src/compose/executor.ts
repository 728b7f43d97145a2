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
                if (failure === undefined) {
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
  if (failure === undefined) return;
  if (!(failure instanceof CapstanError)) throw failure;
  throw new PlanFailedError(failure, completed, [...pending.keys()]);
}
