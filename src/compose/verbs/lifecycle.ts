import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { EventSink } from '../events.js';
import { checkServices, dependenciesOf, dependencyOrder } from '../graph.js';
import type { ObservedContainer, ObservedState } from '../observed.js';
import { PlanBuilder, type NodeAction, type Operation, type Plan } from '../plan.js';
import { planStop, stopTimeout } from '../planner.js';

/**
 * The lifecycle verbs on existing containers — `start`, `stop`, `restart`, `kill`, `pause`,
 * `unpause`, `rm` (docker compose's `pkg/compose/{start,stop,restart,kill,pause,remove}.go`,
 * compose-behaviour.md §1.2): each observes the project from its labels, plans (a {@link Plan}
 * with causes, what `--dry-run` prints), and runs the plan through the shared executor. Timeouts
 * are in seconds. Every verb throws `CapstanError` USAGE `no such service: x` for a service the
 * project does not have.
 */

/** What the verbs need from {@link Compose}: observation, the executor and the event sink. */
export interface VerbContext {
  observe(project: Project): Promise<ObservedState>;
  execute(plan: Plan, signal: AbortSignal | undefined, project: Project): Promise<void>;
  emit: EventSink;
}

/** Options every lifecycle verb shares: the services (all when empty), dry run, Ctrl+C. */
export interface LifecycleOptions {
  /** Services named on the command line; empty or absent = every service of the project. */
  services?: string[];
  /** Plan only (the caller prints the returned plan); change nothing. */
  dryRun?: boolean;
  /** Ctrl+C: stop starting new steps. */
  signal?: AbortSignal;
}

/** Options of `stop` (`-t`, seconds before SIGKILL; default the service's `stop_grace_period`, else the engine's). */
export interface StopOptions extends LifecycleOptions {
  timeoutSeconds?: number;
}

/** Options of `start`: `--wait` (every container of the services running, healthy where it has a healthcheck) within `--wait-timeout` seconds. */
export interface StartOptions extends LifecycleOptions {
  wait?: boolean;
  waitTimeoutSeconds?: number;
}

/** Options of `restart`: `-t` (seconds), `--no-deps` (do not restart dependents declaring `restart: true`). */
export interface RestartOptions extends LifecycleOptions {
  timeoutSeconds?: number;
  noDeps?: boolean;
}

/** Options of `kill`: `-s` (a signal name or number; the engine's SIGKILL by default), `--remove-orphans`. */
export interface KillOptions extends LifecycleOptions {
  killSignal?: string;
  /** Also signal containers of services no longer in the compose file (compose's kill does not remove them). */
  removeOrphans?: boolean;
}

/** Options of `pause` and `unpause`. */
export type PauseOptions = LifecycleOptions;

/**
 * Options of `rm`: `-s` (stop running containers first, within `timeoutSeconds`), `-v` (remove
 * the containers' anonymous volumes; named volumes are never removed), and `confirm`, asked
 * with the container names before anything is removed (absent: no question, as `-f`).
 */
export interface RmOptions extends LifecycleOptions {
  stop?: boolean;
  volumes?: boolean;
  timeoutSeconds?: number;
  confirm?: (containers: string[]) => Promise<boolean>;
}

/** Result of `rm`: the plan, and whether the user declined (then nothing ran). */
export interface RmResult {
  plan: Plan;
  declined: boolean;
}

/** Selected services in dependency order (unknown-to-the-graph label-only services last). */
function ordered(project: Project, selected: Set<string>): string[] {
  const order = dependencyOrder(project);
  return [...order.filter((s) => selected.has(s)), ...[...selected].filter((s) => !order.includes(s))];
}

function selection(project: Project, services: string[] | undefined): Set<string> {
  return new Set(services?.length ? services : Object.keys(project.services));
}

const serviceContainers = (observed: ObservedState, service: string): ObservedContainer[] =>
  observed.containers.filter((c) => c.service === service && !c.oneoff);

/** Running in the sense that stopping it does something: running, restarting or paused. */
const isRunning = (c: ObservedContainer): boolean => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';

