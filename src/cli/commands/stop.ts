import { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan stop`'s flags, as commander parses them. */
export interface StopFlags {
  timeout?: number;
  dryRun?: boolean;
}

/** `capstan stop [SERVICE...]`: `-t` (seconds), `--dry-run` (docker compose's cmd/compose/stop.go). */
export function command(): Command {
  const command = new Command('stop')
    .description('Stop services')
    .argument('[service...]')
    .option('-t, --timeout <seconds>', 'Specify a shutdown timeout in seconds', int)
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** Stops the running containers of the services (all when none is named), dependents first. */
export function run(g: GlobalOptions, flags: StopFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Stopping', (compose, project, base) =>
    compose.stop(project, { ...base, services, timeoutSeconds: flags.timeout }),
    services,
  );
}
