/**
 * The compose-file loader (compose-behaviour.md §3.1): files + environment → {@link Project}.
 *
 * Pipeline, one module per stage:
 *   discover (`discover.ts`) → env files (`dotenv.ts`) → per file: parse (`yaml.ts`) →
 *   interpolate (`interpolate.ts`) → include (`include.ts`) → extends (`extends.ts`) →
 *   merge + unicity (`merge.ts`) → validate (`validate.ts`) → project name (`project-name.ts`) →
 *   canonical form, defaults, paths, normalisation (`normalize.ts`) → profiles (`profiles.ts`) →
 *   consistency (`consistency.ts`) → environment resolution (`environment.ts`).
 *
 * Pure given its inputs (files, environment, stdin); warnings go to `onWarning`.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { readEnvFile, resolveServiceEnvironment } from './environment.js';
import { applyExtends } from './extends.js';
import { applyIncludes, type IncludeEntry } from './include.js';
import { rebaseModel } from './paths.js';
import { checkConsistency } from './consistency.js';
import { checkEngineLimits } from './engine-limits.js';
import { noConfigFileError, resolveProjectOptions } from './discover.js';
import { parseDotenv } from './dotenv.js';
import { interpolateTree } from './interpolate.js';
import { isPlainObject, mergeLayers } from './merge.js';
import { normalizeModel } from './normalize.js';
import { applyProfiles, parseProfilesEnv } from './profiles.js';
import { resolveProjectName } from './project-name.js';
import { pruneResources, selectServices } from './select.js';
import { assertValidModel } from './validate.js';
import { locateIn, parseYaml, type ParsedYaml } from './yaml.js';

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
  /**
   * Services named on the command line (compose's `WithServicesEnabled` + `WithSelectedServices`):
   * their profiles are enabled and the project keeps only them and their dependencies; the
   * others move to `disabledServices` and their `env_file`s are not read.
   */
  services?: string[];
  /** With `services`: keep exactly those, not their dependencies (`up --no-deps`, compose's `IgnoreDependencies`). */
  noDeps?: boolean;
  /** Alias-expansion budget per YAML document (compose-go `MaxNodeVisits`); default 100 000. */
  maxNodeVisits?: number;
  /**
   * Drop the top-level networks, volumes, secrets, configs and models no kept service uses
   * (compose's `WithoutUnnecessaryResources`; docker compose does it unless `--all-resources`).
   */
  pruneResources?: boolean;
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
  /** Do not read any `.env` / `--env-file` (the environment is exactly `env`); compose-go's `LoadWithContext`. */
  noDotEnv?: boolean;
  /** `config --no-normalize`: no default network, no `<project>_` resource names, no implicit depends_on. */
  skipNormalization?: boolean;
  /** `config --no-path-resolution` when false: relative paths stay relative. Default true. */
  resolvePaths?: boolean;
  /** `config --no-consistency`: skip the consistency checks. */
  skipConsistency?: boolean;
  /**
   * Refuse values the engine would refuse (`engine-limits.ts`: image references, memory below
   * 6MB, negative cpus…), positioned, before anything is created. The commands that create
   * containers (`up`, `create`, `run`, `scale`) set it; the others load such a file as docker
   * compose does (`config` prints it, `down` removes the project). Default false.
   */
  engineLimits?: boolean;
  /** Skip schema validation (compose-go's `SkipValidation`). */
  skipValidation?: boolean;
  /** `config --no-env-resolution`: keep `env_file` as declared, do not fold it into `environment`. */
  skipEnvResolution?: boolean;
  /** After folding env files into `environment`, keep the `env_file` key too (compose-go's default). */
  keepEnvFiles?: boolean;
  /**
   * Default true: without `-p`, `COMPOSE_PROJECT_NAME` or `name:`, the project directory's
   * basename names the project. False makes that an error (compose-go's `LoadWithContext`).
   */
  nameFromDirectory?: boolean;
  /**
   * Default true: `COMPOSE_PROJECT_NAME` (OS environment or `.env`) names the project. False leaves
   * naming to `projectName` and `name:` (compose-go's `LoadWithContext`, where the cli layer reads it).
   */
  nameFromEnvironment?: boolean;
}

