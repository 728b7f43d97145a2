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
  try {
    const plan = await compose.down(project, {
      services,
      volumes: flags.volumes,
      ...downOrphanOptions(project, flags.removeOrphans),
      timeoutSeconds: flags.timeout,
      dryRun: flags.dryRun || g.dryRun,
      signal: interrupt.signal,
    });
    progress.close();
    if (flags.dryRun || g.dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
    return 0;
  } finally {
    progress.close();
    interrupt.dispose();
  }
}
