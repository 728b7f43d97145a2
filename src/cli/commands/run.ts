import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import { formatPlan, type RunOptions } from '../../compose/index.js';
import { parseDotenv } from '../../loader/dotenv.js';
import { parsePortSpec } from '../../loader/ports.js';
import { shellSplit } from '../../loader/shlex.js';
import { parseVolumeSpec } from '../../loader/volumes.js';
import type { Project } from '../../model/types.js';
import { interruptSignals, loadFromGlobals, orphanOptions, prefetchFor, session, type GlobalOptions } from '../context.js';
import { collect, handledBy } from '../options.js';
import { forwardSignals, holdTerminal } from '../terminal.js';

/** `capstan run`'s flags, as commander parses them (`-T`: `tty` false, `--no-deps`: `deps` false). */
export interface RunFlags {
  detach?: boolean;
  env?: string[];
  envFromFile?: string[];
  label?: string[];
  rm?: boolean;
  tty?: boolean;
  /** `--no-TTY` (false): as `-T`. */
  TTY?: boolean;
  /** `-t`/`--tty` was given; `-T`/`--no-tty`/`--no-TTY` was given (both together are refused). */
  ttyGiven?: boolean;
  noTtyGiven?: boolean;
  name?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  capAdd?: string[];
  capDrop?: string[];
  deps?: boolean;
  volume?: string[];
  publish?: string[];
  useAliases?: boolean;
  servicePorts?: boolean;
  pull?: string;
  quiet?: boolean;
  quietPull?: boolean;
  build?: boolean;
  removeOrphans?: boolean;
  /** `-i` (true) or `--interactive=false` (false); undefined when not given. */
  interactive?: boolean;
  dryRun?: boolean;
}

/**
 * `capstan run [options] SERVICE [COMMAND] [ARGS...]` (docker compose's cmd/compose/run.go).
 * Everything after SERVICE is the command, untouched (`passThroughOptions`; main.ts's
 * PASS_THROUGH leaves it unnormalised too).
 */
export function command(): Command {
  const command = new Command('run')
    .description('Run a one-off command on a service')
    .argument('<service>')
    .argument('[command...]')
    .passThroughOptions()
    .option('-d, --detach', 'run container in background and print container ID')
    .option('-e, --env <KEY=VAL>', 'set environment variables (repeatable)', collect)
    .option('--env-from-file <file>', 'set environment variables from file (repeatable)', collect)
    .option('-l, --label <KEY=VAL>', 'add or override a label (repeatable)', collect)
    .option('--rm', 'automatically remove the container when it exits')
    .addOption(new Option('-t, --tty', 'allocate a pseudo-TTY').hideHelp())
    .option('-T, --no-tty', 'disable pseudo-TTY allocation (default: auto-detected)')
    // compose's documented spelling (its normalizeRunFlags reads it as --no-tty)
    .addOption(new Option('--no-TTY').hideHelp())
    .option('--name <name>', 'assign a name to the container')
    .option('-u, --user <user>', 'run as specified username or uid')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--entrypoint <cmd>', 'override the entrypoint of the image')
    .option('--cap-add <cap>', 'add Linux capabilities (repeatable)', collect)
    .option('--cap-drop <cap>', 'drop Linux capabilities (repeatable)', collect)
    .option('--no-deps', "don't start linked services")
    .option('-v, --volume <volume>', 'bind mount a volume (repeatable)', collect)
    .option('-p, --publish <port>', "publish a container's port(s) to the host (repeatable)", collect)
    .option('--use-aliases', "use the service's network aliases in the network(s) the container connects to")
    .option('-P, --service-ports', "run command with all service's ports enabled and mapped to the host")
    .addOption(new Option('--pull <policy>', 'pull image before running').choices(['always', 'missing', 'never', 'build', 'policy']).default('policy'))
    .option('-q, --quiet', "don't print anything to STDOUT")
    .option('--quiet-pull', 'pull without printing progress information')
    .option('--build', 'build image before starting container')
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('-i, --interactive', 'keep STDIN open even if not attached (default: true)')
    // `--interactive=false` (a Go bool flag defaulting to true; main.ts rewrites it to this)
    .addOption(new Option('--no-interactive').hideHelp())
    .option('--dry-run', 'print the plan; change nothing');
  // -t and -T set the same value: note which were given, so that both together can be refused
  for (const name of ['tty', 'no-tty', 'no-TTY']) command.on(`option:${name}`, () => command.setOptionValue(name === 'tty' ? 'ttyGiven' : 'noTtyGiven', true));
  return handledBy(command, run);
}

/**
 * Whether `run` allocates a TTY (compose's `run` PreRunE): `-t`/`-T` (`--no-TTY`) decide;
 * otherwise a TTY when stdout is a terminal, and stdin too unless `-i`/`--interactive=…` was given.
 */
export function runTty(flags: Pick<RunFlags, 'tty' | 'TTY' | 'interactive'>, terminal: { stdin: boolean; stdout: boolean }): boolean {
  if (flags.TTY === false) return false;
  if (flags.tty !== undefined) return flags.tty;
  return terminal.stdout && (flags.interactive !== undefined || terminal.stdin);
}

