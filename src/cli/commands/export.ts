import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join, basename, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import { interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';

/** `capstan export`'s flags, as commander parses them. */
export interface ExportFlags {
  index?: number;
  output?: string;
  dryRun?: boolean;
}

/** `capstan export [OPTIONS] SERVICE`: `--index`, `-o/--output` (docker compose's cmd/compose/export.go). */
export function command(): Command {
  const command = new Command('export')
    .description("Export a service container's filesystem as a tar archive")
    .argument('<service>')
    .addOption(new Option('--index <n>', 'index of the container if the service has multiple replicas').argParser(int))
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .option('--dry-run', 'check the export; write nothing');
  return handledBy(command, run);
}

/**
 * Writes the tar to `-o FILE` (through a temporary file in the same directory, renamed when
 * complete: a failed export leaves no half file; mode 0600) or to stdout — never to a terminal.
 * `--dry-run` finds the container and writes nothing.
 * @throws CapstanError USAGE `output option is required when exporting to terminal`
 */
export async function run(g: GlobalOptions, flags: ExportFlags, operands: string[]): Promise<number> {
  const [service] = operands as [string];
  if (!flags.output && process.stdout.isTTY) throw new CapstanError('USAGE', 'output option is required when exporting to terminal');
  const { compose, progress } = session(g, 'Exporting');
  const interrupt = interruptSignals();
  try {
    const project = await loadOrLabels(g, compose);
    const dryRun = Boolean(flags.dryRun || g.dryRun);
    const { tar } = await compose.export(project, service, { ...(flags.index ? { index: flags.index } : {}), dryRun, signal: interrupt.signal });
    if (dryRun) return 0;
    if (!flags.output) {
      await pipeline(Readable.from(tar), process.stdout, { end: false });
      return 0;
    }
    const target = resolve(flags.output);
    const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await pipeline(Readable.from(tar), createWriteStream(temp, { mode: 0o600 }));
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  } finally {
    progress.close();
    interrupt.dispose();
  }
  return 0;
}
