import { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan pause`'s flags, as commander parses them. */
export interface PauseFlags {
  dryRun?: boolean;
}

/** `capstan pause [SERVICE...]`: `--dry-run` (docker compose's cmd/compose/pause.go). */
export function command(): Command {
  const command = new Command('pause')
    .description('Pause services')
    .argument('[service...]')
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** Pauses the running containers of the services (all when none is named). */
export function run(g: GlobalOptions, flags: PauseFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Pausing', (compose, project, base) => compose.pause(project, { ...base, services }), services);
}
