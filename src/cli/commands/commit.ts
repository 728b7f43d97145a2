import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommitOptions } from '../../compose/index.js';
import { loadOrLabels, session, type GlobalOptions } from '../context.js';
import { collect, handledBy, int } from '../options.js';

/** `capstan commit`'s flags, as commander parses them. */
export interface CommitFlags {
  author?: string;
  change?: string[];
  index?: number;
  message?: string;
  pause?: boolean;
  dryRun?: boolean;
}

/** A Go boolean flag value (`-p=false`, `--pause false`). */
function bool(value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new InvalidArgumentError('not a boolean');
}

/**
 * `capstan commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]`: `-a`, `-c` (repeatable), `--index`,
 * `-m`, `-p` (default true; `-p=false` or `--pause false` commits without pausing) (docker
 * compose's cmd/compose/commit.go).
 */
export function command(): Command {
  const command = new Command('commit')
    .description("Create a new image from a service container's changes")
    .argument('<service>')
    .argument('[repository]')
    .option('-a, --author <author>', 'author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <instruction>', 'apply Dockerfile instruction to the created image (repeatable)', collect)
    .addOption(new Option('--index <n>', 'index of the container if the service has multiple replicas').argParser(int))
    .option('-m, --message <message>', 'commit message')
    .addOption(new Option('-p, --pause [bool]', 'pause container during commit').argParser(bool).default(true))
    .option('--dry-run', 'show what would be committed; commit nothing');
  return handledBy(command, run);
}

/** The verb's options from the flags and the optional reference. */
export function commitOptions(flags: CommitFlags, reference: string | undefined, dryRun: boolean): CommitOptions {
  return {
    ...(reference ? { reference } : {}),
    ...(flags.author !== undefined ? { author: flags.author } : {}),
    ...(flags.message !== undefined ? { message: flags.message } : {}),
    ...(flags.change?.length ? { changes: flags.change } : {}),
    ...(flags.index ? { index: flags.index } : {}),
    pause: flags.pause !== false,
    dryRun,
  };
}

/** Commits the service's container; the progress line says `Committed as sha256:…`. */
export async function run(g: GlobalOptions, flags: CommitFlags, operands: string[]): Promise<number> {
  const [service, reference] = operands as [string, string | undefined];
  const { compose, progress } = session(g, 'Committing');
  try {
    const project = await loadOrLabels(g, compose);
    await compose.commit(project, service, commitOptions(flags, reference, Boolean(flags.dryRun || g.dryRun)));
  } finally {
    progress.close();
  }
  return 0;
}
