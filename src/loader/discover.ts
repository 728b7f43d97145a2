/**
 * Compose file discovery (compose-behaviour.md §3.1 "File discovery", §1.1 `-f`, `COMPOSE_FILE`)
 * and the project options built from the command line before any compose file is read: which
 * files, which project directory, which interpolation environment (`.env`, `--env-file`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import { parseDotenv } from './dotenv.js';
import { checkProjectNameFlag } from './project-name.js';
import { toBool } from './normalize/values.js';

/** Default file names, in priority order. */
export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

/**
 * Override file names looked for beside the discovered file, in priority order: `.yml` before
 * `.yaml` here, unlike the main file names (compose-go `DefaultOverrideFileNames`).
 */
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Find the compose file for `dir`, walking up through parent directories.
 *
 * @returns absolute paths: the compose file, then its override file when one exists beside it
 *   (the first match of {@link OVERRIDE_FILE_NAMES}); `undefined` when nothing is found up to `/`.
 * @param onWarning called with "Found multiple config files…" when several candidates exist in
 *   the same directory (the first is used).
 */
export function discoverComposeFiles(dir: string, onWarning?: (message: string) => void): string[] | undefined {
  let current = resolve(dir);
  for (;;) {
    const found = DEFAULT_FILE_NAMES.map((n) => join(current, n)).filter(isFile);
    if (found.length > 0) {
      const [first] = found as [string, ...string[]];
      if (found.length > 1) {
        onWarning?.(`Found multiple config files with supported names: ${found.join(', ')}\nUsing ${first}`);
      }
      const overrides = OVERRIDE_FILE_NAMES.map((n) => join(current, n)).filter(isFile);
      if (overrides.length > 1) {
        onWarning?.(`Found multiple override files with supported names: ${overrides.join(', ')}\nUsing ${overrides[0]}`);
      }
      return overrides.length ? [first, overrides[0]!] : [first];
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Inputs of {@link resolveComposeFiles}. */
export interface ComposeFileSources {
  /** `-f` values in order; `-` means stdin. */
  files?: string[];
  /** The environment (for `COMPOSE_FILE`, `COMPOSE_PATH_SEPARATOR`). */
  env: Record<string, string | undefined>;
  /** Directory to resolve relative paths against and to start discovery from. */
  cwd: string;
  /** Directory to start discovery from instead of `cwd` (`--project-directory`). */
  searchFrom?: string;
  onWarning?: (message: string) => void;
}

/** The error raised when no compose file is given and discovery finds none. */
export function noConfigFileError(dir: string): LoaderError {
  return new LoaderError('no configuration file provided: not found', {}, {
    code: 'NO_CONFIG_FILE',
    hint: `create a compose.yaml in ${dir} or a parent directory, or pass -f`,
  });
}

/**
 * The compose files to load, as absolute paths (`-` kept for stdin): `-f` list, else
 * `COMPOSE_FILE` split on `COMPOSE_PATH_SEPARATOR` (default `:`), else discovery from
 * `searchFrom` (default `cwd`).
 *
 * @throws {LoaderError} when an explicit file does not exist, or when discovery finds nothing
 *   ("no configuration file provided: not found").
 */
export function resolveComposeFiles(src: ComposeFileSources): string[] {
  let list: string[] | undefined;
  if (src.files && src.files.length > 0) list = src.files;
  else if (src.env.COMPOSE_FILE) {
    const sep = src.env.COMPOSE_PATH_SEPARATOR || ':';
    list = src.env.COMPOSE_FILE.split(sep).filter((f) => f !== '');
  }
  if (list) {
    return list.map((f) => {
      if (f === '-') return f;
      const abs = resolve(src.cwd, f);
      if (!existsSync(abs)) {
        throw new LoaderError(`open ${abs}: no such file or directory`, {}, { hint: 'check the -f / COMPOSE_FILE paths' });
      }
      if (!isFile(abs)) throw new LoaderError(`${abs} is not a file`);
      return abs;
    });
  }
  const from = src.searchFrom ?? src.cwd;
  const found = discoverComposeFiles(from, src.onWarning);
  if (!found) throw noConfigFileError(from);
  return found;
}

/** Inputs of {@link resolveProjectOptions}: the global flags and the process context. */
export interface ProjectOptionsInput {
  /** `-f` in order (`-` = stdin); absent or empty → `COMPOSE_FILE` → discovery. */
  files?: string[];
  /** `-p`; `''` means "not given". */
  projectName?: string;
  /** `--project-directory`, relative to `cwd`. */
  projectDirectory?: string;
  /** `--env-file` (repeatable), relative to `cwd`; else `COMPOSE_ENV_FILES`, else `<dir>/.env`. */
  envFiles?: string[];
  /** The OS environment; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default `process.cwd()`. */
  cwd?: string;
  /** Read no `.env` / env file at all: the environment is exactly `env`. */
  noDotEnv?: boolean;
  /** Default: write `warning: …` to stderr. */
  onWarning?: (message: string) => void;
}

/** The project options: what to load and with which environment (compose-go's `ProjectOptions`). */
export interface ProjectOptions {
  /** Absolute compose file paths (`-` kept for stdin); empty when none was given or found. */
  files: string[];
  /** Absolute project directory: `--project-directory`, else the first real file's directory, else `cwd`. */
  workingDir: string;
  /** The interpolation environment: OS environment over the env files' values. */
  environment: Record<string, string>;
  /** Absolute paths of the explicit env files (`--env-file` / `COMPOSE_ENV_FILES`). */
  envFiles: string[];
  /** The validated `-p`, `undefined` when not given. */
  projectName?: string;
  /** Absolute `cwd`. */
  cwd: string;
  /** The OS environment without `undefined` values. */
  osEnv: Record<string, string>;
}

/**
 * Build the project options from the flags, as docker compose does before reading any compose
 * file (compose-behaviour.md §3.1 "Environment sources", "File discovery", "Working directory"):
 *
 * 1. `-p` is validated as given.
 * 2. The env files (`--env-file`s, else `COMPOSE_ENV_FILES`, else `.env` in `--project-directory`
 *    or cwd unless `COMPOSE_DISABLE_ENV_FILE`) fill the environment under the OS environment;
 *    `${VAR}` in them sees the OS environment first.
 * 3. Files: `-f`, else `COMPOSE_FILE` (which `.env` may set), else discovery from
 *    `--project-directory` or cwd.
 * 4. When the project directory is only known now (a file found by discovery or `COMPOSE_FILE`),
 *    its `.env` is read too, under the first one: the first reading's values win.
 *
 * @throws {LoaderError} for an invalid `-p`, a missing explicit env file or compose file, or a
 *   malformed env file. Finding no compose file is not an error here (`files` is empty).
 */
export async function resolveProjectOptions(input: ProjectOptionsInput): Promise<ProjectOptions> {
  checkProjectNameFlag(input.projectName);
  const osEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.env ?? process.env)) if (v !== undefined) osEnv[k] = v;
  const cwd = resolve(input.cwd ?? process.cwd());
  const warn = input.onWarning ?? ((m: string) => void process.stderr.write(`warning: ${m}\n`));
  const display = (abs: string): string => {
    const rel = relative(cwd, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };

  const explicit =
    input.envFiles && input.envFiles.length > 0
      ? input.envFiles
      : osEnv.COMPOSE_ENV_FILES
        ? osEnv.COMPOSE_ENV_FILES.split(',').map((s) => s.trim()).filter(Boolean)
        : undefined;
  const envFiles = explicit?.map((f) => resolve(cwd, f)) ?? [];
  const loadEnv = async (dir: string, earlier: Record<string, string> = {}): Promise<Record<string, string>> => {
    if (input.noDotEnv) return {};
    const paths = explicit ? envFiles : toBool(osEnv.COMPOSE_DISABLE_ENV_FILE) ? [] : [join(dir, '.env')];
    const acc: Record<string, string> = {};
    for (const p of paths) {
      let source: string;
      try {
        // read synchronously: an event loop turn per file costs more than the read itself
        const st = statSync(p);
        if (st.isDirectory()) {
          if (!explicit) continue; // a directory named .env is not an env file
          throw new LoaderError(`${display(p)} is a directory`);
        }
        source = readFileSync(p, 'utf8');
      } catch (err) {
        if (err instanceof LoaderError) throw err;
        if (!explicit) continue; // the default .env is optional
        throw new LoaderError(`couldn't find env file: ${p}`, {}, { hint: 'check the --env-file paths' });
      }
      Object.assign(acc, parseDotenv(source, { file: display(p), lookup: (k) => osEnv[k] ?? earlier[k], defined: { ...acc } }));
    }
    return acc;
  };

  const projectDir = input.projectDirectory ? resolve(cwd, input.projectDirectory) : undefined;
  const firstFile = input.files?.find((f) => f !== '-');
  const firstDir = projectDir ?? (firstFile ? dirname(resolve(cwd, firstFile)) : cwd);
  const firstEnv = await loadEnv(firstDir);
  const preEnv = { ...firstEnv, ...osEnv };
  let files: string[];
  try {
    files = resolveComposeFiles({ files: input.files, env: preEnv, cwd, searchFrom: firstDir, onWarning: warn });
  } catch (err) {
    if (err instanceof LoaderError && err.code === 'NO_CONFIG_FILE') files = [];
    else throw err;
  }
  const firstReal = files.find((f) => f !== '-');
  const workingDir = projectDir ?? (firstReal ? dirname(firstReal) : cwd);
  // docker compose reads the env files twice: once before the compose files are known (from the
  // project directory, the first -f file's directory or cwd) and once from the project directory.
  // The first reading's values win, and the second is interpolated against them. Explicit env
  // files do not depend on the directory: a second reading would define the same keys, all
  // overridden by the first reading, so the first is the result.
  const sameFiles = workingDir === firstDir || explicit !== undefined || input.noDotEnv;
  const environment = sameFiles ? preEnv : { ...(await loadEnv(workingDir, firstEnv)), ...firstEnv, ...osEnv };
  return {
    files,
    workingDir,
    environment,
    envFiles,
    ...(input.projectName ? { projectName: input.projectName } : {}),
    cwd,
    osEnv,
  };
}
