/**
 * Project name rules (compose-behaviour.md §3.2).
 *
 * Precedence: `-p` > `COMPOSE_PROJECT_NAME` > the last non-empty top-level `name:` > the project
 * directory's basename. Explicit names (`-p`, environment) are validated as given; names taken
 * from files or the directory are normalised.
 */
import { basename } from 'node:path';
import { LoaderError } from '../errors.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** The error text compose prints for an invalid explicit project name. */
export const INVALID_PROJECT_NAME =
  'must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number';

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

/** Inputs of {@link resolveProjectName}. */
export interface ProjectNameSources {
  /** `-p` / `--project-name`. */
  flag?: string;
  /** `COMPOSE_PROJECT_NAME` (OS environment, else `.env`). */
  env?: string;
  /** Top-level `name:` values of the files, in load order (already interpolated). */
  fileNames?: (string | undefined)[];
  /** Absolute project directory. */
  projectDir: string;
}

/**
 * Decide the project name.
 *
 * @returns the name and where it came from.
 * @throws {LoaderError} when an explicit name is invalid, or when no source yields a non-empty name.
 */
export function resolveProjectName(src: ProjectNameSources): { name: string; source: 'flag' | 'env' | 'file' | 'directory' } {
  const explicit = (value: string, source: 'flag' | 'env', what: string) => {
    if (!isValidProjectName(value)) {
      throw new LoaderError(`invalid project name ${JSON.stringify(value)}: ${INVALID_PROJECT_NAME}`, {
        keyPath: what,
      });
    }
    return { name: value, source };
  };
  if (src.flag !== undefined && src.flag !== '') return explicit(src.flag, 'flag', '');
  if (src.flag === '') throw new LoaderError(`project name must not be empty`);
  if (src.env) return explicit(src.env, 'env', '');
  const fromFile = [...(src.fileNames ?? [])].reverse().find((n) => n !== undefined && n !== '');
  if (fromFile !== undefined) {
    const name = normalizeProjectName(fromFile);
    if (!name) throw new LoaderError(`invalid project name ${JSON.stringify(fromFile)}: ${INVALID_PROJECT_NAME}`, { keyPath: 'name' });
    return { name, source: 'file' };
  }
  const name = normalizeProjectName(basename(src.projectDir));
  if (!name) {
    throw new LoaderError(`project name could not be derived from directory ${JSON.stringify(src.projectDir)}: ${INVALID_PROJECT_NAME}`, {}, {
      hint: 'set a name with -p, COMPOSE_PROJECT_NAME or a top-level name: key',
    });
  }
  return { name, source: 'directory' };
}
