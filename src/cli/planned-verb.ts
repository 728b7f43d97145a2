import { formatPlan, type Compose, type Plan } from '../compose/index.js';
import type { LoadOptions } from '../loader/index.js';
import type { Project } from '../model/types.js';
import { checkServiceNames, interruptSignals, loadOrLabels, prefetchFor, session, type GlobalOptions } from './context.js';

/** What every plan-running verb gets besides its own flags: `--dry-run`, and Ctrl+C's signal. */
export interface PlannedBase {
  dryRun: boolean;
  signal: AbortSignal;
}

/**
 * Runs one plan-making `Compose` verb the way `down` does (the lifecycle commands share it): the
 * project from the compose files, or from labels with `-p NAME` and no file; Ctrl+C stops new
 * steps; with `--dry-run` (the command's or the global one) the plan is printed on stdout after
 * the progress display is closed. `services`, the command's operands, are checked against the
 * project before the engine is asked anything; `load` sets loader options (`engineLimits` for the
 * verbs that create containers). Resolves the exit status (0; errors are thrown).
 * @throws CapstanError USAGE `no such service: x` for a service the project lacks
 */
export async function runPlanned(
  g: GlobalOptions,
  dryRunFlag: boolean | undefined,
  title: string,
  verb: (compose: Compose, project: Project, base: PlannedBase) => Promise<Plan>,
  services: readonly string[] = [],
  load: Partial<LoadOptions> = {},
): Promise<number> {
  const { compose, progress } = session(g, title);
  prefetchFor(g, compose);
  const interrupt = interruptSignals();
  const dryRun = Boolean(dryRunFlag || g.dryRun);
  let plan: Plan;
  try {
    const project = await loadOrLabels(g, compose, load);
    checkServiceNames(project, services);
    plan = await verb(compose, project, { dryRun, signal: interrupt.signal });
  } finally {
    progress.close();
    interrupt.dispose();
  }
  if (dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
