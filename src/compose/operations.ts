import { CapstanError, EngineError } from '../errors.js';
import type { Engine } from '../engine/types.js';
import type { Project } from '../model/types.js';
import { runBuild } from './build.js';
import type { EventSink, ProgressEvent } from './events.js';
import { runHooks, serviceHooks, type ContainerHooks } from './hooks.js';
import type { PlanStep } from './plan.js';
import { Label } from './labels.js';
import { mountWarnings } from './mount-warnings.js';
import { lookUpPortConflict } from './port-conflict.js';
import { tarOf } from './secrets.js';
import { DependencyFailed, sleep, waitFor } from './wait.js';
import { pullImage, pushImage, type AuthLookup } from './pull.js';
import { removeStalePreStart, runPreStartContainer } from './pre-start.js';

/** Optional context of {@link stepRunner}. */
export interface StepRunnerOptions {
  /**
   * The project being applied: the start and stop steps read `post_start` / `pre_stop` hooks of
   * containers this plan did not create from it. Without it only containers created by the plan
   * run hooks (from their `ContainerSpec`).
   */
  project?: Project;
  /** Registry credentials for pulls and pushes; default: the Docker client config ({@link registryAuth}). */
  auth?: AuthLookup;
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
        return track(emit, 'network', op.name, 'Removing', 'Removed', () => removeNetwork(engine, emit, op.id ?? op.name, op.name, signal));
      case 'connect-network':
        return engine.connectNetwork(op.network, op.container, op.endpoint);
      case 'disconnect-network':
        return engine.disconnectNetwork(op.network, op.container);
      case 'create-volume':
        return track(emit, 'volume', op.body.Name, 'Creating', 'Created', () => engine.createVolume(op.body));
      case 'remove-volume':
        return track(emit, 'volume', op.name, 'Removing', 'Removed', () => engine.removeVolume(op.name));
      case 'remove-image':
        return track(emit, 'image', op.name, 'Removing', 'Removed', async () => {
          await engine.removeImage?.(op.name);
        });
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
          ).catch((err: unknown) => {
            throw buildFailure(op.service, err);
          });
          images.set(op.request.tags[0]!, id);
        });
      case 'pull-image':
        return pullStep(engine, emit, images, op, signal, options.auth);
      case 'push-image':
        return track(emit, 'image', op.image, 'Pushing', 'Pushed', async () => {
          try {
            await pushImage(engine, op.image, { signal, auth: options.auth });
          } catch (err) {
            if (!op.ignoreFailure || signal.aborted) throw err;
            emit({ type: 'warning', message: `push ${op.image} failed: ${(err as Error).message}` });
          }
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
          await engine.startContainer(op.name).catch(async (err: unknown) => {
            throw await explainStartFailure(op.name, err, engine);
          });
          const hooks = hooksOf(op.service, op.name)?.post_start;
          if (hooks?.length) await runHooks(engine, op.name, op.service, hooks, { signal });
        });
      case 'run-pre-start':
        return track(emit, 'container', op.hook.name, 'Running', 'Exited', async () => {
          if (op.hook.index === 0) await removeStalePreStart(engine, emit, op.project, op.service);
          await runPreStartContainer(engine, op.service, op.hook, signal);
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
      case 'kill-container':
        return track(emit, 'container', op.name, 'Killing', 'Killed', () => engine.killContainer(op.id, op.signal));
      case 'pause-container':
        return track(emit, 'container', op.name, 'Pausing', 'Paused', () => engine.pauseContainer(op.id));
      case 'unpause-container':
        return track(emit, 'container', op.name, 'Unpausing', 'Unpaused', () => engine.unpauseContainer(op.id));
      case 'rename-container':
        return engine.renameContainer(op.from, op.to);
      case 'wait-healthy':
      case 'wait-completed': {
        const type = op.type === 'wait-healthy' ? 'healthy' : 'completed';
        try {
          await waitFor(engine, emit, op.containers.map((container) => ({ type, container, service: op.service })), { signal });
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
 * A `pull-image` step: `Pulling` → `Pulled` (with `pull-progress` between); the pulled ID goes in
 * `images`. A failure builds instead when the service can be built (`op.build`, compose's
 * tolerance), or only warns with `op.ignoreFailure`.
 */
async function pullStep(
  engine: Engine,
  emit: EventSink,
  images: Map<string, string>,
  op: Extract<PlanStep['op'], { type: 'pull-image' }>,
  signal: AbortSignal,
  auth: AuthLookup | undefined,
): Promise<void> {
  const started = performance.now();
  emit({ type: 'progress', resource: 'image', id: op.image, status: 'Pulling', done: false });
  let failure: unknown;
  try {
    images.set(op.image, await pullImage(engine, op.image, op.service, emit, { platform: op.platform, signal, auth }));
    emit({ type: 'progress', resource: 'image', id: op.image, status: 'Pulled', done: true, elapsed: since(started) });
    return;
  } catch (err) {
    const fatal = signal.aborted || (!op.build && !op.ignoreFailure);
    const status = fatal ? 'Error' : op.build ? 'Pull failed' : 'Skipped';
    emit({ type: 'progress', resource: 'image', id: op.image, status, done: true, error: (err as Error).message, elapsed: since(started) });
    if (fatal) throw err;
    failure = err;
  }
  if (failure === undefined) return;
  const reason = (failure as Error).message;
  if (!op.build) {
    emit({ type: 'warning', message: `pull ${op.image} failed: ${reason}` });
    return;
  }
  emit({ type: 'warning', message: `pull ${op.image} failed, building it instead: ${reason}` });
  const request = op.build;
  await track(emit, 'image', request.tags[0]!, 'Building', 'Built', async () => {
    const id = await runBuild(engine, request, (m) => {
      const text = m.stream ?? m.status;
      if (text) emit({ type: 'build-output', service: op.service, text });
    }, signal);
    images.set(request.tags[0]!, id);
  });
}

/**
 * A start failure as UX.md words it: a published port in use becomes one line naming the port,
 * with a hint naming the project (or container) that holds it when `engine` is given (looked up
 * through `GET /containers/json`: ./port-conflict.ts); anything else is passed through.
 */
export async function explainStartFailure(container: string, err: unknown, engine?: Pick<Engine, 'listContainers'>): Promise<unknown> {
  if (!(err instanceof EngineError)) return err;
  const m = /(?:Bind for \S*?:(\d+) failed: port is already allocated|listen (tcp|udp)\S* \S*?:(\d+): bind: address already in use)/.exec(err.daemonMessage);
  if (!m) return err;
  const port = Number(m[1] ?? m[3]);
  const hint = engine
    ? await lookUpPortConflict(engine, port, m[2] ?? 'tcp', container)
    : 'another project or process uses it — `capstan ls` lists projects; change the published port';
  return new CapstanError('CONFLICT', `container ${container} could not start: port ${port} is already allocated`, { hint, cause: err });
}

/**
 * A failed build, named after its service: `service "api" failed to build: <the engine's or the
 * builder's message>` (same code and exit status).
 */
export function buildFailure(service: string, err: unknown): unknown {
  if (!(err instanceof CapstanError) || err.code === 'CANCELLED' || err.message.startsWith(`service "${service}" failed to build`)) return err;
  const own = `service "${service}": `;
  const reason = err instanceof EngineError ? err.daemonMessage : err.message.startsWith(own) ? err.message.slice(own.length) : err.message;
  return new CapstanError(err.code, `service "${service}" failed to build: ${reason}`, { hint: err.hint, details: err.details, exitCode: err.exitCode, cause: err });
}

/** How long {@link removeNetwork} waits for the engine to release the endpoints of removed containers. */
const ENDPOINT_RELEASE_MS = 3_000;

/**
 * `DELETE /networks/{id}` once the plan removed the containers on it. dockerd can answer 403
 * "has active endpoints" although no container is attached any more: an endpoint it has not
 * released yet, or one it leaked (seen once in a 200-service `down` on dockerd 20.10 while the
 * shared engine was busy; only an engine restart freed it). On that answer the network is
 * inspected: while the containers it lists no longer exist it is tried again (every 200 ms, up to
 * {@link ENDPOINT_RELEASE_MS}), then the step fails with one clear error; when containers that
 * still exist use it (not the project's: `docker network connect` by hand), it is left in place
 * with a warning, as compose's down does ("Resource is still in use").
 *
 * @throws EngineError for other refusals; CapstanError CONFLICT when the endpoints never go.
 */
async function removeNetwork(engine: Engine, emit: EventSink, id: string, name: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + ENDPOINT_RELEASE_MS;
  for (;;) {
    try {
      await engine.removeNetwork(id);
      return;
    } catch (err) {
      if (!(err instanceof EngineError) || err.statusCode !== 403 || !/active endpoints/i.test(err.daemonMessage)) throw err;
      const info = await engine.inspectNetwork(id).catch(() => undefined);
      if (!info) return; // gone meanwhile
      const attached = Object.entries(info.Containers ?? {}).map(([cid, c]) => c.Name ?? cid);
      const present = (await Promise.all(attached.map(async (c) => ((await engine.inspectContainer(c).catch(() => undefined)) ? c : undefined)))).filter(
        (c): c is string => c !== undefined,
      );
      if (present.length) {
        emit({ type: 'warning', message: `network ${name} is still in use by ${present.join(', ')}: left in place` });
        return;
      }
      if (Date.now() > deadline) {
        throw new CapstanError('CONFLICT', `network ${name} still has active endpoints, though none of its containers exists any more`, {
          hint: 'the engine has not released an endpoint: run down again; if it persists, an engine restart frees it',
          cause: err,
        });
      }
      await sleep(200, signal);
    }
  }
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