/** Loader-internal state shared by the per-file stages of one {@link loadProject} call. */
interface FileLoadContext {
  env: Record<string, string>;
  interpolate: boolean;
  resolvePaths: boolean;
  onUnset: (name: string) => void;
  warn: (message: string) => void;
  display: (abs: string) => string;
  readStdin?: () => Promise<string>;
  /**
   * Raw models of files loaded as `extends` bases, by the environment they were interpolated with
   * (the root project's, or an included project's own), then by absolute path.
   */
  baseCache: WeakMap<Record<string, string>, Map<string, Promise<Record<string, unknown>>>>;
  /**
   * Parsed files by absolute path (`-f` files first, to read their `name:`): parsing does not depend
   * on the environment and nothing modifies a parsed tree, so a file that is also an `extends` base
   * or included is read and parsed once.
   */
  parsed: Map<string, ParsedYaml[]>;
  workingDir: string;
  /** Alias-expansion budget per document (compose-go `MaxNodeVisits`); default in yaml.ts. */
  maxNodeVisits?: number;
}

async function readComposeSource(f: string, ctx: FileLoadContext): Promise<string> {
  if (f === '-') {
    if (!ctx.readStdin) throw new LoaderError('reading a compose file from stdin is not supported here');
    return ctx.readStdin();
  }
  try {
    // read synchronously: an event loop turn costs more than reading a compose file
    return readFileSync(f, 'utf8');
  } catch (err) {
    throw new LoaderError(`cannot read ${ctx.display(f)}: ${(err as Error).message}`, { file: ctx.display(f) });
  }
}

