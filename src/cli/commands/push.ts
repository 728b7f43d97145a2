import { Command } from 'commander';
import { formatPlan, type PushOptions } from '../../compose/index.js';
import { interruptSignals, loadFromGlobals, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan push`'s flags, as commander parses them (docker compose's cmd/compose/push.go). */
export interface PushFlags {
  quiet?: boolean;
  ignorePushFailures?: boolean;
  includeDeps?: boolean;
}

/** `capstan push [SERVICE...]`: push the images of services that have `build` and `image`. */
export function command(): Command {
  const command = new Command('push')
    .description('Push service images')
    .argument('[services...]')
    .option('-q, --quiet', 'push without printing progress information')
    .option('--ignore-push-failures', 'push what it can and ignore images with push failures')
    .option('--include-deps', 'also push images of services declared as dependencies');
  return handledBy(command, run);
}

/**
 * Loads the project and pushes the images of `services` (all by default), in parallel; `-q`
 * silences the progress. With the global `--dry-run`, prints the plan and pushes nothing.
 */
export async function run(g: GlobalOptions, flags: PushFlags, services: string[]): Promise<number> {
  const project = await loadFromGlobals(g, services.length ? { services } : {});
  const { compose, progress } = session(flags.quiet ? { ...g, progress: 'quiet' } : g, 'Pushing');
  const interrupt = interruptSignals();
  const dryRun = Boolean(g.dryRun);
  const options: PushOptions = {
    services,
    includeDeps: flags.includeDeps,
    ignorePushFailures: flags.ignorePushFailures,
    signal: interrupt.signal,
    dryRun,
  };
  let plan;
  try {
    plan = await compose.push(project, options);
  } finally {
    progress.close();
    interrupt.dispose();
  }
  if (dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
