import { formatPlan } from '../../compose/plan.js';
import { LogPrinter } from '../../ui/log-printer.js';
import { colorsFor } from '../../ui/colors.js';
import { interruptSignals, loadFromGlobals, parseScale, session, type GlobalOptions } from '../context.js';

/** `capstan up [SERVICE...]`: flags as docker compose's `up` (cmd/compose/up.go). */
export interface UpFlags {
  detach?: boolean;
  build?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  forceRecreate?: boolean;
  recreate?: boolean;
  start?: boolean;
  deps?: boolean;
  removeOrphans?: boolean;
  scale?: string[];
  timeout?: number;
  color?: boolean;
  logPrefix?: boolean;
  dryRun?: boolean;
}

export async function run(g: GlobalOptions, flags: UpFlags, services: string[]): Promise<number> {
  const project = await loadFromGlobals(g);
  const { compose, progress } = session(g);
  const interrupt = interruptSignals();
  const detach = Boolean(flags.detach || flags.wait || flags.dryRun || g.dryRun || flags.start === false);
  const printer = new LogPrinter({
    project: project.name,
    colors: colorsFor(process.stdout, flags.color === false ? 'never' : g.ansi),
    noPrefix: flags.logPrefix === false,
  });
  try {
    const result = await compose.up(project, {
      services,
      detach,
      dryRun: flags.dryRun || g.dryRun,
      build: flags.build === true,
      noBuild: flags.build === false,
      wait: flags.wait,
      waitTimeoutSeconds: flags.waitTimeout,
      forceRecreate: flags.forceRecreate,
      noRecreate: flags.recreate === false,
      noStart: flags.start === false,
      noDeps: flags.deps === false,
      removeOrphans: flags.removeOrphans || envTrue('COMPOSE_REMOVE_ORPHANS'),
      ignoreOrphans: envTrue('COMPOSE_IGNORE_ORPHANS'),
      scale: parseScale(flags.scale),
      timeoutSeconds: flags.timeout,
      signal: interrupt.signal,
      forceSignal: interrupt.force,
      onLog: (line) => printer.line(line),
      onExit: (container, service, code) => printer.exited(container, service, code),
    });
    progress.close();
    if (flags.dryRun || g.dryRun) process.stdout.write(`${formatPlan(result.plan)}\n`);
    return 0;
  } finally {
    progress.close();
    interrupt.dispose();
  }
}

function envTrue(name: string): boolean {
  const v = process.env[name]?.toLowerCase();
  return v === '1' || v === 'true';
}
