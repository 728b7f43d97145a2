import { Command } from 'commander';
import { formatPlan, type DownOptions } from '../../compose/index.js';
import { checkServiceNames, downOrphanOptions, interruptSignals, loadOrLabels, prefetchFor, session, type GlobalOptions } from '../context.js';
import { CapstanError } from '../../errors.js';
import { handledBy, int } from '../options.js';

/** `capstan down`'s flags, as commander parses them. */
export interface DownFlags {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: number;
  dryRun?: boolean;
  rmi?: string;
}

/** `capstan down [SERVICE...]`: `-v`, `--remove-orphans`, `-t`, `--dry-run`. */
export function command(): Command {
  const command = new Command('down')
    .description('Stop and remove containers, networks')
    .argument('[services...]')
    .option('-v, --volumes', 'remove named volumes declared in the "volumes" section and anonymous volumes')
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', int)
    .option('--dry-run', 'print the plan; change nothing')
    .option('--rmi <type>', 'remove images used by services: "local" removes only images that don\'t have a custom tag ("local"|"all")');
  return handledBy(command, run);
}

/**
 * Removes the project's containers and networks (volumes with `-v`); the project comes from the
 * compose files, or from labels with `-p` and no file. With `--dry-run`, prints the plan instead.
 * @throws CapstanError USAGE `no such service: x` for a service the project lacks
 */
export async function run(g: GlobalOptions, flags: DownFlags, services: string[]): Promise<number> {
  if (flags.rmi !== undefined && flags.rmi !== 'local' && flags.rmi !== 'all') {
    throw new CapstanError('USAGE', `--rmi: invalid value "${flags.rmi}"`, { hint: 'use local or all' });
  }
  const { compose, progress } = session(g);
  prefetchFor(g, compose);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const interrupt = interruptSignals();
  const dryRun = Boolean(flags.dryRun || g.dryRun);
  const options: DownOptions = {
    services,
    volumes: flags.volumes,
    ...downOrphanOptions(flags.removeOrphans),
    timeoutSeconds: flags.timeout,
    rmi: flags.rmi as DownOptions['rmi'],
    dryRun,
    signal: interrupt.signal,
  };
  let plan;
  try {
    plan = await compose.down(project, options);
  } finally {
    progress.close();
    interrupt.dispose();
  }
  // after close(): on a terminal, a progress frame drawn later would move the cursor up over the plan
  if (dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
