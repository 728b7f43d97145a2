import { CapstanError } from '../../errors.js';
import { LogPrinter } from '../../ui/log-printer.js';
import { colorsFor } from '../../ui/colors.js';
import { interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';

/** `capstan logs [SERVICE...]`: `-f`, `-n/--tail`, `-t`, `--no-color`, `--no-log-prefix`. */
export async function run(
  g: GlobalOptions,
  flags: { follow?: boolean; tail?: string; timestamps?: boolean; color?: boolean; logPrefix?: boolean },
  services: string[],
): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  for (const s of services) if (!(s in project.services)) throw new CapstanError('USAGE', `no such service: ${s}`);
  const tail = flags.tail === undefined || flags.tail === 'all' ? 'all' : Number.parseInt(flags.tail, 10);
  if (tail !== 'all' && (!Number.isFinite(tail) || tail < 0)) {
    throw new CapstanError('USAGE', `--tail: "${flags.tail}" is not a number of lines`);
  }
  const printer = new LogPrinter({
    project: project.name,
    colors: colorsFor(process.stdout, flags.color === false ? 'never' : g.ansi),
    noPrefix: flags.logPrefix === false,
  });
  const interrupt = interruptSignals();
  try {
    await compose.logs(project.name, (line) => printer.line(line), {
      services,
      follow: flags.follow,
      tail,
      timestamps: flags.timestamps,
      signal: interrupt.signal,
    });
    if (interrupt.signal.aborted) throw new CapstanError('CANCELLED', 'cancelled');
  } finally {
    interrupt.dispose();
  }
  return 0;
}
