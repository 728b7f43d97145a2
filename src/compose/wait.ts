import { CapstanError } from '../errors.js';
import type { ContainerInspect, Engine } from '../engine/types.js';
import type { EventSink } from './events.js';

/**
 * The one wait loop: `depends_on` conditions (`service_healthy`, `service_completed_successfully`)
 * and `up --wait` are conditions on containers, given as data to {@link waitFor}. Polled
 * conditions share one loop (one `GET /containers/{id}/json` per pending container per round,
 * every {@link POLL_MS}); completion uses `POST /containers/{id}/wait` (no polling).
 */

/**
 * How often container state is polled while waiting (docker compose polls every 500 ms; half that
 * lets dependents start sooner for the cost of a few more cheap inspect calls).
 */
const POLL_MS = 250;

/**
 * `up --wait`: how long a container without a healthcheck must stay running (same start, no
 * restart) before it counts as running, in ms. A crash-looping container (`restart: on-failure`)
 * is running between its crashes; watching it this long catches the restart or the exit.
 */
export const SETTLE_MS = 1000;

/** What to wait for, on one container. */
export type WaitCondition =
  /** `depends_on: service_healthy`: its healthcheck reports healthy; fails when unhealthy, exited or without a healthcheck. */
  | { type: 'healthy'; container: string; service: string }
  /** `depends_on: service_completed_successfully`: it exits with status 0; fails on another status. */
  | { type: 'completed'; container: string; service: string }
  /**
   * `up --wait`: running, and healthy when it has a healthcheck; fails when it exits or is
   * unhealthy — except an exit with status 0 when `exitedOk` (a service others depend on with
   * `service_completed_successfully`).
   */
  | { type: 'running'; container: string; service: string; exitedOk: boolean };

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Aborting rejects with CANCELLED. */
  signal?: AbortSignal;
  /**
   * Give up after this many seconds (TIMEOUT, `up --wait-timeout`); none when absent or 0. Bounds
   * the polled conditions (`healthy`, `running`) only: a `completed` one waits on the engine until
   * the container stops or `signal` aborts.
   */
  timeoutSeconds?: number;
}

/**
 * A depends_on condition that failed (DEPENDENCY), with the warning compose prints instead when
 * the dependency is `required: false` (pkg/compose/convergence.go).
 */
export class DependencyFailed extends CapstanError {
  constructor(
    message: string,
    readonly optionalWarning: string,
    options: { hint?: string } = {},
  ) {
    super('DEPENDENCY', message, options);
  }
}

/**
 * Wait until every condition holds. Emits `Waiting` for each container first, then its final
 * state (`Healthy`, `Running`, `Exited`, or `Error` on failure) with the seconds it took.
 *
 * @throws CapstanError DEPENDENCY ({@link DependencyFailed} for the `depends_on` conditions) when
 *   a condition can no longer hold; TIMEOUT (`application not healthy after Ns`) past
 *   `timeoutSeconds`; CANCELLED when `signal` aborts.
 */
export async function waitFor(engine: Engine, emit: EventSink, conditions: WaitCondition[], options: WaitOptions = {}): Promise<void> {
  const started = performance.now();
  for (const c of conditions) emit({ type: 'progress', resource: 'container', id: c.container, status: 'Waiting', done: false });
  const polled = conditions.filter((c) => c.type !== 'completed');
  const exits = conditions.filter((c) => c.type === 'completed');
  await Promise.all([
    ...(polled.length ? [poll(engine, emit, polled, started, options)] : []),
    ...exits.map((c) => completion(engine, emit, c, started, options.signal)),
  ]);
}

/** The polling loop over the pending conditions. */
async function poll(engine: Engine, emit: EventSink, conditions: WaitCondition[], started: number, options: WaitOptions): Promise<void> {
  const deadline = options.timeoutSeconds ? Date.now() + options.timeoutSeconds * 1000 : Infinity;
  const pending = new Map(conditions.map((c) => [c.container, c]));
  const seen = new Map<string, Seen>();
  while (pending.size) {
    const round = [...pending.values()];
    const inspected = await Promise.all(round.map((c) => engine.inspectContainer(c.container)));
    // a restarted container runs again with ExitCode 0: its last `die` event has the real one
    await Promise.all(
      inspected.map(async (info, i) => {
        const first = seen.get(round[i]!.container);
        if (round[i]!.type === 'running' && first && (info.RestartCount ?? 0) > first.restarts && info.State?.Status === 'running') {
          const code = await lastExitCode(engine, info.Id ?? round[i]!.container, started);
          if (code !== undefined) info.State = { ...info.State, ExitCode: code };
        }
      }),
    );
    for (const [i, info] of inspected.entries()) {
      const condition = round[i]!;
      const status = check(emit, condition, info, seen);
      if (status === undefined) continue;
      emit({ type: 'progress', resource: 'container', id: condition.container, status, done: true, elapsed: since(started) });
      pending.delete(condition.container);
    }
    if (!pending.size) break;
    if (Date.now() > deadline) {
      throw new CapstanError('TIMEOUT', `application not healthy after ${options.timeoutSeconds}s`, {
        details: [`still waiting for: ${[...pending.keys()].join(', ')}`],
      });
    }
    await sleep(POLL_MS, options.signal);
  }
}

/**
 * One polled condition against one inspection: the final status when it holds, `undefined`
 * while pending. @throws when it can no longer hold.
 */
