import { CapstanError, EngineError } from '../errors.js';
import type { Engine } from '../engine/types.js';
import type { Project } from '../model/types.js';
import { runBuild } from './build.js';
import type { EventSink, ProgressEvent } from './events.js';
import { runHooks, serviceHooks, type ContainerHooks } from './hooks.js';
import type { PlanStep } from './plan.js';
import { Label } from './labels.js';
import { mountWarnings } from './mount-warnings.js';
import { tarOf } from './secrets.js';

/** Optional context of {@link stepRunner}. */
export interface StepRunnerOptions {
  /**
   * The project being applied: the start and stop steps read `post_start` / `pre_stop` hooks of
   * containers this plan did not create from it. Without it only containers created by the plan
   * run hooks (from their `ContainerSpec`).
   */
  project?: Project;
}

/**
 * The executor's side of each plan step: one Engine API call (or a wait), with the progress
 * events people see. `images` receives the IDs of images built by the plan.
 */
export function stepRunner(
  engine: Engine,
  emit: EventSink,
  images: Map<string, string> = new Map(),
  options: StepRunnerOptions = {},
): (step: PlanStep, signal: AbortSignal) => Promise<void> {
  /** Hooks of the containers created by this plan, by final container name. */
  const createdHooks = new Map<string, ContainerHooks | undefined>();
  const hooksOf = (service: string, name: string): ContainerHooks | undefined => {
    if (createdHooks.has(name)) return createdHooks.get(name);
    const config = options.project?.services[service];
    return config ? serviceHooks(config, options.project!.environment) : undefined;
  };
  /** Mount warnings already emitted: each text once per run, not once per replica or service. */
  const warned = new Set<string>();
  return async (step, signal) => {
    const op = step.op;
    switch (op.type) {
      case 'create-network':
        return track(emit, 'network', op.body.Name, 'Creating', 'Created', () => engine.createNetwork(op.body));
      case 'remove-network':
        return track(emit, 'network', op.name, 'Removing', 'Removed', () => engine.removeNetwork(op.name));
      case 'connect-network':
        return engine.connectNetwork(op.network, op.container, op.endpoint);
      case 'disconnect-network':
        return engine.disconnectNetwork(op.network, op.container);
      case 'create-volume':
        return track(emit, 'volume', op.body.Name, 'Creating', 'Created', () => engine.createVolume(op.body));
      case 'remove-volume':
        return track(emit, 'volume', op.name, 'Removing', 'Removed', () => engine.removeVolume(op.name));
      case 'build-image':
        return track(emit, 'image', op.request.tags[0]!, 'Building', 'Built', async () => {
          const id = await runBuild(
            engine,
            op.request,
            (m) => {
              const text = m.stream ?? m.status;
              if (text) emit({ type: 'build-output', service: op.service, text });
            },
            signal,
          );
          images.set(op.request.tags[0]!, id);
        });
      case 'create-container':
        return track(emit, 'container', op.finalName, 'Creating', 'Created', async () => {
          const body = { ...op.spec.body, Labels: { ...op.spec.body.Labels } };
          const built = images.get(body.Image ?? '');
          if (built) body.Labels[Label.image] = built;
          for (const message of op.spec.warnings ?? []) emit({ type: 'warning', message });
          const config = options.project?.services[op.service];
          for (const message of config ? mountWarnings(config) : []) {
            if (warned.has(message)) continue;
            warned.add(message);
            emit({ type: 'warning', message });
          }
          await engine.createContainer(op.name, body, op.spec.platform);
          createdHooks.set(op.finalName, op.spec.hooks);
          for (const extra of op.spec.extraNetworks) {
            await engine.connectNetwork(extra.network, op.name, extra.endpoint);
          }
          // environment:/content: secrets and configs, before the container ever starts
          if (op.spec.files?.length) await engine.putArchive(op.name, '/', tarOf(op.spec.files));
        });
      case 'start-container':
        return track(emit, 'container', op.name, 'Starting', 'Started', async () => {
          await engine.startContainer(op.name).catch((err: unknown) => {
            throw explainStartFailure(op.name, err);
          });
          const hooks = hooksOf(op.service, op.name)?.post_start;
          if (hooks?.length) await runHooks(engine, op.name, op.service, hooks, { signal });
        });
      case 'stop-container':
        return track(emit, 'container', op.name, 'Stopping', 'Stopped', async () => {
          const hooks = hooksOf(op.service, op.name)?.pre_stop;
          if (hooks?.length) {
            const state = await engine.inspectContainer(op.id);
            if (state.State?.Running) await runHooks(engine, op.id, op.service, hooks, { signal });
          }
          await engine.stopContainer(op.id, op.timeoutSeconds);
        });
      case 'remove-container':
        return track(emit, 'container', op.name, 'Removing', 'Removed', () =>
          engine.removeContainer(op.id, { force: true, volumes: op.volumes }),
        );
      case 'rename-container':
        return engine.renameContainer(op.from, op.to);
      case 'wait-healthy':
      case 'wait-completed': {
        const wait = op.type === 'wait-healthy' ? waitHealthy : waitCompleted;
        try {
          await Promise.all(op.containers.map((c) => wait(engine, emit, c, op.service, signal)));
        } catch (err) {
          // depends_on.required: false — a failed dependency is only a warning.
          if (op.required || !(err instanceof DependencyFailed)) throw err;
          emit({ type: 'warning', message: err.optionalWarning });
        }
        return;
      }
    }
  };
}

