import type { Project } from '../../model/types.js';
import { preStartImages } from '../pre-start.js';
import type { Engine } from '../../engine/types.js';
import { checkServices, withDependencies } from '../graph.js';
import type { Plan } from '../plan.js';
import { planPull, planPush, type PullCommandOptions, type PushCommandOptions } from '../pull.js';
import { observe } from '../observed.js';

/**
 * `pull [SERVICE...]` and `push [SERVICE...]` (docker compose `pkg/compose/pull.go`, `push.go`):
 * plan the pulls / pushes of the selected services' images, then run them in parallel through
 * the executor (each a `pull-image` / `push-image` step).
 */

/** Options of `pull`: the services (all when empty), `--include-deps`, `--policy`, `--ignore-*`, dry run. */
export interface PullOptions extends PullCommandOptions {
  services?: string[];
  /** `--include-deps`: also pull the named services' dependencies. */
  includeDeps?: boolean;
  /** Plan only (the caller prints the returned plan). */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** Options of `push`: the services (all when empty), `--include-deps`, `--ignore-push-failures`, dry run. */
export interface PushOptions extends PushCommandOptions {
  services?: string[];
  includeDeps?: boolean;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** What the verbs need from {@link Compose}. */
export interface PullContext {
  engine: Engine;
  execute(plan: Plan, signal: AbortSignal | undefined): Promise<void>;
}

/** The selected services, in file order: the named ones (and their dependencies with `includeDeps`), or all. */
function selected(project: Project, services: string[] | undefined, includeDeps: boolean | undefined): string[] {
  if (!services?.length) return Object.keys(project.services);
  checkServices(project, services);
  const names = includeDeps ? withDependencies(project, services) : new Set(services);
  return Object.keys(project.services).filter((s) => names.has(s));
}

/**
 * `pull`: the plan ({@link planPull}), executed unless `dryRun`; returns it.
 * @throws CapstanError USAGE for an unknown service; the first failed pull (unless ignored).
 */
export async function pullServices(ctx: PullContext, project: Project, options: PullOptions = {}): Promise<Plan> {
  const services = selected(project, options.services, options.includeDeps).map((s) => project.services[s]!);
  const refs = services.flatMap((s) => [s.image, ...preStartImages(project, s)]).filter((i): i is string => Boolean(i));
  const observed = await observe(ctx.engine, project.name, { images: refs });
  const plan = planPull(project, services, observed, options);
  if (!options.dryRun) await ctx.execute(plan, options.signal);
  return plan;
}

/**
 * `push`: the plan ({@link planPush}), executed unless `dryRun`; returns it.
 * @throws CapstanError USAGE for an unknown service; the first failed push (unless ignored).
 */
export async function pushServices(ctx: PullContext, project: Project, options: PushOptions = {}): Promise<Plan> {
  const services = selected(project, options.services, options.includeDeps).map((s) => project.services[s]!);
  const plan = planPush(project, services, options);
  if (!options.dryRun) await ctx.execute(plan, options.signal);
  return plan;
}
