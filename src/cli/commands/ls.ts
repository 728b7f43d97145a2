import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { LsOptions } from '../../compose/index.js';
import { lsFormat } from '../../ui/info.js';
import { session, type GlobalOptions } from '../context.js';
import { collect, handledBy } from '../options.js';

/** `capstan ls`'s flags, as commander parses them. */
export interface LsFlags {
  all?: boolean;
  filter?: string[];
  format?: string;
  quiet?: boolean;
}

/** `capstan ls`: `-a`, `--filter name=…` (repeatable), `--format table|json|TEMPLATE`, `-q`. */
export function command(): Command {
  const command = new Command('ls')
    .description('List running compose projects')
    .option('-a, --all', 'show all stopped Compose projects')
    .option('--filter <filter>', 'filter output based on conditions provided (name=…)', collect)
    .option('--format <format>', "format the output: 'table' (default), 'json', or a Go 'TEMPLATE' / 'table TEMPLATE' over Name, Status, ConfigFiles", 'table')
    .option('-q, --quiet', 'only display project names');
  return handledBy(command, run);
}

/**
 * Prints the projects found on the engine (no compose file needed): the NAME STATUS CONFIG FILES
 * table, a JSON array (`--format json`), a Go template's lines, or names (`-q`).
 * @throws CapstanError USAGE for an operand, a filter other than `name=…`, or a template naming an unknown field
 */
export async function run(g: GlobalOptions, flags: LsFlags, operands: string[]): Promise<number> {
  if (operands.length) throw new CapstanError('USAGE', `"ls" accepts no arguments`);
  const names: string[] = [];
  for (const f of flags.filter ?? []) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new CapstanError('USAGE', `bad format of filter (expected name=value): ${f}`);
    if (f.slice(0, eq) !== 'name') throw new CapstanError('USAGE', `invalid filter '${f.slice(0, eq)}'`);
    names.push(f.slice(eq + 1));
  }
  const options: LsOptions = { all: flags.all, names };
  const projects = await session(g).compose.ls(options);
  const out = process.stdout;
  if (flags.quiet) for (const p of projects) out.write(`${p.name}\n`);
  else out.write(lsFormat(projects, flags.format));
  return 0;
}
