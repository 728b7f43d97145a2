import { CapstanError } from '../errors.js';
import { loadProject, type LoadOptions } from '../loader/index.js';
import type { Project } from '../model/types.js';
import { colorsFor } from '../ui/colors.js';
import type { ProgressMode } from '../ui/progress.js';

/**
 * The global flags and how they become loader options and a loaded project. Kept free of the
 * engine client and the compose layer so that `config` can use it without loading them (start-up
 * time).
 */

/** The global flags, as commander parsed them (before the subcommand). */
export interface GlobalOptions {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
  parallel?: number;
  progress?: ProgressMode;
  ansi?: 'never' | 'always' | 'auto';
  dryRun?: boolean;
  verbose?: boolean;
  /** `--all-resources`: keep networks, volumes, secrets, configs no service uses. */
  allResources?: boolean;
}

/**
 * The global flags as the commands use them, once commander has read them with their environment
 * fallbacks (`COMPOSE_ANSI`, `COMPOSE_PROGRESS`, `COMPOSE_PARALLEL_LIMIT`: Option.env in main.ts),
 * as compose's root command settles them (cmd/compose/compose.go `resolveAnsiMode`,
 * `applyAnsiMode`, `selectEventProcessor`): `--progress none` is `quiet`; `tty` with `--ansi never`
 * and `plain` with `--ansi always` are refused; `auto` with `--ansi never` is `plain`; then a
 * non-empty `NO_COLOR` turns colors off (`--ansi never`) without changing the progress mode.
 * @throws CapstanError USAGE on the refused combinations, with compose's messages.
 */
export function settleGlobals(g: Omit<GlobalOptions, 'progress'> & { progress?: string }): GlobalOptions {
  const usage = (m: string): never => {
    throw new CapstanError('USAGE', m);
  };
  let progress = (g.progress ?? 'auto') as ProgressMode | 'none';
  if (progress === 'none') progress = 'quiet';
  if (progress === 'tty' && g.ansi === 'never') usage("can't use --progress tty while ANSI support is disabled");
  if (progress === 'plain' && g.ansi === 'always') usage("can't use --progress plain while ANSI support is forced");
  if (progress === 'auto' && g.ansi === 'never') progress = 'plain';
  return { ...g, progress, ansi: process.env.NO_COLOR ? 'never' : g.ansi };
}

/** Print a loader warning on stderr, yellow in a terminal. */
export function warningPrinter(g: GlobalOptions): (message: string) => void {
  const colors = colorsFor(process.stderr, g.ansi);
  return (message) => void process.stderr.write(`${colors.yellow(`warning: ${message}`)}\n`);
}

/**
 * The loader options the global flags describe (compose files, `-f -` from stdin, env files,
 * profiles, name); `overrides` set the other loader options (`config --no-normalize`, …).
 */
export function loadOptionsFromGlobals(g: GlobalOptions, overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {
    files: g.file,
    projectName: g.projectName,
    projectDirectory: g.projectDirectory,
    envFiles: g.envFile,
    profiles: g.profile,
    readStdin: readAllStdin,
    onWarning: warningPrinter(g),
    // docker compose drops resources no service uses unless --all-resources
    pruneResources: !g.allResources,
    ...overrides,
  };
}

/** The whole of stdin, for `-f -`. */
async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Load the project the global flags describe; `overrides` set the other loader options. */
export function loadFromGlobals(g: GlobalOptions, overrides: Partial<LoadOptions> = {}): Promise<Project> {
  return loadProject(loadOptionsFromGlobals(g, overrides));
}
