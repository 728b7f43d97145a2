import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { PsOptions } from '../../compose/index.js';
import { psJson, psTable } from '../../ui/ps.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan ps`'s flags, as commander parses them. */
export interface PsFlags {
  all?: boolean;
  format?: string;
  quiet?: boolean;
  services?: boolean;
}

/** `capstan ps [SERVICE...]`: `-a`, `--format table|json`, `-q`, `--services`. */
export function command(): Command {
  const command = new Command('ps')
    .description('List containers')
    .argument('[services...]')
    .option('-a, --all', 'show all stopped containers')
    .option('--format <format>', 'format the output: table or json', 'table')
    .option('-q, --quiet', 'only display IDs')
    .option('--services', 'display services');
  return handledBy(command, run);
}

/**
 * Prints the project's containers: the table docker compose prints (NAME IMAGE COMMAND SERVICE
 * CREATED STATUS PORTS), one JSON object per line (`--format json`), IDs (`-q`) or services.
 * @throws CapstanError USAGE for an unknown service or format
 */
export async function run(g: GlobalOptions, flags: PsFlags, services: string[]): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const options: PsOptions = { all: flags.all, services };
  const rows = await compose.ps(project.name, options);
  const out = process.stdout;
  if (flags.quiet) {
    for (const r of rows) out.write(`${r.id}\n`);
  } else if (flags.services) {
    for (const s of [...new Set(rows.map((r) => r.service))]) out.write(`${s}\n`);
  } else if (flags.format === 'json') {
    for (const r of rows) out.write(`${JSON.stringify(psJson(r))}\n`);
  } else if (!flags.format || flags.format === 'table') {
    out.write(`${psTable(rows)}\n`);
  } else {
    throw new CapstanError('USAGE', `--format: "${flags.format}" is not supported`, { hint: 'use table or json' });
  }
  return 0;
}
