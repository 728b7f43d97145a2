/**
 * `run SERVICE [COMMAND…]` (compose's `pkg/compose/run.go`, compose-behaviour.md §3.21): a
 * one-off container `<project>-<service>-run-<12 hex>` labelled `oneoff=True` with a slug, after
 * the service's dependencies have been started and their `depends_on` conditions hold (unless
 * `noDeps`) — one {@link Plan}, run by the shared executor, that `--dry-run` prints. The service's
 * ports are not published unless `servicePorts` (or `publish` gives others), its restart policy
 * is cleared, and `container_name` does not apply. Attached, the container is attached to first
 * and started next, so no output is lost; its exit status is the result.
 */
import { randomBytes } from 'node:crypto';
import { CapstanError } from '../../errors.js';
import type { Project, ServiceConfig, ServicePortConfig, ServiceVolumeConfig } from '../../model/types.js';
import type { Engine } from '../../engine/types.js';
import { containerSpec, type ContainerSpec } from '../container-spec.js';
import type { EventSink } from '../events.js';
import { checkServices, withDependencies } from '../graph.js';
import { serviceDigest, serviceHash } from '../hash.js';
import { runHooks } from '../hooks.js';
import { Label } from '../labels.js';
import type { ObservedState } from '../observed.js';
import { explainStartFailure } from '../operations.js';
import { Plan } from '../plan.js';
import { planRun, type Prompt } from '../planner.js';
import { attachedSession, type AttachStreams } from './attach.js';
import { execEnv } from './exec.js';

/** Options of {@link runOneOff}: `docker compose run`'s flags, and where the streams go. */
export interface RunOptions extends AttachStreams {
  /** `--name`; default `<project>-<service>-run-<12 hex of the slug>`. */
  name?: string;
  /** `-d`: start the container and return (its ID in the result) without attaching. */
  detach?: boolean;
  /** `--rm`: the engine removes the container when it exits (`HostConfig.AutoRemove`). */
  autoRemove?: boolean;
  /** `--entrypoint`, split into words (`null`: an empty entrypoint); clears the service's command unless one is given. */
  entrypoint?: string[] | null;
  /**
   * `-e KEY=VAL` / `-e KEY` (value from `lookupEnv`, dropped when unset), over the service's
   * `environment` (compose-behaviour.md §3.5: `run -e` wins).
   */
  env?: string[];
  /** Where `-e KEY` values come from; default the project's environment (OS environment over `.env`). */
  lookupEnv?: Record<string, string | undefined>;
  /** `-l KEY=VAL`: labels added to (or replacing) the service's. */
  labels?: Record<string, string>;
  /** `-p`: ports to publish instead of the service's (which are not published by default). */
  publish?: ServicePortConfig[];
  /** `-P`/`--service-ports`: publish the service's own ports. Incompatible with `publish`. */
  servicePorts?: boolean;
  /** `-u`: `user[:group]`. */
  user?: string;
  /** `-w`: working directory in the container. */
  workingDir?: string;
  /** `-v`: mounts added to the service's. */
  volumes?: ServiceVolumeConfig[];
  /** Allocate a TTY (the CLI's default when stdin and stdout are terminals; `-T` turns it off). Default false. */
  tty?: boolean;
  /** `-i` (compose's default true): keep stdin open and attach it; the container reads EOF when `stdin` ends. */
  interactive?: boolean;
  /** `--use-aliases`: the service name and its `networks.*.aliases` become aliases too (else only the container name). */
  useAliases?: boolean;
  /** `--cap-add` (removed from the service's `cap_drop`). */
  capAdd?: string[];
  /** `--cap-drop` (removed from the service's `cap_add`). */
  capDrop?: string[];
  /** `--build`: build the images (of the service and its dependencies) before starting. */
  build?: boolean;
  /** `--pull`: `always`, `missing`, `never`, `build` or `policy` (each service's `pull_policy`). */
  pull?: string;
  /** Never build; a missing image is an error. */
  noBuild?: boolean;
  /** `--no-deps`: start no dependency (and wait for none). */
  noDeps?: boolean;
  /** `--remove-orphans`. */
  removeOrphans?: boolean;
  /** `COMPOSE_IGNORE_ORPHANS`: do not warn about orphans. */
  ignoreOrphans?: boolean;
  /** Asked before a destructive change to a dependency's volume (as `up`'s prompt); none: refused. */
  prompt?: Prompt;
  /** Plan only (the caller prints `result.plan`); change nothing. */
  dryRun?: boolean;
  /** The one-off's slug (64 hex); random by default. For tests. */
  slug?: string;
  /** Called when the dependencies are up and the one-off is about to be attached (the CLI ends its progress display). */
  onStarting?: (container: string) => void;
}

