/**
 * The compose-file loader (compose-behaviour.md §3.1): files + environment → {@link Project}.
 *
 * Pipeline, one module per stage:
 *   discover (`discover.ts`) → env files (`dotenv.ts`) → per file: parse (`yaml.ts`) →
 *   interpolate (`interpolate.ts`) → merge (`merge.ts`) → validate (`validate.ts`) →
 *   project name (`project-name.ts`) → normalize (`normalize.ts`) → profiles (`profiles.ts`) →
 *   consistency (`consistency.ts`).
 *
 * Pure given its inputs (files, environment, stdin); warnings go to `onWarning`.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import type { Project } from '../model/types.js';
import { checkConsistency } from './consistency.js';
import { resolveComposeFiles } from './discover.js';
import { parseDotenv } from './dotenv.js';
import { interpolateTree } from './interpolate.js';
import { isPlainObject, mergeLayers } from './merge.js';
import { normalizeModel } from './normalize.js';
import { applyProfiles, parseProfilesEnv } from './profiles.js';
import { resolveProjectName } from './project-name.js';
import { assertValidModel } from './validate.js';
import { locateIn, parseYaml, type ParsedYaml } from './yaml.js';
import { toBool } from './volumes.js';

export { projectToModel } from './serialize.js';

/** Options of {@link loadProject}; each mirrors a `docker compose` global flag or variable. */
export interface LoadOptions {
  /** `-f` in order (`-` = stdin); absent → `COMPOSE_FILE` → discovery from cwd. */
  files?: string[];
  /** `-p`. */
  projectName?: string;
  /** `--project-directory`. */
  projectDirectory?: string;
  /** `--env-file` (repeatable), else `COMPOSE_ENV_FILES`, else `<projectDir>/.env` unless `COMPOSE_DISABLE_ENV_FILE`. */
  envFiles?: string[];
  /** `--profile`; else `COMPOSE_PROFILES` (comma-separated). */
  profiles?: string[];
  /** The OS environment; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default `process.cwd()`. */
  cwd?: string;
  /** Reads the compose file given as `-`. */
  readStdin?: () => Promise<string>;
  /** Default: write `warning: …` to stderr. */
  onWarning?: (message: string) => void;
  /** Default true; `false` keeps `${…}` as written (`config --no-interpolate`). */
  interpolate?: boolean;
}

/**
 * Load a Compose project.
 *
 * @returns the fully loaded {@link Project}: interpolated, merged, validated, normalised, with
 *   profiles applied (disabled services in `disabledServices`).
 * @throws {LoaderError} for every problem in the files or the environment (missing file, YAML
 *   syntax, interpolation, schema, short syntax, project name, consistency), positioned as
 *   `file:line:col: key.path: reason` where known.
 */
