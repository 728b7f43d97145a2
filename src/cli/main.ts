import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { errorStyle, printError } from './errors.js';
import { collect, int } from './options.js';

/**
 * The `capstan` command line: a drop-in for `docker compose`. Global flags go before the
 * subcommand (as compose's root command, which does not intersperse). This module only assembles
 * the commands: each one is declared in its own module (./commands/*.ts), imported when the command
 * line needs it. `./launch.ts` starts it, as ES modules with a chunk per command (Node ≥ 22.1) or
 * as the one script `dist/cli.cjs` with its V8 code cache (Node 20); {@link main} runs one command
 * line.
 */

/** A command module: builds its commander `Command`, flags and handler (./commands/*.ts). */
interface CommandModule {
  command(): Command;
}

/**
 * The subcommands, in the order help lists them, each with the loader of its module: only the
 * command that runs is loaded (all of them for help). The import paths stay string literals, so
 * that bundlers see them.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  up: () => import('./commands/up.js'),
  create: () => import('./commands/create.js'),
  down: () => import('./commands/down.js'),
  start: () => import('./commands/start.js'),
  stop: () => import('./commands/stop.js'),
  restart: () => import('./commands/restart.js'),
  kill: () => import('./commands/kill.js'),
  pause: () => import('./commands/pause.js'),
  unpause: () => import('./commands/unpause.js'),
  rm: () => import('./commands/rm.js'),
  ps: () => import('./commands/ps.js'),
  logs: () => import('./commands/logs.js'),
  exec: () => import('./commands/exec.js'),
  run: () => import('./commands/run.js'),
  attach: () => import('./commands/attach.js'),
  top: () => import('./commands/top.js'),
  port: () => import('./commands/port.js'),
  images: () => import('./commands/images.js'),
  volumes: () => import('./commands/volumes.js'),
  ls: () => import('./commands/ls.js'),
  events: () => import('./commands/events.js'),
  wait: () => import('./commands/wait.js'),
  watch: () => import('./commands/watch.js'),
  scale: () => import('./commands/scale.js'),
  cp: () => import('./commands/cp.js'),
  stats: () => import('./commands/stats.js'),
  export: () => import('./commands/export.js'),
  commit: () => import('./commands/commit.js'),
  config: () => import('./commands/config.js'),
  build: () => import('./commands/build.js'),
  pull: () => import('./commands/pull.js'),
  push: () => import('./commands/push.js'),
  stack: () => import('./commands/stack.js'),
  version: () => import('./commands/version.js'),
  completion: () => import('./commands/completion.js'),
  'install-plugin': () => import('./commands/install-plugin.js'),
  'uninstall-plugin': () => import('./commands/uninstall-plugin.js'),
  __complete: () => import('./commands/__complete.js'),
};

/** The `capstan` program with its global flags, and no subcommand yet. */
function createProgram(): Command {
  const program = new Command('capstan')
    .description('Define and run multi-container applications (Docker Compose, in TypeScript)')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .option('-f, --file <file>', 'compose configuration file (repeatable)', collect)
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <dir>', 'alternate working directory (default: the first compose file\'s directory)')
    .option('--env-file <file>', 'alternate environment file (repeatable)', collect)
    .option('--profile <profile>', 'profile to enable (repeatable)', collect)
    .addOption(new Option('--parallel <n>', 'maximum parallelism, -1 for unlimited').argParser(int).env('COMPOSE_PARALLEL_LIMIT'))
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json', 'quiet', 'none']).env('COMPOSE_PROGRESS'))
    .addOption(new Option('--ansi <when>', 'control when to print ANSI control characters').choices(['never', 'always', 'auto']).default('auto').env('COMPOSE_ANSI'))
    .option('--dry-run', 'print the plan; change nothing')
    .option('--all-resources', 'include all resources, even those not used by services')
    .option('--verbose', 'show stack traces of errors')
    .option('-v, --version', 'show the Capstan version and exit');

  // every command sees the global flags settled (progress mode, ANSI, NO_COLOR), as compose's PersistentPreRunE
  // (imported when a command runs: globals.ts brings the loader with it)
  program.hook('preAction', async () => {
    const { settleGlobals } = await import('./globals.js');
    for (const [key, value] of Object.entries(settleGlobals(program.opts()))) program.setOptionValue(key, value);
  });

  program.action(async () => {
    if (program.opts().version) {
      process.stdout.write(`Capstan version v${VERSION}\n`);
      return;
    }
    // an operand that names no command (main() lets it through): say so, with the closest command
    if (program.args[0] === 'help') {
      // `capstan help [COMMAND]`, as cobra's help command (the action hides commander's own)
      const topic = program.commands.find((c) => c.name() === program.args[1]);
      if (topic || program.args.length === 1) (topic ?? program).help();
    }
    if (program.args.length) {
      const { unknownCommandError } = await import('./suggest.js');
      const typed = program.args[0] === 'help' ? program.args[1]! : program.args[0]!;
      throw unknownCommandError(typed, Object.keys(COMMANDS).filter((name) => !name.startsWith('__')));
    }
    program.help();
  });
  return program;
}

/**
 * Which subcommands a command line needs, read from the global flags before the first operand
 * (as commander reads them: a flag's value is the next argument unless attached, `-vf x` is
 * `-v -f x`, `--` ends the flags): the one it names; none for `--version` alone; all of them
 * otherwise (help, which lists them, and anything unusual, so that commander answers as ever).
 */
