import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import { confirm } from '../../ui/prompt.js';
import type { GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan rm`'s flags, as commander parses them. */
export interface RmFlags {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
  dryRun?: boolean;
}

/** `capstan rm [SERVICE...]`: `-f`, `-s`, `-v`, `--dry-run` (docker compose's cmd/compose/remove.go). */
export function command(): Command {
  const command = new Command('rm')
    .description('Removes stopped service containers')
    .argument('[service...]')
    .option('-f, --force', "Don't ask to confirm removal")
    .option('-s, --stop', 'Stop the containers, if required, before removing')
    .option('-v, --volumes', 'Remove any anonymous volumes attached to containers')
    .addOption(new Option('-a, --all', 'Deprecated - no effect').hideHelp())
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/**
 * Removes the stopped containers of the services (running ones too with `-s`). With `-f`, prints
 * `Going to remove …` on stdout and goes ahead; without it, asks that question on a terminal, and
 * off a terminal removes nothing (docker compose's prompt cannot be answered there either: a
 * script must say `-f`). Prints `No stopped containers` when there is nothing to do.
 * @throws CapstanError USAGE without `-f` when stdin or stderr is not a terminal
 */
export function run(g: GlobalOptions, flags: RmFlags, services: string[]): Promise<number> {
  const interactive = !flags.force && Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return runPlanned(g, flags.dryRun, 'Removing', async (compose, project, base) => {
    const { plan } = await compose.rm(project, {
      ...base,
      services,
      stop: flags.stop,
      volumes: flags.volumes,
      confirm: async (names) => {
        const message = `Going to remove ${names.join(', ')}`;
        if (interactive) return confirm(message);
        if (!flags.force) {
          throw new CapstanError('USAGE', `${message}: not confirmed (no terminal to ask on)`, { hint: 'use rm -f to remove without asking' });
        }
        process.stdout.write(`${message}\n`); // compose says it with -f
        return true;
      },
    });
    if (!plan.nodes.length) process.stderr.write('No stopped containers\n');
    return plan;
  }, services);
}
