import { CapstanError } from '../../errors.js';
import { formatPlan } from '../../compose/plan.js';
import { LogPrinter } from '../../ui/log-printer.js';
import { colorsFor } from '../../ui/colors.js';
import { interruptSignals, loadFromGlobals, orphanOptions, parseScale, prefetchFor, session, type GlobalOptions } from '../context.js';

/** `capstan up [SERVICE...]`: flags as docker compose's `up` (cmd/compose/up.go). */
export interface UpFlags {
  detach?: boolean;
  build?: boolean;
  /** `--no-build` (renamed by main.ts `normalizeArgv`: commander would merge it into `build`). */
  nobuild?: boolean;
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
  alwaysRecreateDeps?: boolean;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  attach?: string[];
  noattach?: string[];
  attachDependencies?: boolean;
  timestamps?: boolean;
  yes?: boolean;
}

/**
 * Flag combinations docker compose refuses before loading the project (cmd/compose/up.go
 * `validateFlags`; `create`'s PreRunE checks are a subset), with compose's messages.
 * `--exit-code-from` implies `--abort-on-container-exit` unless `--abort-on-container-failure` is set;
 * `--wait` implies `--detach`. `--no-attach` goes with `--detach` (it only narrows what is attached).
 */
export function validate(flags: UpFlags): void {
  const usage = (m: string): never => {
    throw new CapstanError('USAGE', m);
  };
  if (flags.waitTimeout !== undefined && flags.waitTimeout < 0) usage('--wait-timeout must be a non-negative integer');
  const cascadeStop = Boolean(flags.abortOnContainerExit || (flags.exitCodeFrom && !flags.abortOnContainerFailure));
  const cascadeFail = Boolean(flags.abortOnContainerFailure);
  const attach = Boolean(flags.attach?.length);
  if (cascadeStop && cascadeFail) usage('--abort-on-container-failure cannot be combined with --abort-on-container-exit');
  if (flags.wait && (flags.attachDependencies || cascadeStop || attach)) {
    usage('--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies');
  }
  if (flags.build && flags.nobuild) usage('--build and --no-build are incompatible');
  if ((flags.detach || flags.wait) && (flags.attachDependencies || cascadeStop || cascadeFail || attach)) {
    const what = flags.wait ? '--wait' : '--detach';
    usage(`${what} cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch`);
  }
  if (flags.forceRecreate && flags.recreate === false) usage('--force-recreate and --no-recreate are incompatible');
  if (flags.alwaysRecreateDeps && flags.recreate === false) usage('--always-recreate-deps and --no-recreate are incompatible');
}

/**
 * `capstan up`: load, converge, then wait (`--wait`), return (`-d`) or follow logs. Resolves the
 * exit status (`--exit-code-from`); throws CapstanError (CANCELLED → 130 on Ctrl+C).
 */
export async function run(g: GlobalOptions, flags: UpFlags, services: string[]): Promise<number> {
  validate(flags);
  const { compose, progress } = session(g);
  prefetchFor(g, compose);
  // naming services enables their profiles and selects them with their dependencies
  const project = await loadFromGlobals(g, services.length ? { services, noDeps: flags.deps === false } : {});
  // checked once the project is loaded, in compose's order (cmd/compose/up.go RunE)
  const orphans = orphanOptions(project, flags.removeOrphans);
  if (flags.attach?.length && flags.attachDependencies) throw new CapstanError('USAGE', 'cannot combine --attach and --attach-dependencies');
  const interrupt = interruptSignals();
  const detach = Boolean(flags.detach || flags.wait || flags.dryRun || g.dryRun || flags.start === false);
  const printer = new LogPrinter({
    project: project.name,
    colors: colorsFor(process.stdout, flags.color === false ? 'never' : g.ansi),
    noPrefix: flags.logPrefix === false,
  });
  const dryRun = flags.dryRun || g.dryRun;
  // compose asks before deleting a volume's data; without a terminal (or with --dry-run) the refusal stands.
  const interactive = !dryRun && process.stdin.isTTY && process.stderr.isTTY;
  const up = () => compose.up(project, {
    services,
    detach,
    dryRun,
    build: flags.build === true,
    noBuild: flags.nobuild === true,
    wait: flags.wait,
    waitTimeoutSeconds: flags.waitTimeout,
    forceRecreate: flags.forceRecreate,
    alwaysRecreateDeps: flags.alwaysRecreateDeps,
    abortOnContainerExit: flags.abortOnContainerExit,
    abortOnContainerFailure: flags.abortOnContainerFailure,
    exitCodeFrom: flags.exitCodeFrom,
    attach: flags.attach,
    noAttach: flags.noattach,
    attachDependencies: flags.attachDependencies,
    timestamps: flags.timestamps,
    yes: flags.yes,
    prompt: interactive ? confirm : undefined,
    noRecreate: flags.recreate === false,
    noStart: flags.start === false,
    noDeps: flags.deps === false,
    ...orphans,
    scale: parseScale(flags.scale),
    timeoutSeconds: flags.timeout,
    signal: interrupt.signal,
    forceSignal: interrupt.force,
    onAttach: (containers) => {
      progress.close(); // the progress frame must not redraw over the logs
      printer.attaching(containers);
    },
    onLog: (line) => printer.line(line),
    onExit: (container, service, code) => printer.exited(container, service, code),
  });
  let result;
  try {
    result = await up();
  } finally {
    progress.close();
    interrupt.dispose();
  }
  // after close(): on a terminal, a progress frame drawn later would move the cursor up over the plan
  if (dryRun) process.stdout.write(`${formatPlan(result.plan)}\n`);
  return result.exitCode;
}

/** Ask a yes/no question on the terminal; default no. */
async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`? ${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
