import type { ContainerSpec } from './container-spec.js';
import type { EndpointSettings, NetworkCreateBody, VolumeCreateBody } from '../engine/types.js';
import type { BuildRequest } from './build.js';
import type { PreStartContainer } from './pre-start.js';

/**
 * One Plan type (ARCHITECTURE.md): what a command will do, as data, in the order it was decided.
 *
 * - `nodes`: one per resource the planner looked at — what happens to it (`action`) and why
 *   (`cause`), with the ids of the steps that carry it out (none when it is up to date). The human
 *   view ({@link formatPlan}, `--dry-run`) is derived from them.
 * - `steps`: the DAG the executor runs — each one Engine API call (or a wait), with the steps it
 *   waits for and its own `cause`. A step belongs to at most one node (the `depends_on` waits
 *   belong to none: several services share them).
 */
export class Plan {
  constructor(
    readonly project: string,
    readonly nodes: PlanNode[],
    readonly steps: PlanStep[],
    /** Things the user should know that are not changes (orphans left alone, unmanaged networks). */
    readonly warnings: string[],
  ) {}

  /** The plan as people read it: {@link formatPlan}. */
  toString(): string {
    return formatPlan(this);
  }
}

/** The kinds of engine object a plan node is about. */
export type ResourceKind = 'network' | 'volume' | 'image' | 'container';

/** What happens to one resource, for people. */
export type NodeAction =
  | 'create'
  | 'recreate'
  | 'start'
  | 'restart'
  | 'build'
  | 'pull'
  | 'push'
  | 'stop'
  | 'kill'
  | 'pause'
  | 'unpause'
  | 'remove'
  | 'run'
  | 'up to date';

/**
 * One decision about one resource: what happens to it, why, and the steps that do it.
 * `cause` names the field that changed where there is one (`config changed: environment.LOG_LEVEL`);
 * it is empty where the command itself is the reason (`down`, `stop`) and for "up to date".
 */
export interface PlanNode {
  resource: ResourceKind;
  /** Engine name: `shop_default`, `shop-web-1`, `shop-web`. */
  name: string;
  service?: string;
  action: NodeAction;
  cause: string;
  /** Ids of the steps (in {@link Plan.steps}) that carry out this action, in plan order. */
  steps: string[];
}

/** One executable step: one Engine API call or one wait, and why it is there. */
export interface PlanStep {
  /** Unique and stable, e.g. `create-container:shop-web-1`. */
  id: string;
  /** Ids of the steps that must finish first. */
  dependsOn: string[];
  op: Operation;
  /** Why this step is in the plan: its node's cause, or its own (`depends_on db: service_healthy`, `down`). */
  cause: string;
}

/**
 * What one step does: exactly one Engine API call (create/start/stop/remove/rename/connect…), a
 * build, or a wait on a `depends_on` condition. Timeouts are in seconds.
 */
export type Operation =
  | { type: 'create-network'; key: string; body: NetworkCreateBody }
  /**
   * `DELETE /networks/{id}`: `id` when known (the engine's ID of the labelled network: a name can
   * match an unlabelled look-alike or another labelled copy too, network names are not unique),
   * else `name`.
   */
  | { type: 'remove-network'; name: string; id?: string }
  | { type: 'connect-network'; network: string; container: string; endpoint?: EndpointSettings }
  | { type: 'disconnect-network'; network: string; container: string }
  | { type: 'create-volume'; key: string; body: VolumeCreateBody }
  | { type: 'remove-volume'; name: string }
  /** `DELETE /images/{name}` (`down --rmi`); a missing image is not an error. */
  | { type: 'remove-image'; name: string }
  | { type: 'build-image'; service: string; request: BuildRequest }
  /**
   * `POST /images/create`. `build`: the service can be built, so a failed pull builds instead;
   * `ignoreFailure`: a failed pull is only a warning (`pull --ignore-pull-failures`, buildable).
   */
  | { type: 'pull-image'; service: string; image: string; platform?: string; build?: BuildRequest; ignoreFailure?: boolean }
  /** `POST /images/{name}/push`; `ignoreFailure`: `push --ignore-push-failures`. */
  | { type: 'push-image'; service: string; image: string; ignoreFailure?: boolean }
  /** `name`: what it is created as (a temporary name while it replaces `finalName`, else the same). */
  | { type: 'create-container'; service: string; name: string; finalName: string; spec: ContainerSpec }
  | { type: 'start-container'; service: string; name: string }
  /** A `pre_start` hook container run to its exit before the service's containers start (`pre-start.ts`). */
  | { type: 'run-pre-start'; service: string; project: string; hook: PreStartContainer }
  | { type: 'stop-container'; service: string; name: string; id: string; timeoutSeconds?: number }
  | { type: 'remove-container'; service: string; name: string; id: string; volumes?: boolean }
  /** `signal`: a name (`SIGUSR1`, `USR1`) or number; the engine's default (SIGKILL) when absent. */
  | { type: 'kill-container'; service: string; name: string; id: string; signal?: string }
  | { type: 'pause-container'; service: string; name: string; id: string }
  | { type: 'unpause-container'; service: string; name: string; id: string }
  | { type: 'rename-container'; service: string; from: string; to: string }
  | { type: 'wait-healthy'; service: string; containers: string[]; required: boolean }
  | { type: 'wait-completed'; service: string; containers: string[]; required: boolean };