/**
 * What a container of `name` starts after: the start steps of the dependencies it declares with
 * `service_started`, and a wait step (shared by the services that need it) for those with
 * `service_healthy` / `service_completed_successfully` — compose's `waitDependencies`. `keep`
 * picks the `depends_on` entries that count (`restart` keeps only `restart: true` ones).
 */
function dependencyWaits(
  b: PlanBuilder,
  project: Project,
  observed: ObservedState,
  planned: Map<string, string[]>,
  name: string,
  keep: (dep: ReturnType<typeof dependenciesOf>[number]) => boolean,
): string[] {
  const service = project.services[name];
  if (!service) return [];
  return dependenciesOf(service)
    .filter(keep)
    .flatMap((dep) => {
      if (dep.condition === 'service_started') return planned.get(dep.on) ?? [];
      const containers = serviceContainers(observed, dep.on).map((c) => c.name);
      if (!containers.length) return [];
      const kind = dep.condition === 'service_healthy' ? 'healthy' : 'completed';
      const id = `wait-${kind}:${dep.on}${dep.required ? '' : ':optional'}`;
      if (!b.has(id)) {
        const cause = `depends_on ${dep.on}: ${dep.condition}${dep.required ? '' : ' (required: false)'}`;
        const type = kind === 'healthy' ? 'wait-healthy' : 'wait-completed';
        b.step(undefined, id, planned.get(dep.on) ?? [], { type, service: dep.on, containers, required: dep.required }, cause);
      }
      return [id];
    });
}

/** Plan `stop [SERVICE...] [-t N]`: {@link planStop}, after checking the service names. */
export function planStopVerb(project: Project, observed: ObservedState, options: StopOptions = {}): Plan {
  checkServices(project, options.services);
  return planStop(project, observed, { services: options.services, timeoutSeconds: options.timeoutSeconds });
}

/**
 * Plan `start [SERVICE...]`: start the stopped (created, exited) containers of the services in
 * dependency order — a container starts after those of the services it depends on, and after a
 * wait for the dependency's `service_healthy` / `service_completed_successfully` condition (as
 * compose's start waits for dependencies).
 */
export function planStart(project: Project, observed: ObservedState, options: StartOptions = {}): Plan {
  checkServices(project, options.services);
  const b = new PlanBuilder(project.name);
  const planned = new Map<string, string[]>();
  for (const name of ordered(project, selection(project, options.services))) {
    const pending = serviceContainers(observed, name).some((c) => !isRunning(c) && c.state !== 'removing');
    const after = pending ? dependencyWaits(b, project, observed, planned, name, () => true) : [];
    const ids: string[] = [];
    for (const c of serviceContainers(observed, name)) {
      if (isRunning(c) || c.state === 'removing') continue;
      const node = b.node('container', c.name, name, 'start', '');
      const id = `start-container:${c.name}`;
      b.step(node, id, after, { type: 'start-container', service: name, name: c.name }, 'start');
      ids.push(id);
    }
    planned.set(name, ids);
  }
  return b.plan();
}

/**
 * The services `restart` touches, with why: the named ones (every one when none is named), then,
 * unless `noDeps`, every service that declares `depends_on: {x: {restart: true}}` on one of them,
 * transitively (compose's restart keeps only the `restart: true` edges).
 */
export function restartSelection(project: Project, services: string[] | undefined, noDeps?: boolean): Map<string, string> {
  const why = new Map<string, string>();
  for (const s of selection(project, services)) why.set(s, '');
  if (noDeps || !services?.length) return why;
  const queue = [...why.keys()];
  while (queue.length) {
    const on = queue.shift()!;
    for (const s of Object.values(project.services)) {
      if (why.has(s.name)) continue;
      if (dependenciesOf(s).some((d) => d.on === on && d.restart)) {
        why.set(s.name, `depends_on ${on}: restart: true`);
        queue.push(s.name);
      }
    }
  }
  return why;
}

/**
 * Plan `restart [SERVICE...] [-t N] [--no-deps]`: each container of the selected services is
 * stopped (when running, within `-t`) and started again, service by service in dependency order
 * over the `restart: true` edges (compose's restart drops the others): a dependent restarts after
 * the service it depends on is started again, and after its `service_healthy` /
 * `service_completed_successfully` condition holds (compose's restart.go `waitDependencies`).
 */
