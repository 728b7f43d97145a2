import { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan start`'s flags, as commander parses them. */
export interface StartFlags {
  dryRun?: boolean;
}

/** `capstan start [SERVICE...]`: `--dry-run` (docker compose's cmd/compose/start.go). */
export function command(): Command {
  const command = new Command('start')
    .description('Start services')
    .argument('[service...]')
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** Starts the stopped containers of the services (all when none is named), dependencies first. */
export function run(g: GlobalOptions, flags: StartFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Starting', (compose, project, base) => compose.start(project, { ...base, services }));
}