/** What {@link runOneOff} did: its plan, the container, and how it ended. */
export interface RunResult {
  plan: Plan;
  /** The one-off container's name. */
  container: string;
  /** Its ID ('' with `dryRun`). */
  id: string;
  /** Its exit status (0 when detached, or with `detach`). */
  exitCode: number;
  /** Captured output (UTF-8) when no stream was given. */
  stdout: string;
  stderr: string;
  /** The detach keys were typed: the container still runs. */
  detached: boolean;
}

/** What the verb needs from {@link Compose}: observation, the executor and the event sink. */
export interface RunContext {
  engine: Engine;
  observe(project: Project): Promise<ObservedState>;
  execute(plan: Plan, signal: AbortSignal | undefined, images: Map<string, string> | undefined, project: Project): Promise<void>;
  emit: EventSink;
}

/**
 * The service as `run` runs it (compose's `applyRunOptions` and `prepareRun`): the command and
 * the flags' overrides, no `container_name`, scale 1, no restart policy, ports only with
 * `servicePorts` (else those of `publish`), `tty` and `stdin_open` from the flags.
 */
export function oneOffService(project: Project, service: ServiceConfig, command: string[], name: string, options: RunOptions = {}): ServiceConfig {
  const s: ServiceConfig = { ...service, container_name: name, tty: options.tty ?? false, stdin_open: options.interactive ?? true };
  delete s.scale;
  delete s.restart;
  if (s.deploy) s.deploy = { ...s.deploy, restart_policy: undefined, replicas: undefined };
  if (command.length) s.command = command;
  if (options.entrypoint !== undefined) {
    s.entrypoint = options.entrypoint;
    if (!command.length) s.command = null;
  }
  if (options.user) s.user = options.user;
  if (options.workingDir) s.working_dir = options.workingDir;
  if (options.capAdd?.length) {
    s.cap_add = [...(s.cap_add ?? []), ...options.capAdd];
    if (s.cap_drop) s.cap_drop = s.cap_drop.filter((c) => !options.capAdd!.includes(c));
  }
  if (options.capDrop?.length) {
    s.cap_drop = [...(s.cap_drop ?? []), ...options.capDrop];
    if (s.cap_add) s.cap_add = s.cap_add.filter((c) => !options.capDrop!.includes(c));
  }
  const env = execEnv(options.env ?? [], options.lookupEnv ?? project.environment);
  if (env.length) {
    s.environment = { ...(s.environment ?? {}) };
    for (const e of env) {
      const eq = e.indexOf('=');
      s.environment[e.slice(0, eq)] = e.slice(eq + 1);
    }
  }
  if (options.labels && Object.keys(options.labels).length) s.labels = { ...(s.labels ?? {}), ...options.labels };
  if (!options.servicePorts) s.ports = [...(options.publish ?? [])];
  if (options.volumes?.length) s.volumes = [...(s.volumes ?? []), ...options.volumes];
  return s;
}

/**
 * The one-off's create body: the service's (see {@link oneOffService}) labelled as compose labels
 * one-offs (`oneoff=True`, `slug`, no container number), stdin kept open for one attach
 * (`StdinOnce`) when interactive, `AutoRemove` with `--rm`, and network aliases reduced to the
 * container name unless `useAliases`.
 */
export function oneOffSpec(project: Project, service: ServiceConfig, name: string, slug: string, options: RunOptions & { apiVersion?: string }): ContainerSpec {
  const spec = containerSpec({
    project,
    service,
    replica: 1,
    configHash: serviceHash(service),
    configDigest: JSON.stringify(serviceDigest(service)),
    ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
  });
  const labels = spec.body.Labels!;
  delete labels[Label.containerNumber];
  labels[Label.oneoff] = 'True';
  labels[Label.slug] = slug;
  const interactive = service.stdin_open === true;
  spec.body.AttachStdin = interactive || undefined;
  spec.body.OpenStdin = interactive || undefined;
  spec.body.StdinOnce = interactive || undefined;
  spec.body.AttachStdout = true;
  spec.body.AttachStderr = true;
  if (options.autoRemove) spec.body.HostConfig = { ...spec.body.HostConfig, AutoRemove: true };
  if (!options.useAliases) {
    for (const endpoint of Object.values(spec.body.NetworkingConfig?.EndpointsConfig ?? {})) endpoint.Aliases = [name];
    for (const extra of spec.extraNetworks) extra.endpoint = { ...extra.endpoint, Aliases: [name] };
  }
  return spec;
}