/**
 * A start failure as UX.md words it: a published port in use becomes one line naming the port,
 * with a hint; anything else is passed through.
 */
export function explainStartFailure(container: string, err: unknown): unknown {
  if (!(err instanceof EngineError)) return err;
  const m = /(?:Bind for \S*?:(\d+) failed: port is already allocated|listen tcp\S* \S*?:(\d+): bind: address already in use)/.exec(err.daemonMessage);
  if (!m) return err;
  return new CapstanError('CONFLICT', `container ${container} could not start: port ${m[1] ?? m[2]} is already allocated`, {
    hint: 'another project or process uses it — `docker ps` shows containers publishing it; change the published port',
    cause: err,
  });
}

async function track<T>(
  emit: EventSink,
  resource: ProgressEvent['resource'],
  id: string,
  working: string,
  finished: string,
  work: () => Promise<T>,
): Promise<void> {
  const started = performance.now();
  emit({ type: 'progress', resource, id, status: working, done: false });
  try {
    await work();
  } catch (err) {
    emit({ type: 'progress', resource, id, status: 'Error', done: true, error: (err as Error).message, elapsed: since(started) });
    throw err;
  }
  emit({ type: 'progress', resource, id, status: finished, done: true, elapsed: since(started) });
}

function since(started: number): number {
  return (performance.now() - started) / 1000;
}

/**
 * How often container state is polled while waiting (docker compose polls every 500 ms; half that
 * lets dependents start sooner for the cost of a few more cheap inspect calls).
 */
export const POLL_MS = 250;

/**
 * A depends_on condition that failed (DEPENDENCY), with the warning compose prints instead when
 * the dependency is `required: false` (pkg/compose/convergence.go).
 */
class DependencyFailed extends CapstanError {
  constructor(
    message: string,
    readonly optionalWarning: string,
    options: { hint?: string } = {},
  ) {
    super('DEPENDENCY', message, options);
  }
}

/**
 * A wait that failed: mark the container's progress row as an error (`reason`) and return the
 * error to throw (a DEPENDENCY CapstanError built from `message`, unless one is given).
 */
export function waitFailed(emit: EventSink, container: string, reason: string, message: string | CapstanError): CapstanError {
  emit({ type: 'progress', resource: 'container', id: container, status: 'Error', done: true, error: reason });
  return typeof message === 'string' ? new CapstanError('DEPENDENCY', message) : message;
}

/** `service_healthy` failed: `dependency failed to start: <why>`. */
function notHealthy(service: string, why: string, options: { hint?: string } = {}): DependencyFailed {
  return new DependencyFailed(`dependency failed to start: ${why}`, `optional dependency "${service}" failed to start: ${why}`, options);
}

/**
 * Wait until the container's healthcheck reports `healthy` (`depends_on: service_healthy`).
 * @throws CapstanError DEPENDENCY when it is unhealthy, exits, or has no healthcheck.
 */
async function waitHealthy(
  engine: Engine,
  emit: EventSink,
  container: string,
  service: string,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  emit({ type: 'progress', resource: 'container', id: container, status: 'Waiting', done: false });
  for (;;) {
    const info = await engine.inspectContainer(container);
    const health = info.State?.Health?.Status;
    if (!info.Config?.Healthcheck?.Test || info.Config.Healthcheck.Test[0] === 'NONE') {
      throw notHealthy(service, `container ${container} has no healthcheck configured`, {
        hint: `add a healthcheck to service "${service}", or use condition: service_started`,
      });
    }
    if (health === 'healthy') {
      emit({ type: 'progress', resource: 'container', id: container, status: 'Healthy', done: true, elapsed: since(started) });
      return;
    }
    if (health === 'unhealthy') {
      throw waitFailed(emit, container, 'unhealthy', notHealthy(service, `container ${container} is unhealthy`));
    }
    if (info.State?.Status === 'exited' || info.State?.Status === 'dead') {
      throw waitFailed(emit, container, 'exited', notHealthy(service, `container ${container} exited (${info.State.ExitCode})`));
    }
    await sleep(POLL_MS, signal);
  }
}

/**
 * Wait until the container exits with status 0 (`depends_on: service_completed_successfully`).
 * @throws CapstanError DEPENDENCY on a non-zero exit.
 */
async function waitCompleted(
  engine: Engine,
  emit: EventSink,
  container: string,
  service: string,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  emit({ type: 'progress', resource: 'container', id: container, status: 'Waiting', done: false });
  // after its start step: `not-running` answers at once with the exit code of a container that already exited
  const code = await engine.waitContainer(container, 'not-running', signal);
  if (code !== 0) {
    const why = `"${service}" didn't complete successfully: exit ${code}`;
    throw waitFailed(emit, container, `exit ${code}`, new DependencyFailed(`service ${why}`, `optional dependency ${why}`));
  }
  emit({ type: 'progress', resource: 'container', id: container, status: 'Exited', done: true, elapsed: since(started) });
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
