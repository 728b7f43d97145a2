/**
 * Compose file discovery (compose-behaviour.md §3.1 "File discovery", §1.1 `-f`, `COMPOSE_FILE`).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LoaderError } from '../errors.js';

/** Default file names, in priority order. */
export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

/** Override file names looked for beside the discovered file, in priority order. */
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
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
  onWarning?: (message: string) => void;
}

/**
 * The compose files to load, as absolute paths (`-` kept for stdin): `-f` list, else
 * `COMPOSE_FILE` split on `COMPOSE_PATH_SEPARATOR` (default `:`), else discovery from `cwd`.
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
  const found = discoverComposeFiles(src.cwd, src.onWarning);
  if (!found) {
    throw new LoaderError('no configuration file provided: not found', {}, {
      code: 'NO_CONFIG_FILE',
      hint: `create a compose.yaml in ${src.cwd} or a parent directory, or pass -f`,
    });
  }
  return found;
}
