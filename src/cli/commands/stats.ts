import { Command } from 'commander';
import type { StatsOptions, StatsRow } from '../../compose/index.js';
import { statsFormat, statsJson, statsTable } from '../../ui/stats.js';
import { checkServiceNames, interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan stats`'s flags, as commander parses them (`--no-stream`: `stream` false; `--no-trunc`: `trunc` false). */
export interface StatsFlags {
  all?: boolean;
  format?: string;
  stream?: boolean;
  trunc?: boolean;
}

/** `capstan stats [SERVICE]`: `-a`, `--format table|json`, `--no-stream`, `--no-trunc` (docker compose's cmd/compose/stats.go). */
export function command(): Command {
  const command = new Command('stats')
    .description("Display a live stream of container(s) resource usage statistics")
    .argument('[service]')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('--format <format>', 'format the output: table or json', 'table')
    .option('--no-stream', 'disable streaming stats and only pull the first result')
    .option('--no-trunc', 'do not truncate output');
  return handledBy(command, run);
}

/**
 * How rows are printed for `--format`: `table`, `json`, or a Go template over the
 * {@link StatsRow} fields (`{{.Name}}`, `table {{.Name}}\t{{.CPUPerc}}`; ui/go-template.ts).
 * @throws CapstanError USAGE for a template naming an unknown field (before anything is read)
 */
export function statsRenderer(format: string | undefined): (rows: readonly StatsRow[]) => string {
  const f = format ?? 'table';
  if (f === 'table') return statsTable;
  if (f === 'json') return statsJson;
  statsFormat(f, []); // a template naming an unknown field is refused before anything is read
  return (rows) => statsFormat(f, rows).slice(0, -1);
}

/**
 * Prints the usage of the project's containers: once with `--no-stream`; else every second until
 * Ctrl+C, the table redrawn in place on a terminal, each sample printed in turn off one.
 * Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service or format
 */
export async function run(g: GlobalOptions, flags: StatsFlags, services: string[]): Promise<number> {
  const render = statsRenderer(flags.format);
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const out = process.stdout;
  const options: StatsOptions = { services, all: flags.all === true, noTrunc: flags.trunc === false };
  if (flags.stream === false) {
    const text = render(await compose.stats(project.name, options));
    if (text) out.write(`${text}\n`);
    return 0;
  }
  const interrupt = interruptSignals();
  const terminal = out.isTTY === true;
  try {
    await compose.stats(project.name, {
      ...options,
      signal: interrupt.signal,
      onSample: (rows) => {
        const text = render(rows);
        out.write(`${terminal ? '\x1b[2J\x1b[H' : ''}${text}${text ? '\n' : ''}`);
      },
    });
  } finally {
    interrupt.dispose();
  }
  return 0;
}