function commandsNeeded(program: Command, args: readonly string[]): string[] {
  const all = Object.keys(COMMANDS);
  let version = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1] !== undefined && Object.hasOwn(COMMANDS, args[i + 1]!) ? [args[i + 1]!] : all;
    if (!arg.startsWith('-') || arg === '-') return Object.hasOwn(COMMANDS, arg) ? [arg] : all;
    const flags = arg.startsWith('--') ? [arg.split('=')[0]!] : [...arg.slice(1)].map((c) => `-${c}`);
    for (const [j, flag] of flags.entries()) {
      const option = program.options.find((o) => o.long === flag || o.short === flag);
      if (!option) return all; // -h, --help, or a flag commander refuses
      if (option.attributeName() === 'version') version = true;
      if (!option.required && !option.optional) continue;
      // a value: attached (`--file=x`, `-fx`, `-vfx`), else the next argument
      if (arg.startsWith('--') ? !arg.includes('=') : j === flags.length - 1) i++;
      break;
    }
  }
  return version ? [] : all;
}

/**
 * argv as commander should see it: `--no-attach` is an option with a value here (commander would
 * read it as the negation of `--attach`), `--no-build` is a flag of its own (commander would merge it
 * with `--build`, and `--build --no-build` could not be refused), `--orphans=false|true` is
 * `--no-orphans`/`--orphans`, and `-f=path` means `-f path` as in docker compose's Go
 * flag parsing (commander would keep the `=`); `-i=false`/`--interactive=false` is `--no-interactive`.
 */
export function normalizeArgv(argv: readonly string[], untouchedFrom = argv.length): string[] {
  return argv.flatMap((a, i) => {
    if (i < 2 || i >= untouchedFrom) return [a];
    if (a === '--no-attach') return ['--noattach'];
    if (a.startsWith('--no-attach=')) return [`--noattach=${a.slice(12)}`];
    if (a === '--no-build') return ['--nobuild'];
    // `ps --orphans=false` (a Go bool flag defaulting to true): commander's booleans take no `=value`
    const orphans = /^--orphans=(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.exec(a);
    if (orphans) return [/^[1tT]/.test(orphans[1]!) ? '--orphans' : '--no-orphans'];
    // `run -i=false` / `--interactive=false`, likewise (Go's bool flag `-i` defaults to true)
    const interactive = /^(?:-i|--interactive)=(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.exec(a);
    if (interactive) return [/^[1tT]/.test(interactive[1]!) ? '--interactive' : '--no-interactive'];
    const short = /^-([a-zA-Z])=(.*)$/s.exec(a);
    return short ? [`-${short[1]}`, short[2]!] : [a];
  });
}

/**
 * Commands whose operands after the first (`exec SERVICE CMD…`) are another program's argv, with
 * the flags of their own that take a value (so that a flag's value is not taken for SERVICE).
 */
const PASS_THROUGH: Record<string, readonly string[]> = {
  exec: ['-e', '--env', '--index', '-u', '--user', '-w', '--workdir'],
  run: ['-e', '--env', '--env-from-file', '-l', '--label', '--name', '-u', '--user', '-w', '--workdir', '--entrypoint', '--cap-add', '--cap-drop', '-v', '--volume', '-p', '--publish', '--pull'],
};

/**
 * Where the untouched argv of a pass-through command starts (the argument after its first
 * operand), or `argv.length`. `commandAt` is the command's index in `argv`.
 */
export function passThroughStart(argv: readonly string[], commandAt: number): number {
  const valueFlags = PASS_THROUGH[argv[commandAt] ?? ''];
  if (!valueFlags) return argv.length;
  for (let i = commandAt + 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return i + 2;
    if (!arg.startsWith('-') || arg === '-') return i + 1;
    if (arg.startsWith('--')) {
      if (valueFlags.includes(arg)) i++; // `--env X`: the value is the next argument
      continue;
    }
    // `-e X`, `-Te X`: a short cluster whose value flag comes last takes the next argument
    const at = [...arg.slice(1)].findIndex((c) => valueFlags.includes(`-${c}`));
    if (at === arg.length - 2) i++;
  }
  return argv.length;
}

let streamsGuarded = false;

/**
 * Runs one command line (`argv` as `process.argv`: node, script, arguments). The exit status is
 * left in `process.exitCode`; errors are printed (never thrown), as are write errors on stdout and
 * stderr (a reader that closes the pipe early, `capstan ps | head`, ends the process quietly).
 * Resolves `true` when the command failed with an error, `false` otherwise (a command may still
 * have set a non-zero status, e.g. `up --exit-code-from`).
 */
export async function main(argv: readonly string[]): Promise<boolean> {
  const program = createProgram();
  let args = normalizeArgv(argv);
  let needed = commandsNeeded(program, args.slice(2));
  // the completion script lists every command and its flags
  if (needed.length === 1 && needed[0] === 'completion') needed = Object.keys(COMMANDS);
  if (needed.length === 1 && Object.hasOwn(PASS_THROUGH, needed[0]!)) {
    const at = argv.indexOf(needed[0]!, 2);
    args = normalizeArgv(argv, passThroughStart(argv, at));
  }
  if (!streamsGuarded) {
    streamsGuarded = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        process.exitCode = printError(err, argv.includes('--verbose'));
      });
    }
  }
  try {
    for (const name of needed) {
      const { command } = await COMMANDS[name]!();
      program.addCommand(command().copyInheritedSettings(program));
    }
    // after the subcommands copied the setting: an unknown command reaches the action, which names it
    program.allowExcessArguments(true);
    await program.parseAsync(args);
    return false;
  } catch (err) {
    process.exitCode = printError(err, Boolean(program.opts().verbose), errorStyle(program.opts()));
    return true;
  }
}
