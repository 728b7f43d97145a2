/**
 * Environment resolution stage (compose-behaviour.md §3.1 "Whole-model processing" step 6, §3.5):
 * each service's `env_file` entries are read and folded into `environment`, and its `label_file`
 * entries into `labels`.
 *
 * Precedence, highest first: `environment:` > later `env_file` > earlier `env_file`. Inside an
 * env file, `${VAR}` looks up the project environment (OS over `.env`) first, then the service's
 * own `environment:`, then keys defined earlier in this or a previous env file.
 */
import { readFileSync, statSync } from 'node:fs';
import { LoaderError } from '../errors.js';
import type { EnvFileConfig, ServiceConfig } from '../model/types.js';
import { parseDotenv } from './dotenv.js';

/** Options of {@link resolveServiceEnvironment}. */
export interface EnvResolutionOptions {
  /** The project (interpolation) environment. */
  projectEnv: Record<string, string>;
  /** Keep `env_file` on the service after folding (compose-go's default without `WithDiscardEnvFiles`). */
  keepEnvFile?: boolean;
  /** Reads a file; default `readFileSync(path, 'utf8')`. Returns `undefined` when it does not exist. */
  readFile?: (path: string) => string | undefined;
}

/**
 * Read an env file: `undefined` when it does not exist.
 * @throws LoaderError when the path is a directory.
 */
export function readEnvFile(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) throw new LoaderError(`env file ${path} is a directory`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof LoaderError) throw err;
    return undefined;
  }
}

/**
 * Parse one env file in docker-cli's raw `KEY=VAL` format (`format: raw`): no quotes, no
 * interpolation, `#` lines are comments, a bare `KEY` inherits from `lookup`.
 */
export function parseRawEnvFile(source: string, lookup: (k: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of source.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const t = line.replace(/^\s+/, '');
    if (t === '' || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    if (eq < 0) {
      const v = lookup(t.trimEnd());
      if (v !== undefined) out[t.trimEnd()] = v;
    } else out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

/**
 * Read a service's env files in order and return the variables they define (later files win).
 *
 * @throws {LoaderError} when a required file is missing or a file is malformed.
 */
export function readServiceEnvFiles(
  envFiles: readonly EnvFileConfig[],
  environment: Record<string, string | null>,
  options: EnvResolutionOptions,
): Record<string, string> {
  const read = options.readFile ?? readEnvFile;
  const acc: Record<string, string> = {};
  const lookup = (k: string): string | undefined => {
    if (Object.hasOwn(options.projectEnv, k)) return options.projectEnv[k];
    const v = environment[k];
    return typeof v === 'string' ? v : undefined;
  };
  for (const f of envFiles) {
    const source = read(f.path);
    if (source === undefined) {
      if (f.required === false) continue;
      throw new LoaderError(`env file ${f.path} not found: stat ${f.path}: no such file or directory`);
    }
    const vars =
      f.format === 'raw'
        ? parseRawEnvFile(source, lookup)
        : parseDotenv(source, { file: f.path, lookup, defined: { ...acc } });
    Object.assign(acc, vars);
  }
  return acc;
}

/**
 * Read a service's label files in order (dotenv syntax) and return the labels they define; later
 * files win, and `${VAR}` in a file refers to labels read before it (not to the environment).
 *
 * @throws {LoaderError} when a file is missing or malformed.
 */
export function readServiceLabelFiles(labelFiles: readonly string[], options: Pick<EnvResolutionOptions, 'readFile'> = {}): Record<string, string> {
  const read = options.readFile ?? readEnvFile;
  const acc: Record<string, string> = {};
  for (const path of labelFiles) {
    const source = read(path);
    if (source === undefined) throw new LoaderError(`label file ${path} not found: stat ${path}: no such file or directory`);
    Object.assign(acc, parseDotenv(source, { file: path, lookup: (k) => acc[k], defined: { ...acc } }));
  }
  return acc;
}

/**
 * Fold `env_file` into `environment` and `label_file` into `labels` for one service (returns a
 * new service object; the service itself when it has neither).
 *
 * - `environment:` entries win over env-file values; an `environment:` key without value (still
 *   `null` after project-environment resolution) takes the env-file value when one exists.
 * - `labels:` entries win over label-file values.
 * - `env_file` and `label_file` are dropped unless `keepEnvFile` (compose's `WithDiscardEnvFiles`
 *   governs both).
 */
export function resolveServiceEnvironment(svc: ServiceConfig, options: EnvResolutionOptions): ServiceConfig {
  const hasEnvFiles = svc.env_file !== undefined && svc.env_file.length > 0;
  const hasLabelFiles = svc.label_file !== undefined && svc.label_file.length > 0;
  if (!hasEnvFiles && !hasLabelFiles) return svc;
  const out: ServiceConfig = { ...svc };
  if (hasEnvFiles) {
    const explicit = svc.environment ?? {};
    const fromFiles = readServiceEnvFiles(svc.env_file!, explicit, options);
    const env: Record<string, string | null> = { ...fromFiles };
    for (const [k, v] of Object.entries(explicit)) {
      if (v === null && Object.hasOwn(fromFiles, k)) continue;
      env[k] = v;
    }
    out.environment = env;
    if (!options.keepEnvFile) delete out.env_file;
  }
  if (hasLabelFiles) {
    const labels = { ...readServiceLabelFiles(svc.label_file!, options), ...(svc.labels ?? {}) };
    if (Object.keys(labels).length > 0) out.labels = labels;
    if (!options.keepEnvFile) delete out.label_file;
  }
  return out;
}