/** `-l KEY=VAL` entries as a map. @throws CapstanError USAGE `label must be set as KEY=VALUE`. */
export function runLabels(entries: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new CapstanError('USAGE', `label must be set as KEY=VALUE (got -l ${entry})`);
    labels[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return labels;
}

/**
 * `-e` then `--env-from-file` (compose's `getEnvironment`): `-e KEY` takes its value from the
 * project environment and is dropped when unset; a file's variables are added unless `-e` set
 * them (a file may refer to `-e` values). Returns `KEY=VAL` entries.
 */
export function runEnvironment(project: Project, env: readonly string[], files: readonly string[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const values: Record<string, string> = {};
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq >= 0) values[e.slice(0, eq)] = e.slice(eq + 1);
    else if (project.environment[e] !== undefined) values[e] = project.environment[e]!;
  }
  for (const file of files) {
    const vars = parseDotenv(readFile(resolve(file)), { file, lookup: (k) => values[k] });
    for (const [k, v] of Object.entries(vars)) if (!(k in values)) values[k] = v;
  }
  return Object.entries(values).map(([k, v]) => `${k}=${v}`);
}

/**
 * The verb's options from the flags (the streams and callbacks are added by {@link run}).
 * @throws CapstanError USAGE for `-t` with `-T`, `-P` with `-p`, a bad `-l`, `-p` or `-v`;
 *   UNSUPPORTED for `--pull always`.
 */
export function runOptions(project: Project, flags: RunFlags, terminal: { stdin: boolean; stdout: boolean }): RunOptions {
  if (flags.ttyGiven && flags.noTtyGiven) throw new CapstanError('USAGE', "--tty and --no-tty can't be used together");
  if (flags.publish?.length && flags.servicePorts) throw new CapstanError('USAGE', '--service-ports and --publish are incompatible');
  const options: RunOptions = {
    detach: flags.detach ?? false,
    autoRemove: flags.rm ?? false,
    tty: runTty(flags, terminal),
    interactive: flags.interactive ?? true,
    noDeps: flags.deps === false,
    servicePorts: flags.servicePorts ?? false,
    useAliases: flags.useAliases ?? false,
    build: Boolean(flags.build) || flags.pull === 'build',
    ...(flags.pull && flags.pull !== 'policy' && flags.pull !== 'build' ? { pull: flags.pull } : {}),
    env: runEnvironment(project, flags.env ?? [], flags.envFromFile ?? []),
    labels: runLabels(flags.label ?? []),
    publish: (flags.publish ?? []).flatMap((p) => parsePortSpec(p)),
    volumes: (flags.volume ?? []).map((v) => parseVolumeSpec(v, { workingDir: project.workingDir })),
    capAdd: flags.capAdd ?? [],
    capDrop: flags.capDrop ?? [],
    ...orphanOptions(project, flags.removeOrphans),
  };
  if (flags.name) options.name = flags.name;
  if (flags.user) options.user = flags.user;
  if (flags.workdir) options.workingDir = flags.workdir;
  if (flags.entrypoint !== undefined) {
    const words = shellSplit(flags.entrypoint);
    options.entrypoint = words.length ? words : null;
  }
  return options;
}

/**
 * Runs the one-off container with this process's stdin, stdout and stderr (a TTY when on a
 * terminal), signals forwarded to it; resolves its exit status. `-d` prints its ID instead.
 */
export async function run(g: GlobalOptions, flags: RunFlags, operands: string[]): Promise<number> {
  const [service, ...cmd] = operands as [string, ...string[]];
  const { compose, progress } = session(flags.quiet ? { ...g, progress: 'quiet' } : g);
  prefetchFor(g, compose);
  // naming the service enables its profile and selects it with its dependencies (compose's runProject)
  const project = await loadFromGlobals(g, { services: [service], noDeps: flags.deps === false, engineLimits: true });
  const options = runOptions(project, flags, { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true });
  const dryRun = Boolean(flags.dryRun || g.dryRun);
  const interrupt = interruptSignals();
  let terminal: ReturnType<typeof holdTerminal> | undefined;
  let stopForwarding: (() => void) | undefined;
  try {
    const result = await compose.run(project, service, cmd, {
      ...options,
      dryRun,
      signal: interrupt.signal,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      onStarting: () => {
        progress.close(); // the container's output follows
        if (options.tty) terminal = holdTerminal();
      },
      onTty: (resize) => terminal?.onResize(resize),
      onAttached: (container) => {
        // from now on the container gets the signals (compose's sig-proxy), not the plan
        interrupt.dispose();
        stopForwarding = forwardSignals((signal) => container.kill(signal));
      },
    });
    progress.close();
    if (dryRun) process.stdout.write(`${formatPlan(result.plan)}\n`);
    else if (options.detach) process.stdout.write(`${result.id}\n`);
    return result.exitCode;
  } finally {
    progress.close();
    stopForwarding?.();
    interrupt.dispose();
    terminal?.restore();
    // the container ended: stop reading our stdin (a terminal or an open pipe would hold the process)
    process.stdin.destroy();
  }
}
