import { Command } from 'commander';
import { downOrphanOptions, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan kill`'s flags, as commander parses them. */
export interface KillFlags {
  signal: string;
  removeOrphans?: boolean;
  dryRun?: boolean;
}

/** `capstan kill [SERVICE...]`: `-s`, `--remove-orphans`, `--dry-run` (docker compose's cmd/compose/kill.go). */
export function command(): Command {
  const command = new Command('kill')
    .description('Force stop service containers')
    .argument('[service...]')
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    .option('-s, --signal <signal>', 'SIGNAL to send to the container', 'SIGKILL')
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** Sends the signal to the running containers of the services (all when none is named). */
export function run(g: GlobalOptions, flags: KillFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Killing', (compose, project, base) =>
    compose.kill(project, { ...base, services, killSignal: flags.signal, ...downOrphanOptions(flags.removeOrphans) }),
    services,
  );
}
