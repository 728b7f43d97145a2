/**
 * Capstan as a library: load a compose project exactly as `docker compose` does, then drive it
 * through a {@link Compose} object whose methods mirror the CLI.
 *
 * ```ts
 * import { loadProject, Compose, EngineClient } from 'capstan';
 * const project = await loadProject({ files: ['compose.yaml'] });
 * const compose = new Compose({ engine: EngineClient.fromEnvironment() });
 * await compose.up(project, { detach: true, wait: true });
 * ```
 */
export { loadProject, type LoadOptions } from './loader/index.js';
// the compose layer's face (Compose, its verbs' options and results, formatPlan, config queries)
export * from './compose/index.js';
export { planUp, planDown, VolumeDivergedError, type UpPlanOptions, type DownPlanOptions } from './compose/planner.js';
export { formatCauses, type PlanNode, type PlanStep } from './compose/plan.js';
export type { ComposeEvent, ProgressEvent, EventSink } from './compose/events.js';
export { EngineClient } from './engine/client.js';
export type { Engine } from './engine/types.js';
export * from './errors.js';
export type * from './model/types.js';
export { VERSION } from './version.js';
