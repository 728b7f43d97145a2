import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import type { ContainerRow, PsOptions } from '../../compose/index.js';
import { psFormat } from '../../ui/ps.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { collect, handledBy } from '../options.js';

/** `capstan ps`'s flags, as commander parses them. */
export interface PsFlags {
  all?: boolean;
  format?: string;
  quiet?: boolean;
  services?: boolean;
  filter?: string;
  status?: string[];
  trunc?: boolean;
  orphans?: boolean;
}

/**
 * `capstan ps [SERVICE...]`: `-a`, `--format table|json|TEMPLATE`, `-q`, `--services`,
 * `--status` (repeatable), `--filter status=…`, `--no-trunc`, `--orphans[=false]` (docker
 * compose's cmd/compose/ps.go).
 */
export function command(): Command {
  const command = new Command('ps')
    .description('List containers')
    .argument('[services...]')
    .option('-a, --all', 'show all stopped containers (including those created by the run command)')
    .option('--format <format>', "format the output: 'table' (default), 'table TEMPLATE', 'json' or a Go 'TEMPLATE'")
    .option('--filter <filter>', 'filter services by a property (supported filters: status)')
    .option('--status <status>', 'filter services by status (repeatable). Values: [paused | restarting | removing | running | dead | created | exited]', collect)
    .option('-q, --quiet', 'only display IDs')
    .option('--services', 'display services')
    .option('--no-trunc', "don't truncate output")
    .option('--orphans', 'include orphaned services (not declared by project); --orphans=false hides them', true)
    .addOption(new Option('--no-orphans', 'same as --orphans=false').hideHelp());
  return handledBy(command, run);
}

/**
 * The statuses `--status` and `--filter status=…` ask for (compose's `parseFilter`).
 * @throws CapstanError USAGE for a filter that is not `KEY=VAL`, or whose key is not `status`
 */
export function statusFilter(flags: Pick<PsFlags, 'filter' | 'status'>): string[] {
  const statuses = [...(flags.status ?? [])];
  if (flags.filter !== undefined) {
    const eq = flags.filter.indexOf('=');
    if (eq < 0) throw new CapstanError('USAGE', 'arguments to --filter should be in form KEY=VAL');
    const key = flags.filter.slice(0, eq);
    if (key === 'source') throw new CapstanError('UNSUPPORTED', '--filter source=…: not implemented');
    if (key !== 'status') throw new CapstanError('USAGE', `unknown filter ${key}`, { hint: 'the only supported filter is status=…' });
    statuses.push(flags.filter.slice(eq + 1));
  }
  return statuses;
}

/**
 * Prints the project's containers, sorted by name: the table docker compose prints (NAME IMAGE
 * COMMAND SERVICE CREATED STATUS PORTS), one JSON object per line (`--format json`), a Go
 * template's lines, IDs (`-q`) or services. A status filter includes stopped containers.
 * Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service, filter, or template field
 */
export async function run(g: GlobalOptions, flags: PsFlags, services: string[]): Promise<number> {
  const statuses = statusFilter(flags);
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  // --orphans=false: only the services the compose file declares (all of them when it is rebuilt from labels)
  const wanted = services.length || flags.orphans !== false ? services : Object.keys(project.services);
  const options: PsOptions = { all: Boolean(flags.all) || statuses.length > 0, services: wanted };
  let rows: ContainerRow[] = await compose.ps(project.name, options);
  if (flags.orphans === false && !services.length) rows = rows.filter((r) => r.service in project.services);
  if (statuses.length) rows = rows.filter((r) => statuses.includes(r.state));
  rows = rows.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out = process.stdout;
  if (flags.quiet) {
    for (const r of rows) out.write(`${r.id}\n`);
  } else if (flags.services) {
    for (const s of [...new Set(rows.map((r) => r.service))]) out.write(`${s}\n`);
  } else {
    out.write(psFormat(rows, flags.format, { noTrunc: flags.trunc === false }));
  }
  return 0;
}
