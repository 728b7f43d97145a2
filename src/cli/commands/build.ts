import { Command } from 'commander';
import type { BuildOptions } from '../../compose/index.js';
import { formatPlan } from '../../compose/index.js';
import { CapstanError } from '../../errors.js';
import { parseByteSize } from '../../model/units.js';
import { interruptSignals, loadFromGlobals, session, type GlobalOptions } from '../context.js';
import { collect, handledBy } from '../options.js';

/** `capstan build`'s flags, as commander parses them. */
export interface BuildFlags {
  quiet?: boolean;
  /** false with `--no-cache` (commander's negation). */
  cache?: boolean;
  pull?: boolean;
  buildArg?: string[];
  withDependencies?: boolean;
  print?: boolean;
  push?: boolean;
  memory?: string;
}

/** `capstan build [SERVICE...]`: `--no-cache`, `--pull`, `--build-arg`, `-q`, `--with-dependencies`, `--print`, `--push`, `-m`. */
export function command(): Command {
  const command = new Command('build')
    .description('Build or rebuild services')
    .argument('[services...]')
    .option('-q, --quiet', "don't print anything to stdout")
    .option('--no-cache', 'do not use cache when building the image')
    .option('--pull', 'always attempt to pull a newer version of the image')
    .option('--build-arg <key=value>', 'set build-time variables for services (repeatable; KEY alone takes its value from the environment)', collect)
    .option('--with-dependencies', 'also build dependencies (transitively)')
    .option('--print', 'print the equivalent bake file (JSON) and build nothing')
    .option('--push', 'push service images after building them')
    .option('-m, --memory <bytes>', 'memory limit for the build container (e.g. 512m)');
  return handledBy(command, run);
}

/**
 * Loads the project and builds the images of `services` (all by default); `-q` silences the
 * progress. With the global `--dry-run`, prints the build plan and builds nothing; with
 * `--print`, prints the bake file compose would hand to `docker buildx bake`.
 * With `--push`, the built images of services that also have `image:` are pushed after their build.
 * @throws CapstanError USAGE for a bad `-m` size
 */
export async function run(g: GlobalOptions, flags: BuildFlags, services: string[]): Promise<number> {
  const project = await loadFromGlobals(g);
  let memory: number | undefined;
  if (flags.memory !== undefined) {
    memory = parseByteSize(flags.memory);
    if (memory === undefined) throw new CapstanError('USAGE', `--memory: invalid size "${flags.memory}"`, { hint: 'use a number of bytes or a number with a unit: 512m, 1gb' });
  }
  const buildArgs: Record<string, string | null> = {};
  for (const a of flags.buildArg ?? []) {
    const eq = a.indexOf('=');
    if (eq === 0) throw new CapstanError('USAGE', `--build-arg: invalid argument "${a}"`, { hint: 'use KEY=VALUE or KEY' });
    if (eq < 0) buildArgs[a] = process.env[a] ?? null;
    else buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
  }
  const overrides = {
    noCache: flags.cache === false || undefined,
    pull: flags.pull || undefined,
    buildArgs: Object.keys(buildArgs).length ? buildArgs : undefined,
    memory,
  };
  const { compose, progress } = session(flags.quiet ? { ...g, progress: 'quiet' } : g, 'Building');
  if (flags.print) {
    progress.close();
    process.stdout.write(`${JSON.stringify(compose.bakeFile(project, { services, overrides, withDependencies: flags.withDependencies }), null, 2)}\n`);
    return 0;
  }
  const interrupt = interruptSignals();
  const dryRun = Boolean(g.dryRun);
  const options: BuildOptions = { services, signal: interrupt.signal, dryRun, overrides, withDependencies: flags.withDependencies, push: flags.push };
  let plan;
  try {
    plan = await compose.build(project, options);
  } finally {
    progress.close();
    interrupt.dispose();
  }
  if (dryRun) process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
