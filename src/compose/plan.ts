import type { ContainerSpec } from './container-spec.js';
import type { EndpointSettings, NetworkCreateBody, VolumeCreateBody } from '../engine/types.js';
import type { BuildRequest } from './build.js';

/**
 * One Plan type (ARCHITECTURE.md): what a command will do, as data. `entries` are what a person
 * reads — one line per resource with an action and a reason; `steps` are the DAG the executor
 * runs — each one Engine API call (or a wait), with the steps it waits for.
 */
export interface Plan {
  project: string;
  entries: PlanEntry[];
  steps: PlanStep[];
  /** Things the user should know that are not changes (orphans left alone, unmanaged networks). */
  warnings: string[];
}

/** The kinds of engine object a plan entry is about. */
export type ResourceKind = 'network' | 'volume' | 'image' | 'container';

/** What happens to one resource, for people. */
export type EntryAction = 'create' | 'recreate' | 'start' | 'restart' | 'build' | 'stop' | 'remove' | 'up to date';

/** One line of the plan as people read it: a resource, what happens to it, and why. */
export interface PlanEntry {
  resource: ResourceKind;
  /** Engine name: `shop_default`, `shop-web-1`, `shop-web`. */
  name: string;
  service?: string;
  action: EntryAction;
  /** Why, naming the field that changed where there is one; empty for "up to date". */
  reason: string;
}

/** One executable step: one Engine API call or one wait. */
export interface PlanStep {
  /** Unique and stable, e.g. `create-container:shop-web-1`. */
  id: string;
  /** Ids of the steps that must finish first. */
  dependsOn: string[];
  op: Operation;
}

/**
 * What one step does: exactly one Engine API call (create/start/stop/remove/rename/connect…), a
 * build, or a wait on a `depends_on` condition. Timeouts are in seconds.
 */
export type Operation =
  | { type: 'create-network'; key: string; body: NetworkCreateBody }
  | { type: 'remove-network'; name: string }
  | { type: 'connect-network'; network: string; container: string; endpoint?: EndpointSettings }
  | { type: 'disconnect-network'; network: string; container: string }
  | { type: 'create-volume'; key: string; body: VolumeCreateBody }
  | { type: 'remove-volume'; name: string }
  | { type: 'build-image'; service: string; request: BuildRequest }
  /** `name`: what it is created as (a temporary name while it replaces `finalName`, else the same). */
  | { type: 'create-container'; service: string; name: string; finalName: string; spec: ContainerSpec }
  | { type: 'start-container'; service: string; name: string }
  | { type: 'stop-container'; service: string; name: string; id: string; timeoutSeconds?: number }
  | { type: 'remove-container'; service: string; name: string; id: string; volumes?: boolean }
  | { type: 'rename-container'; service: string; from: string; to: string }
  | { type: 'wait-healthy'; service: string; containers: string[]; required: boolean }
  | { type: 'wait-completed'; service: string; containers: string[]; required: boolean };

/** Number of entries that change something. */
function changeCount(plan: Plan): number {
  return plan.entries.filter((e) => e.action !== 'up to date').length;
}

/**
 * The plan as people read it (UX.md): a header, then one aligned line per resource.
 *
 * ```
 * Plan for project "shop" (2 changes, 3 up to date)
 *   network  shop_default   up to date
 *   container shop-web-1    recreate  config changed: environment.LOG_LEVEL
 * ```
 */
export function formatPlan(plan: Plan): string {
  const changes = changeCount(plan);
  const same = plan.entries.length - changes;
  const lines = [`Plan for project "${plan.project}" (${changes} change${changes === 1 ? '' : 's'}, ${same} up to date)`];
  const w = (f: (e: PlanEntry) => string): number => Math.max(0, ...plan.entries.map((e) => f(e).length));
  const wk = w((e) => e.resource);
  const wn = w((e) => e.name);
  const wa = w((e) => e.action);
  for (const e of plan.entries) {
    const line = `  ${e.resource.padEnd(wk)}  ${e.name.padEnd(wn)}  ${e.action.padEnd(wa)}  ${e.reason}`;
    lines.push(line.trimEnd());
  }
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

/** Steps as compact text for tests: `id <- dep1, dep2`, in plan order. */
export function formatSteps(plan: Plan): string {
  return plan.steps.map((s) => (s.dependsOn.length ? `${s.id} <- ${s.dependsOn.join(', ')}` : s.id)).join('\n');
}
