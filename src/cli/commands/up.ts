import { Command, Option } from 'commander';
import type { Compose } from '../../compose/index.js';
import type { Project } from '../../model/types.js';
import { CapstanError } from '../../errors.js';
import { formatPlan, type UpOptions } from '../../compose/index.js';
import { LogPrinter } from '../../ui/log-printer.js';
import { colorsFor } from '../../ui/colors.js';
import { confirm } from '../../ui/prompt.js';
import { interruptSignals, loadFromGlobals, orphanOptions, prefetchFor, session, type GlobalOptions } from '../context.js';
import { collect, handledBy, int, renamed } from '../options.js';
import { upOptionsFromFlags, validate, type UpFlags } from '../up-flags.js';

/** `capstan up [SERVICE...]`: flags as docker compose's `up` (cmd/compose/up.go). */
export function command(): Command {
  const command = new Command('up')
    .description('Create and start containers')
    .argument('[services...]')
    .option('-d, --detach', 'detached mode: run containers in the background')
    .option('--build', 'build images before starting containers')
    .addOption(renamed('--nobuild', '--no-build', "don't build an image, even if it's missing"))
    .option('--wait', 'wait for services to be running|healthy; implies detached mode')
    .option('--wait-timeout <seconds>', 'maximum duration to wait for the project to be running|healthy', int)
    .option('--force-recreate', 'recreate containers even if their configuration and image have not changed')
    .option('--no-recreate', "if containers already exist, don't recreate them")
    .option('--no-start', "don't start the services after creating them")
    .option('--no-deps', "don't start linked services")
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('--scale <service=n>', 'scale SERVICE to NUM instances (repeatable)', collect)
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds when containers are replaced', int)
    .option('--always-recreate-deps', 'recreate dependent containers; incompatible with --no-recreate')
    .option('--abort-on-container-exit', 'stop all containers if any container was stopped; incompatible with -d')
    .option('--abort-on-container-failure', 'stop all containers if any container exited with failure; incompatible with -d')
    .option('--exit-code-from <service>', 'return the exit code of the selected service container; implies --abort-on-container-exit')
    .option('--attach <service>', 'restrict attaching to the specified services (repeatable)', collect)
    .addOption(renamed('--noattach <service>', '--no-attach <service>', 'do not attach (stream logs) to the specified services (repeatable)').argParser(collect))
    .option('--attach-dependencies', 'automatically attach to log output of dependent services')
    .option('--timestamps', 'show timestamps')
    .option('-y, --yes', 'assume "yes" as answer to all prompts and run non-interactively')
    .addOption(new Option('--pull <policy>', 'pull image before running').choices(['always', 'missing', 'never', 'build', 'policy']).default('policy'))
    .option('--quiet-pull', 'pull without printing progress information')
    .option('--no-color', 'produce monochrome output')
    .option('--no-log-prefix', "don't print prefix in logs")
    .option('-w, --watch', 'watch source code and rebuild/refresh containers when files are updated')
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/**
 * `capstan up` (and `create`): load, converge, then wait (`--wait`), return (`-d`) or follow
 * logs. Resolves the exit status (`--exit-code-from`); throws CapstanError (CANCELLED → 130 on
 * Ctrl+C). On a terminal, a volume that must be recreated (its data lost) is asked about first.
 */
export async function run(g: GlobalOptions, flags: UpFlags, services: string[]): Promise<number> {
  validate(flags);
  const { compose, progress } = session(g);
  prefetchFor(g, compose);
  // naming services enables their profiles and selects them with their dependencies
  const project = await loadFromGlobals(g, { ...(services.length ? { services, noDeps: flags.deps === false } : {}), engineLimits: true });
  // checked once the project is loaded, in compose's order (cmd/compose/up.go RunE)
  const orphans = orphanOptions(project, flags.removeOrphans);
  if (flags.attach?.length && flags.attachDependencies) throw new CapstanError('USAGE', 'cannot combine --attach and --attach-dependencies');
  const fromFlags = upOptionsFromFlags(g, flags, services);
  const interrupt = interruptSignals();
  const printer = new LogPrinter({
    project: project.name,
    colors: colorsFor(process.stdout, flags.color === false ? 'never' : g.ansi),
    noPrefix: flags.logPrefix === false,
  });
  // compose asks before deleting a volume's data; without a terminal (or with --dry-run) the refusal stands
  const interactive = !fromFlags.dryRun && process.stdin.isTTY && process.stderr.isTTY;
  const options: UpOptions = {
    ...fromFlags,
    ...orphans,
    signal: interrupt.signal,
    forceSignal: interrupt.force,
    prompt: interactive ? confirm : undefined,
    onAttach: (containers) => {
      progress.close(); // the progress frame must not redraw over the logs
      printer.attaching(containers);
    },
    onLog: (line) => printer.line(line),
    onExit: (container, service, code) => printer.exited(container, service, code),
  };
  if (flags.watch && !fromFlags.dryRun) {
    try {
      return await upAndWatch(compose, project, options, printer, services, g.progress === 'json');
    } finally {
      progress.close();
      interrupt.dispose();
    }
  }
  let result;
  try {
    result = await compose.up(project, options);
  } finally {
    progress.close();
    interrupt.dispose();
  }
  // after close(): on a terminal, a progress frame drawn later would move the cursor up over the plan
  if (fromFlags.dryRun) process.stdout.write(`${formatPlan(result.plan)}\n`);
  return result.exitCode;
}

/**
 * `up --watch`: converge detached, then follow the logs of the shown services (also of containers
 * a rebuild recreates) while watching (`watch`'s loop, its lines under `⦿`). Ctrl+C stops the
 * targeted services gracefully and throws CANCELLED (exit 130), as attached `up`.
 */
async function upAndWatch(compose: Compose, project: Project, options: UpOptions, printer: LogPrinter, services: string[], json: boolean): Promise<number> {
  const since = Math.floor(Date.now() / 1000) - 1;
  const signal = options.signal!;
  await compose.up(project, { ...options, detach: true });
  const targeted = services.length ? services : Object.keys(project.services);
  const shown = (options.attach?.length ? options.attach : targeted).filter((s) => !options.noAttach?.includes(s) && (options.attach?.length || project.services[s]?.attach !== false));
  const rows = await compose.ps(project.name, { services: shown });
  options.onAttach?.(rows.map((r) => r.name));
  // the logs end with Ctrl+C, or when the watch fails (its error is the command's)
  const stopLogs = new AbortController();
  signal.addEventListener('abort', () => stopLogs.abort(), { once: true });
  const logs = compose.logs(project.name, (line) => printer.line(line), {
    follow: true,
    since,
    services: shown,
    signal: stopLogs.signal,
    ...(options.timestamps ? { timestamps: true } : {}),
    onExit: (exit) => printer.exited(exit.container, exit.service, exit.exitCode, exit.restarting),
  });
  const watching = compose.watch(project, {
    services,
    signal,
    prune: true,
    onMessage: (text) => {
      printer.watch(text);
      if (json) process.stderr.write(`${JSON.stringify({ resource: 'watch', message: text })}\n`);
    },
    onLog: (line) => printer.line(line),
  });
  watching.catch(() => stopLogs.abort());
  await Promise.all([logs, watching]);
  if (!signal.aborted) return 0;
  process.stderr.write('Gracefully Stopping... press Ctrl+C again to force\n');
  const kill = (): void => void compose.kill(project, { services: targeted }).catch(() => undefined);
  options.forceSignal?.addEventListener('abort', kill, { once: true });
  try {
    await compose.stop(project, { services: targeted });
  } finally {
    options.forceSignal?.removeEventListener('abort', kill);
  }
  throw new CapstanError('CANCELLED', 'cancelled');
}