/** Number of nodes that change something. */
function changeCount(plan: Plan): number {
  return plan.nodes.filter((n) => n.action !== 'up to date').length;
}

/**
 * The plan as people read it (UX.md): a header, then one aligned line per node — resource,
 * name, action, cause — then the warnings.
 *
 * ```
 * Plan for project "shop" (2 changes, 3 up to date)
 *   network  shop_default   up to date
 *   container shop-web-1    recreate  config changed: environment.LOG_LEVEL
 * ```
 */
export function formatPlan(plan: Plan): string {
  const changes = changeCount(plan);
  const same = plan.nodes.length - changes;
  const lines = [`Plan for project "${plan.project}" (${changes} change${changes === 1 ? '' : 's'}, ${same} up to date)`];
  const w = (f: (n: PlanNode) => string): number => Math.max(0, ...plan.nodes.map((n) => f(n).length));
  const wk = w((n) => n.resource);
  const wn = w((n) => n.name);
  const wa = w((n) => n.action);
  for (const n of plan.nodes) {
    const line = `  ${n.resource.padEnd(wk)}  ${n.name.padEnd(wn)}  ${n.action.padEnd(wa)}  ${n.cause}`;
    lines.push(line.trimEnd());
  }
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

/** Steps as compact text for tests: `id <- dep1, dep2`, in plan order. */
export function formatSteps(plan: Plan): string {
  return plan.steps.map(stepLine).join('\n');
}

/**
 * Steps with their causes, in plan order, for tests and `--verbose` (compose's `Plan.String()`):
 * `id <- dep1, dep2  # cause`; a refused plan has no steps to print.
 */
export function formatCauses(plan: Plan): string {
  return plan.steps.map((s) => (s.cause ? `${stepLine(s)}  # ${s.cause}` : stepLine(s))).join('\n');
}

function stepLine(s: PlanStep): string {
  return s.dependsOn.length ? `${s.id} <- ${s.dependsOn.join(', ')}` : s.id;
}

/**
 * Records a plan as it is decided: nodes (one per resource), and steps attributed to a node (or to
 * none). Checks that step ids are unique and that dependencies exist. Shared by the planners.
 */
export class PlanBuilder {
  private readonly nodes: PlanNode[] = [];
  private readonly steps: PlanStep[] = [];
  private readonly byId = new Map<string, PlanStep>();
  private readonly warnings: string[] = [];

  constructor(private readonly project: string) {}

  /** Record the decision about one resource; its steps follow with {@link step}. */
  node(resource: ResourceKind, name: string, service: string | undefined, action: NodeAction, cause: string): PlanNode {
    const node: PlanNode = { resource, name, ...(service === undefined ? {} : { service }), action, cause, steps: [] };
    this.nodes.push(node);
    return node;
  }

  /** Whether a step with this id is already in the plan. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * Add a step of `node` (or of no node: `undefined`, then `cause` is required). Its cause is
   * `cause` if given, else the node's.
   */
  step(node: PlanNode | undefined, id: string, dependsOn: string[], op: Operation, cause?: string): void {
    if (this.byId.has(id)) throw new Error(`planner bug: duplicate step ${id}`);
    for (const dep of dependsOn) if (!this.byId.has(dep)) throw new Error(`planner bug: ${id} depends on unknown ${dep}`);
    const step: PlanStep = { id, dependsOn: [...new Set(dependsOn)], op, cause: cause ?? node?.cause ?? '' };
    this.byId.set(id, step);
    this.steps.push(step);
    node?.steps.push(id);
  }

  /** Make the existing step `id` wait for `dep` too (no-op when `id` is not in the plan). */
  before(id: string, dep: string): void {
    const step = this.byId.get(id);
    if (step && !step.dependsOn.includes(dep)) step.dependsOn.push(dep);
  }

  /** The dependencies of step `id` so far (empty when it is not in the plan). */
  dependenciesOf(id: string): string[] {
    return [...(this.byId.get(id)?.dependsOn ?? [])];
  }

  /** Add a warning (printed with the plan, not a change). */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** The plan as recorded so far. */
  plan(): Plan {
    return new Plan(this.project, this.nodes, this.steps, this.warnings);
  }
}
