import { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan restart`'s flags, as commander parses them. */
export interface RestartFlags {
  timeout?: number;
  deps?: boolean;
  dryRun?: boolean;
}

/** `capstan restart [SERVICE...]`: `-t` (seconds), `--no-deps`, `--dry-run` (cmd/compose/restart.go). */
export function command(): Command {
  const command = new Command('restart')
    .description('Restart service containers')
    .argument('[service...]')
    .option('--no-deps', "Don't restart dependent services")
    .option('-t, --timeout <seconds>', 'Specify a shutdown timeout in seconds', int)
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/**
 * Restarts the containers of the services (all when none is named), and, unless `--no-deps`,
 * of the services declaring `depends_on: {x: {restart: true}}` on them.
 */
export function run(g: GlobalOptions, flags: RestartFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Restarting', (compose, project, base) =>
    compose.restart(project, { ...base, services, timeoutSeconds: flags.timeout, noDeps: flags.deps === false }),
    services,
  );
}
