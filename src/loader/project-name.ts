/**
 * Project name rules (compose-behaviour.md §3.2).
 *
 * Precedence: `-p` > `COMPOSE_PROJECT_NAME` > the last non-empty top-level `name:` > the project
 * directory's basename. Explicit names (`-p`, environment) are validated as given (`-p` once, by
 * {@link checkProjectNameFlag} when the project options are built); names taken from files or the
 * directory are normalised. An empty `-p` or `COMPOSE_PROJECT_NAME` counts as
 * "not given" (compose's `WithName("")`).
 */
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { LoaderError } from '../errors.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** The error text compose prints for an invalid explicit project name. */
export const INVALID_PROJECT_NAME =
  'must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number';

/** The error text compose prints when no source yields a name. */
export const EMPTY_PROJECT_NAME = 'project name must not be empty';

const NAME_HINT = 'set a name with -p, COMPOSE_PROJECT_NAME or a top-level name: key';

/** True when `name` is a valid project name as is (`[a-z0-9][a-z0-9_-]*`). */
export function isValidProjectName(name: string): boolean {
  return VALID.test(name);
}

/**
 * Normalise a derived name: lowercase, keep `[a-z0-9_-]`, trim leading `_`/`-`.
 * May return `''` (the caller reports it).
 */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** The error for an explicit name that is not valid as given. */
function invalidName(name: string, keyPath?: string): LoaderError {
  return new LoaderError(`invalid project name ${JSON.stringify(name)}: ${INVALID_PROJECT_NAME}`, keyPath ? { keyPath } : {});
}

/**
 * Check a `-p` value as soon as it is given (compose's `WithName`): `''` means "not given" and is
 * accepted; any other value must be valid as is.
 *
 * @throws {LoaderError} `invalid project name "X": must consist only of …`.
 */
export function checkProjectNameFlag(name: string | undefined): void {
  if (name !== undefined && name !== '' && !isValidProjectName(name)) throw invalidName(name);
}

/** Inputs of {@link resolveProjectName}. */
export interface ProjectNameSources {
  /** `-p` / `--project-name`, already checked by {@link checkProjectNameFlag}; `''` = not given. */
  flag?: string;
  /** `COMPOSE_PROJECT_NAME` (OS environment, else `.env`); `''` = not given. */
  env?: string;
  /** Top-level `name:` values of the files, in load order (already interpolated). */
  fileNames?: (string | undefined)[];
  /**
   * Absolute project directory, whose basename is the last resort. Absent: no directory
   * fallback, so a project without any other name fails (compose-go's `LoadWithContext`).
   */
  projectDir?: string;
  /** Receives the warning about a name taken from a symlinked directory. */
  onWarning?: (message: string) => void;
}

/**
 * Decide the project name.
 *
 * @returns the name.
 * @throws {LoaderError} when `COMPOSE_PROJECT_NAME` is invalid, when a `name:` normalises to nothing, or
 *   when no source yields a non-empty name ("project name must not be empty", e.g. for `/`).
 */
export function resolveProjectName(src: ProjectNameSources): { name: string } {
  if (src.flag) return { name: src.flag };
  if (src.env) {
    if (!isValidProjectName(src.env)) throw invalidName(src.env);
    return { name: src.env };
  }
  const fromFile = [...(src.fileNames ?? [])].reverse().find((n) => n !== undefined && n !== '');
  if (fromFile !== undefined) {
    const name = normalizeProjectName(fromFile);
    if (!name) throw invalidName(fromFile, 'name');
    return { name };
  }
  if (src.projectDir === undefined) throw new LoaderError(EMPTY_PROJECT_NAME, {}, { hint: NAME_HINT });
  const dirName = basename(src.projectDir);
  const name = normalizeProjectName(dirName);
  if (!name) {
    throw new LoaderError(EMPTY_PROJECT_NAME, {}, {
      hint: `the directory ${JSON.stringify(src.projectDir)} gives no usable name; ${NAME_HINT}`,
    });
  }
  if (src.onWarning) {
    let real: string | undefined;
    try {
      real = realpathSync(src.projectDir);
    } catch {
      real = undefined;
    }
    if (real !== undefined && basename(real) !== dirName) {
      src.onWarning(`project has been loaded without an explicit name from a symlink. Using name ${JSON.stringify(name)}`);
    }
  }
  return { name };
}
