import { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan start`'s flags, as commander parses them. */
export interface StartFlags {
  wait?: boolean;
  waitTimeout?: number;
  dryRun?: boolean;
}

/** `capstan start [SERVICE...]`: `--wait`, `--wait-timeout`, `--dry-run` (docker compose's cmd/compose/start.go). */
export function command(): Command {
  const command = new Command('start')
    .description('Start services')
    .argument('[service...]')
    .option('--wait', 'Wait for services to be running|healthy')
    .option('--wait-timeout <seconds>', 'Maximum duration in seconds to wait for the project to be running|healthy', int)
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** Starts the stopped containers of the services (all when none is named), dependencies first. */
export function run(g: GlobalOptions, flags: StartFlags, services: string[]): Promise<number> {
  return runPlanned(g, flags.dryRun, 'Starting', (compose, project, base) =>
    compose.start(project, { ...base, services, wait: flags.wait, waitTimeoutSeconds: flags.waitTimeout }),
    services,
  );
}
