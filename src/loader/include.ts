/**
 * `include` stage (compose-behaviour.md §3.7, spec 14-include.md). Each entry is loaded as a
 * separate project: its files (`path`, a string or a list merged in order), its project
 * directory (`project_directory`, else the first file's directory) and its environment
 * (`env_file`, default `<project_directory>/.env`, under the parent's environment, so the parent
 * wins). Relative `path`, `project_directory` and `env_file` are relative to the including
 * project's directory, as in compose-go. A bare `environment` entry (`- VAR`) of an included
 * service takes its value from the included project's environment. The resources are copied
 * into the including model and the including file's own definitions are merged over them; when
 * two includes define the same resource, the earlier include wins (compose-go imports each
 * include under what is already there). Includes are recursive; a file including itself,
 * directly or not, is an `include cycle detected` error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import { parseDotenv } from './dotenv.js';
import { isPlainObject, mergeLayers } from './merge.js';

type Plain = Record<string, unknown>;

/** One normalised `include:` entry. */
export interface IncludeEntry {
  /** Absolute paths of the files to load, in merge order. */
  paths: string[];
  /** Absolute project directory of the included project. */
  projectDirectory: string;
  /** Absolute paths of its env files (may be empty). */
  envFiles: string[];
  /** True when `env_file` was given explicitly (then missing files are errors). */
  explicitEnvFiles: boolean;
}

/** What {@link applyIncludes} needs from the caller. */
export interface IncludeContext {
  /** Directory relative include paths resolve against: the including project's directory. */
  dir: string;
  /** The including project's environment. */
  env: Record<string, string>;
  /** Files currently being included (outermost first), for cycle detection. */
  stack: readonly string[];
  /**
   * Load an included project: its files merged, with their own includes and extends applied and
   * paths rebased onto the including project. Receives the entry, its environment and the stack.
   */
  load: (entry: IncludeEntry, env: Record<string, string>, stack: readonly string[]) => Promise<Plain>;
}

/**
 * Parse the `include:` list of a raw model into {@link IncludeEntry} values.
 *
 * @throws {LoaderError} for malformed entries.
 */
export function parseIncludeEntries(raw: unknown, dir: string): IncludeEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new LoaderError('include must be a list', { keyPath: 'include' });
  return raw.map((item, i): IncludeEntry => {
    const keyPath = `include[${i}]`;
    let paths: string[];
    let projectDirectory: string | undefined;
    let envFiles: string[] | undefined;
    if (typeof item === 'string') paths = [item];
    else if (isPlainObject(item)) {
      const p = item.path;
      paths = Array.isArray(p) ? p.map(String) : typeof p === 'string' ? [p] : [];
      if (item.project_directory !== undefined && item.project_directory !== null) projectDirectory = String(item.project_directory);
      if (item.env_file !== undefined && item.env_file !== null) {
        envFiles = (Array.isArray(item.env_file) ? item.env_file : [item.env_file]).map(String);
      }
    } else throw new LoaderError('include entries must be a string or a mapping', { keyPath });
    if (paths.length === 0) throw new LoaderError('include entry requires a path', { keyPath });
    const abs = paths.map((p) => resolve(dir, p));
    const pd = projectDirectory !== undefined ? resolve(dir, projectDirectory) : dirname(abs[0]!);
    return {
      paths: abs,
      projectDirectory: pd,
      envFiles: envFiles ? envFiles.map((f) => resolve(dir, f)) : [resolve(pd, '.env')],
      explicitEnvFiles: envFiles !== undefined,
    };
  });
}

/**
 * The environment of an included project: its env files (later wins, each may reference the
 * earlier ones and the parent environment) under the parent environment.
 *
 * @throws {LoaderError} when an explicit env file is missing.
 */
export function includeEnvironment(entry: IncludeEntry, parent: Record<string, string>): Record<string, string> {
  const acc: Record<string, string> = {};
  for (const f of entry.envFiles) {
    if (f === '/dev/null') continue;
    if (!existsSync(f) || statSync(f).isDirectory()) {
      if (entry.explicitEnvFiles) throw new LoaderError(`couldn't find env file: ${f}`, { keyPath: 'include' });
      continue;
    }
    Object.assign(acc, parseDotenv(readFileSync(f, 'utf8'), { file: f, lookup: (k) => parent[k], defined: { ...acc } }));
  }
  return { ...acc, ...parent };
}

/**
 * Apply the `include:` of a raw model (the `include` key is removed).
 *
 * @returns the included resources with the model merged over them.
 * @throws {LoaderError} `include cycle detected` or any loading error of an included file.
 */
export async function applyIncludes(model: Plain, ctx: IncludeContext): Promise<Plain> {
  if (model.include === undefined) return model;
  const entries = parseIncludeEntries(model.include, ctx.dir);
  const own: Plain = { ...model };
  delete own.include;
  if (entries.length === 0) return own;
  const layers: Plain[] = [];
  for (const entry of entries) {
    for (const p of entry.paths) {
      if (ctx.stack.includes(p)) {
        throw new LoaderError(`include cycle detected: ${[...ctx.stack, p].join(' includes ')}`, { keyPath: 'include' });
      }
    }
    const env = includeEnvironment(entry, ctx.env);
    const included = resolveBareEnvironment(await ctx.load(entry, env, ctx.stack), env);
    const resources: Plain = {};
    for (const key of ['services', 'volumes', 'networks', 'secrets', 'configs', 'models']) {
      if (included[key] !== undefined) resources[key] = included[key];
    }
    layers.unshift(resources);
  }
  return mergeLayers([...layers, own]);
}

/**
 * Give the bare entries of each service's `environment` (`- VAR` or `VAR:` with no value) their
 * value from `env` when it defines them; other entries, and variables `env` lacks, are kept.
 *
 * @returns a new model; the input is not modified.
 */
export function resolveBareEnvironment(model: Plain, env: Record<string, string>): Plain {
  if (!isPlainObject(model.services)) return model;
  const has = (k: string) => Object.hasOwn(env, k);
  const services: Plain = {};
  for (const [name, svc] of Object.entries(model.services)) {
    if (!isPlainObject(svc) || svc.environment === undefined || svc.environment === null) {
      services[name] = svc;
      continue;
    }
    const e = svc.environment;
    let environment: unknown = e;
    if (Array.isArray(e)) environment = e.map((item) => (typeof item === 'string' && !item.includes('=') && has(item) ? `${item}=${env[item]}` : item));
    else if (isPlainObject(e)) {
      const m: Plain = {};
      for (const [k, v] of Object.entries(e)) m[k] = (v === null || v === undefined) && has(k) ? env[k] : v;
      environment = m;
    }
    services[name] = { ...svc, environment };
  }
  return { ...model, services };
}