export async function loadProject(options: LoadOptions = {}): Promise<Project> {
  const osEnvRaw = options.env ?? process.env;
  const osEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(osEnvRaw)) if (v !== undefined) osEnv[k] = v;
  const cwd = resolve(options.cwd ?? process.cwd());
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const display = (abs: string): string => {
    if (abs === '-') return '-';
    const rel = relative(cwd, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };

  // Environment files: explicit list (flag or COMPOSE_ENV_FILES) or the default `.env`.
  const explicitEnvFiles =
    options.envFiles && options.envFiles.length > 0
      ? options.envFiles
      : osEnv.COMPOSE_ENV_FILES
        ? osEnv.COMPOSE_ENV_FILES.split(',').map((s) => s.trim()).filter(Boolean)
        : undefined;
  const envFilePaths = explicitEnvFiles?.map((f) => resolve(cwd, f)) ?? [];
  const loadEnv = async (dir: string): Promise<Record<string, string>> => {
    const paths = explicitEnvFiles ? envFilePaths : toBool(osEnv.COMPOSE_DISABLE_ENV_FILE) ? [] : [join(dir, '.env')];
    const acc: Record<string, string> = {};
    for (const p of paths) {
      let source: string;
      try {
        const st = await stat(p);
        if (st.isDirectory()) throw new LoaderError(`${display(p)} is a directory`);
        source = await readFile(p, 'utf8');
      } catch (err) {
        if (err instanceof LoaderError) throw err;
        if (!explicitEnvFiles) continue; // the default .env is optional
        throw new LoaderError(`couldn't find env file: ${p}`, {}, { hint: 'check the --env-file paths' });
      }
      Object.assign(acc, parseDotenv(source, { file: display(p), lookup: (k) => osEnv[k], defined: { ...acc } }));
    }
    return acc;
  };

  // First pass: `.env` beside the project directory / cwd may set COMPOSE_FILE & co.
  const firstDir = options.projectDirectory ? resolve(cwd, options.projectDirectory) : cwd;
  const preEnv = { ...(await loadEnv(firstDir)), ...osEnv };
  const files = resolveComposeFiles({ files: options.files, env: preEnv, cwd, onWarning: warn });
  const firstReal = files.find((f) => f !== '-');
  const workingDir = options.projectDirectory
    ? resolve(cwd, options.projectDirectory)
    : firstReal
      ? dirname(firstReal)
      : cwd;
  const dotenv = workingDir === firstDir ? preEnv : await loadEnv(workingDir);
  const environment: Record<string, string> = { ...dotenv, ...osEnv };

  // Per file: parse → interpolate.
  const warnedUnset = new Set<string>();
  const onUnset = (name: string) => {
    if (warnedUnset.has(name)) return;
    warnedUnset.add(name);
    warn(`The "${name}" variable is not set. Defaulting to a blank string.`);
  };
  const lookup = (name: string) => (Object.hasOwn(environment, name) ? environment[name] : undefined);
  const docs: ParsedYaml[] = [];
  const layers: unknown[] = [];
  for (const f of files) {
    let source: string;
    if (f === '-') {
      if (!options.readStdin) throw new LoaderError('reading a compose file from stdin is not supported here');
      source = await options.readStdin();
    } else {
      try {
        source = await readFile(f, 'utf8');
      } catch (err) {
        throw new LoaderError(`cannot read ${display(f)}: ${(err as Error).message}`, { file: display(f) });
      }
    }
    for (const doc of parseYaml(source, display(f))) {
      docs.push(doc);
      if (doc.data === null) continue;
      if (!isPlainObject(doc.data)) {
        throw new LoaderError('top-level object must be a mapping', { file: doc.file, line: 1, column: 1 });
      }
      const data = { ...doc.data };
      if ('version' in data) {
        warn(`${doc.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
        delete data.version;
      }
      layers.push(
        options.interpolate === false
          ? data
          : interpolateTree(data, lookup, { file: doc.file, locate: (p) => doc.locate(p), onUnset }),
      );
    }
  }

  const merged = mergeLayers(layers);
  const locate = (path: readonly (string | number)[], opts?: { key?: boolean }) => locateIn(docs, path, opts);
  assertValidModel(merged, locate);

  const { name } = resolveProjectName({
    flag: options.projectName,
    env: environment.COMPOSE_PROJECT_NAME,
    fileNames: [typeof merged.name === 'string' ? merged.name : undefined],
    projectDir: workingDir,
  });

  const model = normalizeModel(merged, {
    projectName: name,
    workingDir,
    environment,
    home: osEnv.HOME ?? osEnv.USERPROFILE,
    locate,
    onWarning: warn,
  });
  const profiles = options.profiles && options.profiles.length > 0 ? options.profiles : parseProfilesEnv(environment.COMPOSE_PROFILES);
  const { enabled, disabled } = applyProfiles(model.services, profiles);
  checkConsistency(model, enabled, disabled, locate);

  return {
    name,
    services: enabled,
    networks: model.networks,
    volumes: model.volumes,
    secrets: model.secrets,
    configs: model.configs,
    extensions: model.extensions,
    workingDir,
    configFiles: files,
    envFiles: envFilePaths,
    environment,
    disabledServices: disabled,
    profiles,
  };
}
