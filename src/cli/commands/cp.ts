import { Command, Option } from 'commander';
import type { CopyOptions } from '../../compose/index.js';
import { interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';

/** `capstan cp`'s flags, as commander parses them. */
export interface CpFlags {
  index?: number;
  all?: boolean;
  followLink?: boolean;
  archive?: boolean;
  dryRun?: boolean;
}

/**
 * `capstan cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-` and `SRC_PATH|- SERVICE:DEST_PATH`:
 * `--index`, `--all`, `-L`, `-a` (docker compose's cmd/compose/cp.go).
 */
export function command(): Command {
  const command = new Command('cp')
    .description('Copy files/folders between a service container and the local filesystem')
    .usage('[options] SERVICE:SRC_PATH DEST_PATH|-\n       capstan cp [options] SRC_PATH|- SERVICE:DEST_PATH')
    .argument('<source>')
    .argument('<destination>')
    .addOption(new Option('--index <n>', 'index of the container if the service has multiple replicas').argParser(int).default(0))
    .option('--all', 'include containers created by the run command')
    .option('-L, --follow-link', 'always follow symbol link in SRC_PATH')
    .option('-a, --archive', 'archive mode (copy all uid/gid information)')
    .option('--dry-run', 'check the copy; write nothing');
  return handledBy(command, run);
}

/** The verb's options from the flags (the streams are the process's). */
export function cpOptions(flags: CpFlags, globalDryRun = false): CopyOptions {
  return {
    index: flags.index ?? 0,
    all: flags.all === true,
    followLink: flags.followLink === true,
    archive: flags.archive === true,
    dryRun: Boolean(flags.dryRun || globalDryRun),
  };
}

/**
 * Copies; `-` reads a tar stream from stdin (SRC) or writes one to stdout (DEST). Progress on
 * stderr. Resolves 0; errors (an unsafe archive included) are thrown.
 */
export async function run(g: GlobalOptions, flags: CpFlags, operands: string[]): Promise<number> {
  const [source, destination] = operands as [string, string];
  const { compose, progress } = session(g, 'Copying');
  const interrupt = interruptSignals();
  try {
    const project = await loadOrLabels(g, compose);
    await compose.cp(project, source, destination, {
      ...cpOptions(flags, g.dryRun === true),
      stdin: process.stdin,
      stdout: process.stdout,
      signal: interrupt.signal,
    });
  } finally {
    progress.close();
    interrupt.dispose();
    process.stdin.destroy();
  }
  return 0;
}
