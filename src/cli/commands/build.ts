import { Command } from 'commander';
import type { BuildOptions } from '../../compose/index.js';
import { formatPlan } from '../../compose/index.js';
import { interruptSignals, loadFromGlobals, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan build`'s flags, as commander parses them. */
export interface BuildFlags {
  quiet?: boolean;
}

/** `capstan build [SERVICE...]`: build the images of services that have `build:`. */
export function command(): Command {
  const command = new Command('build')
    .description('Build or rebuild services')
    .argument('[services...]')
    .option('-q, --quiet', "don't print anything to stdout");
  return handledBy(command, run);
}

/**
 * Loads the project and builds the images of `services` (all by default); `-q` silences the
 * progress. With the global `--dry-run`, prints the build plan and builds nothing.
 */
export async function run(g: GlobalOptions, flags: BuildFlags, services: string[]): Promise<number> {
  const project = await loadFromGlobals(g);
  const { compose, progress } = session(flags.quiet ? { ...g, progress: 'quiet' } : g, 'Building');
  const interrupt = interruptSignals();
  const dryRun = Boolean(g.dryRun);
  const options: BuildOptions = { services, signal: interrupt.signal, dryRun };
  let plan;
  try {
    plan = await compose.build(project, options);
  } finally {
    progress.close();
    interrupt.dispose();
  }
  if (dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
