import { Command, Option } from 'commander';
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
