import { Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version.js';
import { printError } from './errors.js';
import type { GlobalOptions } from './globals.js';

/**
 * The `capstan` command line: a drop-in for `docker compose`. Global flags go before the
 * subcommand (as compose's root command, which does not intersperse). The bundle of this module
 * (`dist/cli.cjs`, one script with every command) is started by `./launch.ts` with a V8 code
 * cache; {@link main} runs one command line.
 */

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** An integer option value (as Go's flag package reads one: `12abc` is not); commander reports the refusal. */
const int = (v: string): number => {
  if (!/^[-+]?\d+$/.test(v.trim())) throw new InvalidArgumentError('not an integer');
  return Number.parseInt(v, 10);
};

/**
 * An option commander parses as `parsedAs` (argv is rewritten by {@link normalizeArgv}) while help
 * and error messages show `shown`: commander reads every `--no-x` as the negation of `--x`.
 */
function renamed(parsedAs: string, shown: string, description: string): Option {
  const option = new Option(parsedAs, description);
  option.flags = shown; // display only: parsing uses the names taken from `parsedAs`
  return option;
}

type Runner = (globals: GlobalOptions, options: Record<string, unknown>, args: string[]) => Promise<number | void>;

/** Register a subcommand whose implementation lives in `./commands/<file>.js`. */
function lazy(command: Command, load: () => Promise<{ run: Runner }>): Command {
  return command.action(async (...received: unknown[]) => {
    const options = received[received.length - 2] as Record<string, unknown>;
    const args = received.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a])) as string[];
    const { run } = await load();
    const code = await run((command.parent ?? command).opts() as GlobalOptions, options, args);
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  });
}

/** The `capstan` program: global flags and one subcommand each, their code imported when it runs. */
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

  program.action(() => {
    if (program.opts().version) {
      process.stdout.write(`Capstan version v${VERSION}\n`);
      return;
    }
    program.help();
  });

  lazy(
    program
      .command('up')
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
      .option('--quiet-pull', 'pull without printing progress information (no-op: Capstan does not pull)')
      .option('--no-color', 'produce monochrome output')
      .option('--no-log-prefix', "don't print prefix in logs")
      .option('--dry-run', 'print the plan; change nothing'),
    () => import('./commands/up.js'),
  );

  lazy(
    program
      .command('create')
      .description('Creates containers for a service')
      .argument('[services...]')
      .option('--build', 'build images before starting containers')
      .addOption(renamed('--nobuild', '--no-build', "don't build an image, even if it's missing"))
      .option('--force-recreate', 'recreate containers even if their configuration and image have not changed')
      .option('--no-recreate', "if containers already exist, don't recreate them")
      .option('--remove-orphans', 'remove containers for services not defined in the compose file')
      .option('--scale <service=n>', 'scale SERVICE to NUM instances (repeatable)', collect)
      .option('-y, --yes', 'assume "yes" as answer to all prompts and run non-interactively')
      .option('--dry-run', 'print the plan; change nothing'),
    () => import('./commands/create.js'),
  );

  lazy(
    program
      .command('down')
      .description('Stop and remove containers, networks')
      .argument('[services...]')
      .option('-v, --volumes', 'remove named volumes declared in the "volumes" section and anonymous volumes')
      .option('--remove-orphans', 'remove containers for services not defined in the compose file')
      .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', int)
      .option('--dry-run', 'print the plan; change nothing'),
    () => import('./commands/down.js'),
  );

  lazy(
    program
      .command('ps')
      .description('List containers')
      .argument('[services...]')
      .option('-a, --all', 'show all stopped containers')
      .option('--format <format>', 'format the output: table or json', 'table')
      .option('-q, --quiet', 'only display IDs')
      .option('--services', 'display services'),
    () => import('./commands/ps.js'),
  );

  lazy(
    program
      .command('logs')
      .description('View output from containers')
      .argument('[services...]')
      .option('-f, --follow', 'follow log output')
      .option('-n, --tail <lines>', 'number of lines to show from the end of the logs for each container', 'all')
      .option('-t, --timestamps', 'show timestamps')
      .option('--no-color', 'produce monochrome output')
      .option('--no-log-prefix', "don't print prefix in logs"),
    () => import('./commands/logs.js'),
  );

  lazy(
    program
      .command('config')
      .description('Parse, resolve and render the compose file in canonical format')
      .argument('[services...]')
      .option('--format <format>', 'format the output: yaml or json', 'yaml')
      .option('-o, --output <file>', 'save to file (default: stdout)')
      .option('-q, --quiet', 'only validate the configuration, don\'t print anything')
      .option('--services', 'print the service names, one per line')
      .option('--volumes', 'print the volume names, one per line')
      .option('--networks', 'print the network names, one per line')
      .option('--profiles', 'print the profile names, one per line')
      .option('--images', 'print the image names, one per line')
      .option('--no-interpolate', "don't interpolate environment variables")
      .option('--hash <services>', "print the service config hash, one per line ('*' or svc,svc)")
      .option('--variables', 'print the model variables and their default values')
      .option('--environment', 'print the environment used for interpolation')
      .option('--no-normalize', "don't normalize the compose model")
      .option('--no-path-resolution', "don't resolve file paths")
      .option('--no-env-resolution', "don't resolve service env files")
      .option('--no-consistency', "don't check model consistency"),
    () => import('./commands/config.js'),
  );

  lazy(
    program
      .command('build')
      .description('Build or rebuild services')
      .argument('[services...]')
      .option('-q, --quiet', "don't print anything to stdout"),
    () => import('./commands/build.js'),
  );

  lazy(
    program
      .command('version')
      .description('Show the Capstan version information')
      .option('-f, --format <format>', 'format the output: pretty or json', 'pretty')
      .option('--short', 'show only the version number'),
    () => import('./commands/version.js'),
  );
  return program;
}

/**
 * argv as commander should see it: `--no-attach` is an option with a value here (commander would
 * read it as the negation of `--attach`), `--no-build` is a flag of its own (commander would merge it
 * with `--build`, and `--build --no-build` could not be refused), and `-f=path` means `-f path` as in docker compose's Go
 * flag parsing (commander would keep the `=`).
 */
function normalizeArgv(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => {
    if (i < 2) return [a];
    if (a === '--no-attach') return ['--noattach'];
    if (a.startsWith('--no-attach=')) return [`--noattach=${a.slice(12)}`];
    if (a === '--no-build') return ['--nobuild'];
    const short = /^-([a-zA-Z])=(.*)$/s.exec(a);
    return short ? [`-${short[1]}`, short[2]!] : [a];
  });
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
    await program.parseAsync(normalizeArgv(argv));
    return false;
  } catch (err) {
    process.exitCode = printError(err, Boolean(program.opts().verbose));
    return true;
  }
}
