import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { LogsOptions } from '../../compose/index.js';
import { LogPrinter } from '../../ui/log-printer.js';
import { colorsFor } from '../../ui/colors.js';
import { interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';

/** `capstan logs`'s flags, as commander parses them (`--no-color`, `--no-log-prefix`: `color`, `logPrefix` false). */
export interface LogsFlags {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  color?: boolean;
  logPrefix?: boolean;
  since?: string;
  until?: string;
  index?: number;
}

/**
 * `capstan logs [SERVICE...]`: `-f`, `-n/--tail`, `-t`, `--since`, `--until`, `--index`,
 * `--no-color`, `--no-log-prefix` (docker compose's cmd/compose/logs.go).
 */
export function command(): Command {
  const command = new Command('logs')
    .description('View output from containers')
    .argument('[services...]')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <lines>', 'number of lines to show from the end of the logs for each container', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .option('--since <timestamp>', 'show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)')
    .option('--until <timestamp>', 'show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)')
    .option('--index <n>', 'index of the container if service has multiple replicas', int)
    .option('--no-color', 'produce monochrome output')
    .option('--no-log-prefix', "don't print prefix in logs");
  return handledBy(command, run);
}

/**
 * `--tail`: `all`, or a number of lines.
 * @throws CapstanError USAGE for anything else
 */
function tailLines(tail: string | undefined): number | 'all' {
  if (tail === undefined || tail === 'all') return 'all';
  const lines = Number.parseInt(tail, 10);
  if (!Number.isFinite(lines) || lines < 0) throw new CapstanError('USAGE', `--tail: "${tail}" is not a number of lines`);
  return lines;
}

/**
 * Prints the logs of the project's containers (of `services` if given; replica `--index` of one
 * service) with `name | ` prefixes; with `-f`, also of containers that start or restart
 * meanwhile, until the project's containers are all removed or Ctrl+C (CANCELLED, exit 130).
 * Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service, a bad `--tail`/`--since`/`--until`, or
 *   `--index` without exactly one service
 */
export async function run(g: GlobalOptions, flags: LogsFlags, services: string[]): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  for (const s of services) if (!(s in project.services)) throw new CapstanError('USAGE', `no such service: ${s}`);
  if (flags.index !== undefined && services.length !== 1) throw new CapstanError('USAGE', '--index requires one service to be selected');
  // as compose's logs.go: with a compose file and no service named, the services shown are those without `attach: false`
  const shown = services.length || !project.configFiles.length
    ? services
    : Object.values(project.services).filter((s) => s.attach !== false).map((s) => s.name);
  const tail = tailLines(flags.tail);
  const printer = new LogPrinter({
    project: project.name,
    colors: colorsFor(process.stdout, flags.color === false ? 'never' : g.ansi),
    noPrefix: flags.logPrefix === false,
  });
  const interrupt = interruptSignals();
  const options: LogsOptions = {
    services: shown,
    follow: flags.follow,
    tail,
    timestamps: flags.timestamps,
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.until !== undefined ? { until: flags.until } : {}),
    ...(flags.index !== undefined ? { index: flags.index } : {}),
    signal: interrupt.signal,
    // as compose's logs -f (its printer's HandleEvent): `web-1 exited with code 0` as containers stop
    onExit: (exit) => printer.exited(exit.container, exit.service, exit.exitCode, exit.restarting),
  };
  try {
    await compose.logs(project.name, (line) => printer.line(line), options);
    if (interrupt.signal.aborted) throw new CapstanError('CANCELLED', 'cancelled');
  } finally {
    interrupt.dispose();
  }
  return 0;
}