export function planRestart(project: Project, observed: ObservedState, options: RestartOptions = {}): Plan {
  checkServices(project, options.services);
  const b = new PlanBuilder(project.name);
  const why = restartSelection(project, options.services, options.noDeps);
  const planned = new Map<string, string[]>();
  for (const name of ordered(project, new Set(why.keys()))) {
    const after = dependencyWaits(b, project, observed, planned, name, (d) => d.restart === true);
    const cause = why.get(name) ?? '';
    const ids: string[] = [];
    for (const c of serviceContainers(observed, name)) {
      if (c.state === 'removing') continue;
      const node = b.node('container', c.name, name, 'restart', cause);
      const stopId = `stop-container:${c.name}`;
      const startId = `start-container:${c.name}`;
      const timeoutSeconds = stopTimeout(project.services[name], options);
      if (isRunning(c)) b.step(node, stopId, after, { type: 'stop-container', service: name, name: c.name, id: c.id, timeoutSeconds }, cause || 'restart');
      b.step(node, startId, isRunning(c) ? [stopId] : after, { type: 'start-container', service: name, name: c.name }, cause || 'restart');
      ids.push(startId);
    }
    planned.set(name, ids);
  }
  return b.plan();
}

/** One-step-per-container plans (kill, pause, unpause): one `op` per container, all in parallel. */
function planEach(
  project: Project,
  containers: ObservedContainer[],
  action: NodeAction,
  op: (c: ObservedContainer) => Operation,
  cause: (c: ObservedContainer) => string = () => '',
): Plan {
  const b = new PlanBuilder(project.name);
  for (const c of containers) {
    const node = b.node('container', c.name, c.service, action, cause(c));
    b.step(node, `${op(c).type}:${c.name}`, [], op(c), cause(c) || action);
  }
  return b.plan();
}

/**
 * Plan `kill [SERVICE...] [-s SIGNAL] [--remove-orphans]`: signal every running container of the
 * services (one-off `run` containers included, as compose does); with `removeOrphans` also those
 * of services the project no longer has (they are signalled, not removed).
 */
export function planKill(project: Project, observed: ObservedState, options: KillOptions = {}): Plan {
  checkServices(project, options.services);
  const selected = selection(project, options.services);
  const orphan = (c: ObservedContainer): boolean => !(c.service in project.services);
  const containers = observed.containers.filter(
    (c) => isRunning(c) && (selected.has(c.service) || (options.removeOrphans && !options.services?.length && orphan(c))),
  );
  return planEach(
    project,
    containers,
    'kill',
    (c) => ({ type: 'kill-container', service: c.service, name: c.name, id: c.id, signal: options.killSignal }),
    (c) => (orphan(c) ? 'orphan: service not in the compose file' : ''),
  );
}

/** Plan `pause [SERVICE...]`: pause the running service containers (not one-off `run` ones, as compose's pause.go). */
export function planPause(project: Project, observed: ObservedState, options: PauseOptions = {}): Plan {
  checkServices(project, options.services);
  const selected = selection(project, options.services);
  const containers = observed.containers.filter((c) => selected.has(c.service) && !c.oneoff && c.state === 'running');
  return planEach(project, containers, 'pause', (c) => ({ type: 'pause-container', service: c.service, name: c.name, id: c.id }));
}

/** Plan `unpause [SERVICE...]`: resume the paused service containers (not one-off `run` ones). */
export function planUnpause(project: Project, observed: ObservedState, options: PauseOptions = {}): Plan {
  checkServices(project, options.services);
  const selected = selection(project, options.services);
  const containers = observed.containers.filter((c) => selected.has(c.service) && !c.oneoff && c.state === 'paused');
  return planEach(project, containers, 'unpause', (c) => ({ type: 'unpause-container', service: c.service, name: c.name, id: c.id }));
}