/** Parse and interpolate one file: one raw tree per YAML document (`version` dropped with a warning). */
async function parseAndInterpolate(
  f: string,
  env: Record<string, string>,
  ctx: FileLoadContext,
): Promise<{ docs: ParsedYaml[]; trees: Record<string, unknown>[] }> {
  let parsed = ctx.parsed.get(f);
  if (!parsed) {
    parsed = parseYaml(await readComposeSource(f, ctx), ctx.display(f), { maxNodeVisits: ctx.maxNodeVisits });
    ctx.parsed.set(f, parsed);
  }
  const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  const docs: ParsedYaml[] = [];
  const trees: Record<string, unknown>[] = [];
  for (const doc of parsed) {
    docs.push(doc);
    if (doc.data === null) continue;
    const data = { ...topLevelMapping(doc) };
    if ('version' in data) {
      ctx.warn(`${doc.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
      delete data.version;
    }
    trees.push(
      ctx.interpolate
        ? (interpolateTree(data, lookup, { file: doc.file, locate: (p) => doc.locate(p), onUnset: ctx.onUnset }) as Record<string, unknown>)
        : data,
    );
  }
  return { docs, trees };
}

/**
 * Per-file processing (compose-behaviour.md §3.1): parse → interpolate → include → extends, one
 * layer per YAML document. `projectDir` is the directory of the project this file belongs to;
 * `stack` holds the files being included, for cycle detection. The returned `docs`, for source
 * positions, are those of the included files and `extends` bases (recursively), then the file's
 * own, which override them (a later document wins in {@link locateIn}).
 */
async function loadFileLayers(
  f: string,
  env: Record<string, string>,
  projectDir: string,
  stack: readonly string[],
  ctx: FileLoadContext,
): Promise<{ docs: ParsedYaml[]; layers: Record<string, unknown>[] }> {
  const { docs: own, trees } = await parseAndInterpolate(f, env, ctx);
  const nested: ParsedYaml[] = [];
  const layers: Record<string, unknown>[] = [];
  // include paths and extends.file resolve against the project directory (compose-go), not the file's own
  for (const tree of trees) {
    try {
      layers.push(await includeAndExtend(tree));
    } catch (err) {
      // include/extends errors know the file and key, not the line: find it in that file's documents
      if (!(err instanceof LoaderError) || err.line !== undefined || !err.keyPath) throw err;
      const file = err.file ?? f;
      const docs = file === f ? own : ctx.parsed.get(file) ?? [];
      const at = docs.length ? locateIn(docs, splitKeyPath(err.keyPath)) : undefined;
      if (!at) throw err;
      throw new LoaderError(err.reason, { ...at, keyPath: err.keyPath }, { hint: err.hint, details: err.details, cause: err.cause });
    }
  }
  async function includeAndExtend(tree: Record<string, unknown>): Promise<Record<string, unknown>> {
    const withIncludes = await applyIncludes(tree, {
      dir: projectDir,
      env,
      stack,
      load: (entry, includeEnv, st) => loadIncluded(entry, includeEnv, projectDir, st, ctx, nested),
    });
    const layer = await applyExtends(withIncludes, {
      file: f,
      dir: projectDir,
      absolutePaths: ctx.resolvePaths,
      loadBase: async (file) => {
        const base = await loadBase(file, env, ctx);
        nested.push(...(ctx.parsed.get(file) ?? []));
        return base;
      },
    });
    return layer;
  }
  // a file met several times (a base of two services, or also an -f file) counts once, at its last place
  const docs = [...nested, ...own].filter((d, i, all) => all.indexOf(d, i + 1) < 0);
  return { docs, layers };
}

/** `services.web.ports[0]` → `['services', 'web', 'ports', 0]` (a name holding a dot is found by its first part). */
function splitKeyPath(keyPath: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of keyPath.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const i of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

/**
 * An included project: its files merged, paths rebased onto the including project's directory.
 * Their documents go to `docs`, so that errors in them are located in their own file.
 */
async function loadIncluded(
  entry: IncludeEntry,
  env: Record<string, string>,
  parentDir: string,
  stack: readonly string[],
  ctx: FileLoadContext,
  docs: ParsedYaml[],
): Promise<Record<string, unknown>> {
  const layers: Record<string, unknown>[] = [];
  for (const p of entry.paths) {
    const loaded = await loadFileLayers(p, env, entry.projectDirectory, [...stack, p], ctx);
    docs.push(...loaded.docs);
    layers.push(...loaded.layers);
  }
  const merged = mergeLayers(layers);
  return rebaseModel(merged, { fromDir: entry.projectDirectory, toDir: parentDir, absolute: ctx.resolvePaths });
}

/** The raw model of a file used as an `extends` base (parsed and interpolated only), cached. */
function loadBase(file: string, env: Record<string, string>, ctx: FileLoadContext): Promise<Record<string, unknown>> {
  let byFile = ctx.baseCache.get(env);
  if (!byFile) ctx.baseCache.set(env, (byFile = new Map()));
  let hit = byFile.get(file);
  if (!hit) {
    // a single document keeps its !reset/!override markers for applyExtends to honour
    hit = parseAndInterpolate(file, env, ctx).then(({ trees }) => (trees.length === 1 ? trees[0]! : mergeLayers(trees)));
    byFile.set(file, hit);
  }
  return hit;
}

/** A document's top level, which must be a mapping. @throws LoaderError otherwise. */
function topLevelMapping(doc: ParsedYaml): Record<string, unknown> {
  if (!isPlainObject(doc.data)) throw new LoaderError('top-level object must be a mapping', { file: doc.file, line: 1, column: 1 });
  return doc.data;
}

/** What {@link loadMerged} returns: the merged raw model and what the later stages need. */
interface MergedModel {
  merged: ReturnType<typeof mergeLayers>;
  docs: ParsedYaml[];
  name: string;
  files: string[];
  workingDir: string;
  environment: Record<string, string>;
  envFiles: string[];
  osEnv: Record<string, string>;
}

/**
 * The stages up to the merge: project options, file discovery, `name:`, parse, interpolate (unless
 * `interpolate: false`), `include`, `extends`, merge of the `-f` files.
 */
async function loadMerged(options: LoadOptions, warn: (m: string) => void, onUnset: (name: string) => void): Promise<MergedModel> {
  const { files, workingDir, environment, envFiles, osEnv, cwd } = await resolveProjectOptions({ ...options, onWarning: warn });
  if (files.length === 0) throw noConfigFileError(options.projectDirectory ? workingDir : cwd);
  const display = (abs: string): string => {
    if (abs === '-') return '-';
    const rel = relative(cwd, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };
  const ctx: FileLoadContext = {
    env: environment,
    interpolate: options.interpolate !== false,
    resolvePaths: options.resolvePaths !== false,
    onUnset,
    warn,
    display,
    readStdin: options.readStdin,
    baseCache: new WeakMap(),
    parsed: new Map(),
    workingDir,
    maxNodeVisits: options.maxNodeVisits,
  };
  // The name comes first, so that `${COMPOSE_PROJECT_NAME}` anywhere in the files is the
  // final name, whichever file sets `name:` (compose-go reads every file's `name:` up front).
  const fileNames = await declaredNames(files, ctx);
  // compose-go: files that together hold nothing are an error, before the project name is checked
  const docsOf = [...ctx.parsed.values()].flat();
  if (docsOf.every((d) => d.data === null || (isPlainObject(d.data) && Object.keys(d.data).length === 0))) {
    throw new LoaderError('empty compose file', { file: docsOf[0]?.file ?? display(files[0] ?? '') });
  }
  const { name } = resolveProjectName({
    flag: options.projectName,
    env: options.nameFromEnvironment === false ? undefined : environment.COMPOSE_PROJECT_NAME,
    fileNames,
    projectDir: options.nameFromDirectory === false ? undefined : workingDir,
    onWarning: warn,
  });
  environment.COMPOSE_PROJECT_NAME = name;

  const docs: ParsedYaml[] = [];
  const layers: unknown[] = [];
  for (const f of files) {
    const loaded = await loadFileLayers(f, environment, workingDir, f === '-' ? [] : [f], ctx);
    docs.push(...loaded.docs);
    layers.push(...loaded.layers);
  }
  return { merged: mergeLayers(layers), docs, name, files, workingDir, environment, envFiles, osEnv };
}

/**
 * compose-go's `ToModel`: the merged model of the files (include and extends applied), before
 * validation and normalisation; `config --variables` reads it with `interpolate: false`.
 */
export async function loadModel(options: LoadOptions = {}): Promise<Record<string, unknown>> {
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  return (await loadMerged(options, warn, () => undefined)).merged;
}

/**
 * Load a Compose project.
 *
 * @returns the fully loaded {@link Project}: interpolated, included, extended, merged, validated,
 *   normalised, with profiles applied (disabled services in `disabledServices`) and `env_file`
 *   folded into `environment`.
 * @throws {LoaderError} for every problem in the files or the environment (missing file, YAML
 *   syntax, interpolation, schema, short syntax, project name, consistency), positioned as
 *   `file:line:col: key.path: reason` where known.
 */
export async function loadProject(options: LoadOptions = {}): Promise<Project> {
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const resolvePaths = options.resolvePaths !== false;
  // Unset variables are reported once each, after loading, so the message can say when the
  // variable is defined in an env_file (which does not feed interpolation).
  const unset: string[] = [];
  let envFileSources: ServiceConfig[] = [];
  let envFileDir = process.cwd();
  try {
    const { merged, docs, name, files, workingDir, environment, envFiles, osEnv } = await loadMerged(options, warn, (n) => {
      if (!unset.includes(n)) unset.push(n);
    });
    const locate = (path: readonly (string | number)[], opts?: { key?: boolean }) => locateIn(docs, path, opts);
    if (!options.skipValidation) assertValidModel(merged, locate);


    const model = normalizeModel(merged, {
      projectName: name,
      workingDir,
      environment,
      home: osEnv.HOME ?? osEnv.USERPROFILE,
      locate,
      onWarning: warn,
      resolvePaths,
      skipNormalization: options.skipNormalization,
    });
    envFileSources = Object.values(model.services);
    envFileDir = workingDir;
    const profiles = [
      ...(options.profiles && options.profiles.length > 0 ? options.profiles : parseProfilesEnv(environment.COMPOSE_PROFILES)),
    ];
    for (const svcName of options.services ?? []) {
      const svc = model.services[svcName];
      if (!svc) throw new LoaderError(`no such service: ${svcName}`);
      for (const p of svc.profiles ?? []) if (!profiles.includes(p)) profiles.push(p);
    }
    const byProfile = applyProfiles(model.services, profiles);
    if (!options.skipConsistency) checkConsistency(model, byProfile.enabled, byProfile.disabled, locate);
    // what the engine would refuse, before anything is created (not on `${…}` left as written)
    if (options.engineLimits && !options.skipConsistency && options.interpolate !== false) checkEngineLimits(name, byProfile.enabled, locate, model.volumes);
    const { services: selected, disabled } = selectServices(
      { services: byProfile.enabled, disabled: byProfile.disabled },
      options.services ?? [],
      { dependencies: options.noDeps ? 'ignore' : 'include' },
    );
    const resources = options.pruneResources ? pruneResources({ ...model, services: selected }) : model;

    let services = selected;
    if (!options.skipEnvResolution) {
      services = {};
      // Without path resolution env_file paths stay relative to the project directory.
      const readFile = resolvePaths ? undefined : (p: string) => readEnvFile(resolve(workingDir, p));
      for (const [key, svc] of Object.entries(selected)) {
        try {
          services[key] = resolveServiceEnvironment(svc, { projectEnv: environment, keepEnvFile: options.keepEnvFiles, readFile });
        } catch (err) {
          if (err instanceof LoaderError && !err.keyPath) {
            throw new LoaderError(err.reason, { ...locate(['services', key, 'env_file']), keyPath: `services.${key}.env_file` });
          }
          throw err;
        }
      }
    }

    return {
      name,
      services,
      networks: resources.networks,
      volumes: resources.volumes,
      secrets: resources.secrets,
      configs: resources.configs,
      extensions: model.extensions,
      workingDir,
      configFiles: files,
      envFiles,
      environment,
      disabledServices: disabled,
      profiles,
      ...(resources.models ? { models: resources.models } : {}),
    };
  } finally {
    for (const message of unsetVariableMessages(unset, envFileSources, envFileDir)) warn(message);
  }
}

/**
 * The top-level `name:` of each compose file (last document that sets one), interpolated with the
 * environment. Scalars are taken as strings; the schema rejects a non-string `name:` later. The
 * parsed documents are kept in `ctx.parsed` for the load that follows.
 */
async function declaredNames(files: readonly string[], ctx: FileLoadContext): Promise<(string | undefined)[]> {
  const lookup = (n: string) => (Object.hasOwn(ctx.env, n) ? ctx.env[n] : undefined);
  const names: (string | undefined)[] = [];
  for (const f of files) {
    const docs = parseYaml(await readComposeSource(f, ctx), ctx.display(f), { maxNodeVisits: ctx.maxNodeVisits });
    ctx.parsed.set(f, docs);
    let found: string | undefined;
    for (const doc of docs) {
      if (doc.data === null) continue;
      const raw = topLevelMapping(doc).name;
      if (raw === undefined || raw === null || typeof raw === 'object') continue;
      const value = String(raw);
      if (value === '') continue;
      found = ctx.interpolate
        ? String((interpolateTree({ name: value }, lookup, { file: doc.file, locate: (p) => doc.locate(p), onUnset: ctx.onUnset }) as { name: unknown }).name)
        : value;
    }
    names.push(found);
  }
  return names;
}

/**
 * The warnings for unset variables, one per name. When some service's `env_file` defines the
 * variable, say so: env files only feed the container environment, not interpolation
 * (docker/compose#3435). Each env file is read once, relative to `workingDir` when not absolute.
 */
export function unsetVariableMessages(names: readonly string[], services: readonly ServiceConfig[], workingDir: string): string[] {
  const definedIn = new Map<string, string>();
  for (const svc of names.length ? services : []) {
    for (const f of svc.env_file ?? []) {
      let keys: Record<string, string>;
      try {
        const text = readEnvFile(resolve(workingDir, f.path));
        if (text === undefined) continue;
        keys = parseDotenv(text, { interpolate: false });
      } catch {
        continue; // a broken env file is reported where it is loaded, not in a hint
      }
      for (const k of Object.keys(keys)) if (!definedIn.has(k)) definedIn.set(k, `${f.path} (env_file of service "${svc.name}")`);
    }
  }
  return names.map((name) => {
    const base = `The "${name}" variable is not set. Defaulting to a blank string.`;
    const where = definedIn.get(name);
    return where
      ? `${base} It is defined in ${where}, but env_file only sets the container environment and does not feed interpolation; put it in .env or pass --env-file.`
      : base;
  });
}
