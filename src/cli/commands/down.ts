import { formatPlan } from '../../compose/plan.js';
import { downOrphanOptions, interruptSignals, loadOrLabels, prefetchFor, session, type GlobalOptions } from '../context.js';

/** `capstan down [SERVICE...]`: `-v`, `--remove-orphans`, `-t`. */
export async function run(
  g: GlobalOptions,
  flags: { volumes?: boolean; removeOrphans?: boolean; timeout?: number; dryRun?: boolean },
  services: string[],
): Promise<number> {
  const { compose, progress } = session(g);
  prefetchFor(g, compose);
  const project = await loadOrLabels(g, compose);
  const interrupt = interruptSignals();
  let plan;
  try {
    plan = await compose.down(project, {
      services,
      volumes: flags.volumes,
      ...downOrphanOptions(flags.removeOrphans),
      timeoutSeconds: flags.timeout,
      dryRun: flags.dryRun || g.dryRun,
      signal: interrupt.signal,
    });
  } finally {
    progress.close();
    interrupt.dispose();
  }
  // after close(): on a terminal, a progress frame drawn later would move the cursor up over the plan
  if (flags.dryRun || g.dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