function check(emit: EventSink, condition: WaitCondition, info: ContainerInspect, seen: Map<string, Seen> = new Map()): string | undefined {
  const name = condition.container;
  const state = info.State;
  // a restart while waited on (restart: on-failure / always after a crash) fails the wait
  const restarts = info.RestartCount ?? 0;
  const first = seen.get(name);
  if (!first) seen.set(name, { restarts, at: Date.now(), startedAt: state?.StartedAt });
  const restarted = state?.Restarting || state?.Status === 'restarting' || (first !== undefined && restarts > first.restarts);
  if (restarted && condition.type === 'running') {
    throw waitFailed(
      emit,
      name,
      `restarting, exit ${state?.ExitCode ?? '?'}`,
      `container ${name} exited (${state?.ExitCode ?? '?'}) and is restarting (restart count ${restarts})`,
    );
  }
  const health = state?.Health?.Status;
  const exited = state?.Status === 'exited' || state?.Status === 'dead';
  if (condition.type === 'healthy') {
    const service = condition.service;
    if (!info.Config?.Healthcheck?.Test || info.Config.Healthcheck.Test[0] === 'NONE') {
      throw notHealthy(service, `container ${name} has no healthcheck configured`, {
        hint: `add a healthcheck to service "${service}", or use condition: service_started`,
      });
    }
    if (health === 'healthy') return 'Healthy';
    if (health === 'unhealthy') throw waitFailed(emit, name, 'unhealthy', notHealthy(service, `container ${name} is unhealthy`));
    if (exited) throw waitFailed(emit, name, 'exited', notHealthy(service, `container ${name} exited (${state!.ExitCode})`));
    return undefined;
  }
  if (exited) {
    if (state!.ExitCode === 0 && condition.type === 'running' && condition.exitedOk) return 'Exited';
    throw waitFailed(emit, name, `exited (${state!.ExitCode})`, `container ${name} exited (${state!.ExitCode})`);
  }
  if (health === 'unhealthy') throw waitFailed(emit, name, 'unhealthy', `container ${name} is unhealthy`);
  if (state?.Status === 'running' && health === 'healthy') return 'Healthy';
  if (state?.Status === 'running' && (!health || health === 'none')) {
    // running for SETTLE_MS (by our clock, or by the engine's start time) without a restart
    if (first && first.startedAt !== state.StartedAt) first.at = Date.now();
    if (first) first.startedAt = state.StartedAt;
    const started = Date.parse(state.StartedAt ?? '');
    const stable = Date.now() - (first?.at ?? Date.now()) >= SETTLE_MS || (!Number.isNaN(started) && started > 0 && Date.now() - started >= SETTLE_MS);
    return stable ? 'Running' : undefined;
  }
  return undefined;
}

/**
 * The exit code of the container's last `die` event since the wait began (`GET /events` with
 * `since`/`until`, so the stream ends), or `undefined` when there is none or the engine cannot say.
 */
async function lastExitCode(engine: Engine, container: string, started: number): Promise<number | undefined> {
  const now = Date.now() / 1000;
  const since = Math.floor(now - (performance.now() - started) / 1000) - 1;
  let code: number | undefined;
  try {
    for await (const e of engine.events({ filters: { container: [container], event: ['die'] }, since: String(since), until: now.toFixed(3) })) {
      const value = Number(e.Actor?.Attributes?.exitCode);
      if (!Number.isNaN(value)) code = value;
    }
  } catch {
    return code;
  }
  return code;
}

/** What {@link check} saw of one container first: its restart count, when, and its start time. */
interface Seen {
  restarts: number;
  at: number;
  startedAt?: string;
}

/** `service_completed_successfully`: the engine's wait for the container to stop, then its status. */
async function completion(engine: Engine, emit: EventSink, condition: WaitCondition, started: number, signal?: AbortSignal): Promise<void> {
  const { container, service } = condition;
  // after its start step: `not-running` answers at once with the exit code of a container that already exited
  const code = await engine.waitContainer(container, 'not-running', signal);
  if (code !== 0) {
    const why = `"${service}" didn't complete successfully: exit ${code}`;
    throw waitFailed(emit, container, `exit ${code}`, new DependencyFailed(`service ${why}`, `optional dependency ${why}`));
  }
  emit({ type: 'progress', resource: 'container', id: container, status: 'Exited', done: true, elapsed: since(started) });
}

/**
 * A wait that failed: mark the container's progress row as an error (`reason`) and return the
 * error to throw (a DEPENDENCY CapstanError built from `message`, unless one is given).
 */
function waitFailed(emit: EventSink, container: string, reason: string, message: string | CapstanError): CapstanError {
  emit({ type: 'progress', resource: 'container', id: container, status: 'Error', done: true, error: reason });
  return typeof message === 'string' ? new CapstanError('DEPENDENCY', message) : message;
}

/** `service_healthy` failed: `dependency failed to start: <why>`. */
function notHealthy(service: string, why: string, options: { hint?: string } = {}): DependencyFailed {
  return new DependencyFailed(`dependency failed to start: ${why}`, `optional dependency "${service}" failed to start: ${why}`, options);
}

function since(started: number): number {
  return (performance.now() - started) / 1000;
}

/** Resolves after `ms`, or rejects with CANCELLED when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CapstanError('CANCELLED', 'cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CapstanError('CANCELLED', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
