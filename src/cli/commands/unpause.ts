import { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan unpause`'s flags, as commander parses them. */
export interface UnpauseFlags {
  dryRun?: boolean;
}

/** `capstan unpause [SERVICE...]`: `--dry-run` (docker compose's cmd/compose/pause.go). */
export function command(): Command {
  const command = new Command('unpause')
    .description('Unpause services')
    .argument('[service...]')
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** Resumes the paused containers of the services (all when none is named). */
export function run(g: GlobalOptions, flags: UnpauseFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Unpausing', (compose, project, base) => compose.unpause(project, { ...base, services }), services);
}
