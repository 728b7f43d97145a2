import { Command, Option } from 'commander';
import { formatPlan, type PullOptions } from '../../compose/index.js';
import { interruptSignals, loadFromGlobals, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan pull`'s flags, as commander parses them (docker compose's cmd/compose/pull.go). */
export interface PullFlags {
  quiet?: boolean;
  ignoreBuildable?: boolean;
  ignorePullFailures?: boolean;
  includeDeps?: boolean;
  policy?: string;
}

/** `capstan pull [SERVICE...]`: pull the services' images. */
export function command(): Command {
  const command = new Command('pull')
    .description('Pull service images')
    .argument('[services...]')
    .option('-q, --quiet', 'pull without printing progress information')
    .option('--ignore-buildable', 'ignore images that can be built')
    .option('--ignore-pull-failures', 'pull what it can and ignore images with pull failures')
    .option('--include-deps', 'also pull services declared as dependencies')
    .addOption(new Option('--policy <policy>', 'apply pull policy').choices(['missing', 'always']));
  return handledBy(command, run);
}

/**
 * Loads the project and pulls the images of `services` (all by default), in parallel; `-q`
 * silences the progress. With the global `--dry-run`, prints the plan and pulls nothing.
 */
export async function run(g: GlobalOptions, flags: PullFlags, services: string[]): Promise<number> {
  const project = await loadFromGlobals(g, services.length ? { services } : {});
  const { compose, progress } = session(flags.quiet ? { ...g, progress: 'quiet' } : g, 'Pulling');
  const interrupt = interruptSignals();
  const dryRun = Boolean(g.dryRun);
  const options: PullOptions = {
    services,
    includeDeps: flags.includeDeps,
    ignoreBuildable: flags.ignoreBuildable,
    ignorePullFailures: flags.ignorePullFailures,
    ...(flags.policy ? { policy: flags.policy } : {}),
    signal: interrupt.signal,
    dryRun,
  };
  let plan;
  try {
    plan = await compose.pull(project, options);
  } finally {
    progress.close();
    interrupt.dispose();
  }
  if (dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