/**
 * Runs `command` (the service's when empty) in a new one-off container of `service`.
 * @throws CapstanError USAGE `no such service: x`, or `publish` with `servicePorts`; what
 *   {@link planRun} and the executor throw (DEPENDENCY when a dependency's condition fails);
 *   EngineError from the attach or the start (a port in use: CONFLICT); with `autoRemove`, a
 *   one-off whose attach or start failed is removed before the error is thrown.
 */
export async function runOneOff(ctx: RunContext, project: Project, service: string, command: string[], options: RunOptions = {}): Promise<RunResult> {
  checkServices(project, [service]);
  if (options.publish?.length && options.servicePorts) throw new CapstanError('USAGE', '--service-ports and --publish are incompatible');
  const engine = ctx.engine;
  const slug = options.slug ?? randomBytes(32).toString('hex');
  const name = options.name || `${project.name}-${service}-run-${slug.slice(0, 12)}`;
  const target = oneOffService(project, project.services[service]!, command, name, options);
  const apiVersion = await engine.negotiatedApiVersion();
  const dependencies = options.noDeps ? [] : [...withDependencies(project, [service])].filter((s) => s !== service);
  const cause = `run${command.length ? ` ${command.join(' ')}` : ''}`;
  const planOptions = {
    apiVersion,
    build: options.build,
    noBuild: options.noBuild,
    removeOrphans: options.removeOrphans,
    ignoreOrphans: options.ignoreOrphans,
    prompt: options.prompt,
    pull: options.pull,
  };
  const makePlan = (observed: ObservedState, noBuild?: boolean): Promise<Plan> =>
    planRun(project, observed, { service: target, name, spec: oneOffSpec(project, target, name, slug, { ...options, apiVersion }), dependencies, cause }, {
      ...planOptions,
      ...(noBuild ? { noBuild: true, pull: 'never' } : {}),
    });
  let observed = await ctx.observe(project);
  let plan = await makePlan(observed);
  const result: RunResult = { plan, container: name, id: '', exitCode: 0, stdout: '', stderr: '', detached: false };
  if (options.dryRun) return result;

  const builds = plan.steps.filter((s) => s.op.type === 'build-image' || s.op.type === 'pull-image');
  if (builds.length) {
    const images = new Map<string, string>();
    await ctx.execute(new Plan(plan.project, [], builds, []), options.signal, images, project);
    observed = { ...observed, images: new Map([...observed.images, ...images]) };
    plan = await makePlan(observed, true);
    result.plan = plan;
  }
  for (const warning of plan.warnings) ctx.emit({ type: 'warning', message: warning });
  const startId = `start-container:${name}`;
  if (options.detach) {
    await ctx.execute(plan, options.signal, undefined, project);
    result.id = (await engine.inspectContainer(name)).Id;
    return result;
  }
  await ctx.execute(new Plan(plan.project, plan.nodes, plan.steps.filter((s) => s.id !== startId), plan.warnings), options.signal, undefined, project);
  const id = (await engine.inspectContainer(name)).Id;
  result.id = id;
  options.onStarting?.(name);
  const spec = plan.steps.find((s) => s.id === `create-container:${name}`)!.op as { spec: ContainerSpec };
  // asked before the start, so that a fast exit is not missed (docker's waitExitOrRemoved)
  const waiting = new AbortController();
  const stopWaiting = (): void => waiting.abort();
  options.signal?.addEventListener('abort', stopWaiting, { once: true });
  const exited = engine.waitContainer(id, options.autoRemove ? 'removed' : 'next-exit', waiting.signal);
  exited.catch(() => undefined);
  let started = false;
  const session = await attachedSession(engine, {
    ...options,
    id,
    name,
    tty: target.tty === true,
    attachStdin: target.stdin_open === true,
    exited,
    start: async () => {
      await engine.startContainer(id).catch(async (err: unknown) => {
        throw await explainStartFailure(name, err, engine);
      });
      started = true;
      const hooks = spec.spec.hooks?.post_start;
      if (hooks?.length) await runHooks(engine, id, service, hooks, options.signal ? { signal: options.signal } : {});
    },
  })
    .catch(async (err: unknown) => {
      // `--rm`: a one-off that never started (the attach or the start failed) is not left behind
      if (options.autoRemove && !started) await engine.removeContainer(id, { force: true }).catch(() => undefined);
      throw err;
    })
    .finally(() => {
      // detached (or failed): the container may run on, nobody waits for it
      options.signal?.removeEventListener('abort', stopWaiting);
      waiting.abort();
    });
  return { ...result, exitCode: session.exitCode, stdout: session.stdout, stderr: session.stderr, detached: session.detached };
}