/**
 * Plan `rm [SERVICE...] [-s] [-v]`: remove the stopped containers of the services (not the
 * one-off `run` containers, as compose); with `stop`, running ones are stopped first (within `-t`), else left alone. With
 * `volumes`, the engine removes each container's anonymous volumes (`DELETE ?v=1` never touches
 * named volumes).
 */
export function planRm(project: Project, observed: ObservedState, options: RmOptions = {}): Plan {
  checkServices(project, options.services);
  const selected = selection(project, options.services);
  const b = new PlanBuilder(project.name);
  for (const c of observed.containers.filter((c) => selected.has(c.service) && !c.oneoff)) {
    if (c.state === 'removing') continue;
    const running = isRunning(c);
    if (running && !options.stop) continue;
    const node = b.node('container', c.name, c.service, 'remove', options.volumes ? '-v' : '');
    const stopId = `stop-container:${c.name}`;
    if (running) {
      const timeoutSeconds = stopTimeout(project.services[c.service], options);
      b.step(node, stopId, [], { type: 'stop-container', service: c.service, name: c.name, id: c.id, timeoutSeconds }, 'rm -s');
    }
    b.step(node, `remove-container:${c.name}`, running ? [stopId] : [], {
      type: 'remove-container',
      service: c.service,
      name: c.name,
      id: c.id,
      volumes: Boolean(options.volumes),
    }, options.volumes ? 'rm -v' : 'rm');
  }
  return b.plan();
}

/** Observe, plan, and (unless `dryRun`) execute; returns the plan. */
async function apply(
  ctx: VerbContext,
  project: Project,
  options: LifecycleOptions,
  plan: (observed: ObservedState) => Plan,
): Promise<Plan> {
  const p = plan(await ctx.observe(project));
  if (options.dryRun) return p;
  for (const warning of p.warnings) ctx.emit({ type: 'warning', message: warning });
  await ctx.execute(p, options.signal, project);
  return p;
}

/** `stop`: stop the running containers (dependents first). */
export const stop = (ctx: VerbContext, project: Project, options: StopOptions = {}): Promise<Plan> =>
  apply(ctx, project, options, (o) => planStopVerb(project, o, options));

/** `start`: start the stopped containers (dependencies first). */
export const start = (ctx: VerbContext, project: Project, options: StartOptions = {}): Promise<Plan> =>
  apply(ctx, project, options, (o) => planStart(project, o, options));

/** `restart`: stop and start the containers, and their `restart: true` dependents. */
export const restart = (ctx: VerbContext, project: Project, options: RestartOptions = {}): Promise<Plan> =>
  apply(ctx, project, options, (o) => planRestart(project, o, options));

/**
 * `kill`: send a signal (SIGKILL by default) to the running containers; with none, says `no
 * container to kill` (an `info` event: compose prints it plainly on stderr, not as a warning).
 */
export async function kill(ctx: VerbContext, project: Project, options: KillOptions = {}): Promise<Plan> {
  const plan = await apply(ctx, project, options, (o) => planKill(project, o, options));
  if (!plan.steps.length) ctx.emit({ type: 'info', message: 'no container to kill' });
  return plan;
}

/** `pause`: freeze the running containers. */
export const pause = (ctx: VerbContext, project: Project, options: PauseOptions = {}): Promise<Plan> =>
  apply(ctx, project, options, (o) => planPause(project, o, options));

/** `unpause`: resume the paused containers. */
export const unpause = (ctx: VerbContext, project: Project, options: PauseOptions = {}): Promise<Plan> =>
  apply(ctx, project, options, (o) => planUnpause(project, o, options));

/**
 * `rm`: remove stopped containers (running ones too with `stop`). Asks `confirm` with the
 * container names first, unless `dryRun`; a "no" runs nothing (`declined`).
 */
export async function rm(ctx: VerbContext, project: Project, options: RmOptions = {}): Promise<RmResult> {
  const plan = planRm(project, await ctx.observe(project), options);
  if (options.dryRun || !plan.nodes.length) return { plan, declined: false };
  if (options.confirm && !(await options.confirm(plan.nodes.map((n) => n.name)))) return { plan, declined: true };
  await ctx.execute(plan, options.signal, project);
  return { plan, declined: false };
}
