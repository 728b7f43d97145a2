/**
 * Environment resolution stage (compose-behaviour.md §3.1 "Whole-model processing" step 6, §3.5):
 * each service's `env_file` entries are read and folded into `environment`.
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

function defaultRead(path: string): string | undefined {
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
  const read = options.readFile ?? defaultRead;
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
 * Fold `env_file` into `environment` for one service (returns a new service object).
 * `environment:` entries win over env-file values; an `environment:` key without value (still
 * `null` after project-environment resolution) takes the env-file value when one exists.
 */
export function resolveServiceEnvironment(svc: ServiceConfig, options: EnvResolutionOptions): ServiceConfig {
  if (!svc.env_file || svc.env_file.length === 0) return svc;
  const explicit = svc.environment ?? {};
  const fromFiles = readServiceEnvFiles(svc.env_file, explicit, options);
  const env: Record<string, string | null> = { ...fromFiles };
  for (const [k, v] of Object.entries(explicit)) {
    if (v === null && Object.hasOwn(fromFiles, k)) continue;
    env[k] = v;
  }
  const out: ServiceConfig = { ...svc, environment: env };
  if (!options.keepEnvFile) delete out.env_file;
  return out;
}
