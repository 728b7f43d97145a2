/**
 * Normalisation stage (compose-behaviour.md §3.1 "canonicalize", §3.9): short syntax → the
 * canonical long form of `src/model/types.ts`, defaults, resource names and path resolution.
 *
 * Input is the merged, interpolated, schema-valid plain tree; output is the typed model parts of
 * a {@link Project} (everything except the loader's bookkeeping fields).
 *
 * Attribute groups with their own module under `./normalize/`: `deploy.ts` (`deploy:`),
 * `devices.ts` (`devices`, device requests, `blkio_config`), `service-options.ts` (the host
 * options: namespaces, ulimits, logging, CPU periods, restart, tmpfs, develop…), and
 * `values.ts` (the small value readers they all share). This file keeps the rest and the order.
 */
import { formatPosition, LoaderError } from '../errors.js';
import type {
  BuildConfig,
  ConfigObjConfig,
  DependsOnCondition,
  DependsOnConfig,
  EnvFileConfig,
  ModelConfig,
  HealthCheckConfig,
  NetworkConfig,
  Project,
  SecretConfig,
  ServiceConfig,
  ServiceFileReference,
  ServiceHookConfig,
  ServiceNetworkConfig,
  ServicePortConfig,
  ServiceVolumeConfig,
  VolumeConfig,
} from '../model/types.js';
import { formatFileMode, pullPolicyOf, SERVICE_BYTE_FIELDS } from '../model/units.js';
import { implicitDependencies } from '../model/dependencies.js';
import { castTree, formatKeyPath, type PathSegment } from './interpolate.js';
import type { LocateInFiles } from './validate.js';
import { isPlainObject, toKeyValueMap } from './merge.js';
import { normalizePortEntry, uniquePorts } from './ports.js';
import { isRemote, resolveVolumeDevice } from './paths.js';
import { splitCommand } from './shlex.js';
import { normalizeVolumeEntry, resolveHostPath, uniqueVolumes, type PathContext } from './volumes.js';
import { normalizeDeploy } from './normalize/deploy.js';
import { normalizeBlkio, normalizeDeviceMapping, normalizeDeviceRequest } from './normalize/devices.js';
import { normalizeHostOptions, normalizeUlimits, type At, type WarnAt } from './normalize/service-options.js';
import {
  asMap,
  checkDuration,
  scalarString,
  splitExtensions,
  stringMap as toStringMap,
  toBool,
  toBytes,
  toInt,
  toNumber,
  toStringList,
  withExtensionsField,
  type Plain,
} from './normalize/values.js';

/** Inputs of {@link normalizeModel}. */
export interface NormalizeContext {
  /** Normalised project name (resource name prefix). */
  projectName: string;
  /** Absolute project directory: relative paths resolve against it. */
  workingDir: string;
  /** Project environment (bare `environment:` / `build.args` keys resolve from it). */
  environment: Record<string, string>;
  /** Home directory for `~` in bind sources. */
  home?: string;
  /** Source positions for error messages. */
  locate?: LocateInFiles;
  onWarning?: (message: string) => void;
  /** Default true; false keeps relative paths as written (`config --no-path-resolution`). */
  resolvePaths?: boolean;
  /**
   * Skip compose's normalisation proper (`config --no-normalize`): no implicit `default`
   * network, no `<project>_` resource names, no implicit `depends_on`.
   */
  skipNormalization?: boolean;
}

/** The normalised model: the {@link Project} fields that come from the files. */
export type NormalizedModel = Pick<Project, 'services' | 'networks' | 'volumes' | 'secrets' | 'configs' | 'extensions' | 'models'>;

/**
 * Turn the merged tree into the canonical model.
 *
 * @throws {LoaderError} with position for short syntax that cannot be parsed (ports, volumes,
 *   command quoting), `scale` ≠ `deploy.replicas`, and bad values of typed fields.
 */
export function normalizeModel(input: Plain, ctx: NormalizeContext): NormalizedModel {
  const model = castTree(input, { locate: ctx.locate, onWarning: ctx.onWarning }) as Plain;
  const at = placeErrors(ctx);
  const pathCtx = pathContext(ctx);
  const services: Record<string, ServiceConfig> = {};
  for (const [name, raw] of Object.entries(asMap(model.services))) {
    services[name] = normalizeService(name, asMap(raw), ctx, pathCtx, at);
  }
  return finishModel(model, services, ctx, pathCtx, at);
}

/**
 * One service in canonical form, from its value as loaded (no cast stage: numbers may still be
 * strings; a duration is accepted for the CPU periods). For library callers and tests that build
 * a service by hand; {@link normalizeModel} is the loader's path.
 *
 * @throws {LoaderError} as {@link normalizeModel}, with key path `services.<name>…`.
 */
export function normalizeServiceConfig(name: string, raw: Plain, ctx: NormalizeContext): ServiceConfig {
  return normalizeService(name, raw, ctx, pathContext(ctx), placeErrors(ctx));
}

/** How host paths resolve: against `workingDir`, `~` to `home`, or kept relative (`--no-path-resolution`). */
function pathContext(ctx: NormalizeContext): PathContext {
  return { workingDir: ctx.workingDir, home: ctx.home, keepRelative: ctx.resolvePaths === false };
}

/** `at(path, fn)`: runs `fn`, giving a LoaderError it throws without position the place of `path`. */
function placeErrors(ctx: NormalizeContext): At {
  const fail = (err: unknown, path: PathSegment[]): never => {
    if (err instanceof LoaderError && err.file === undefined && !err.keyPath) {
      const where = ctx.locate?.(path);
      throw new LoaderError(err.reason, { ...where, keyPath: formatKeyPath(path) }, { hint: err.hint, details: err.details });
    }
    throw err;
  };
  return <T>(path: PathSegment[], fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      return fail(err, path);
    }
  };
}

/** Networks, volumes, secrets, configs, models and extensions; implicit defaults on `services`. */
function finishModel(model: Plain, services: Record<string, ServiceConfig>, ctx: NormalizeContext, pathCtx: PathContext, at: At): NormalizedModel {
  const normalize = !ctx.skipNormalization;
  if (normalize) {
    for (const svc of Object.values(services)) {
      if (svc.networks === undefined && svc.network_mode === undefined) svc.networks = { default: null };
      addImplicitDependencies(svc);
    }
  }
  const usesDefault = Object.values(services).some((s) => s.networks && 'default' in s.networks);
  const rawNetworks = { ...asMap(model.networks) };
  if (normalize && usesDefault && !('default' in rawNetworks)) rawNetworks.default = {};
  const named = (section: string, key: string, raw: unknown): Plain & { name: string } =>
    withExtensionsField(at([section, key], () => namedResource(section, key, asMap(raw), ctx.projectName, normalize, ctx.onWarning))) as Plain & {
      name: string;
    };
  const networks: Record<string, NetworkConfig> = {};
  for (const [key, raw] of Object.entries(rawNetworks)) {
    networks[key] = named('networks', key, raw) as NetworkConfig;
  }
  const volumes: Record<string, VolumeConfig> = {};
  for (const [key, raw] of Object.entries(asMap(model.volumes))) {
    const v = named('volumes', key, raw) as VolumeConfig;
    // a local bind volume's `driver_opts.device` is a host path: made absolute like bind sources
    volumes[key] = ctx.resolvePaths === false ? v : resolveVolumeDevice(v, ctx.workingDir);
  }
  // secrets and configs: `file` is a host path; `environment` names the variable holding the content
  const fileOrEnvironment = <T extends SecretConfig | ConfigObjConfig>(section: 'secrets' | 'configs'): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [key, raw] of Object.entries(asMap(model[section]))) {
      const r = named(section, key, raw) as T;
      if (typeof r.file === 'string') r.file = resolveHostPath(r.file, pathCtx);
      if (typeof r.environment === 'string' && Object.hasOwn(ctx.environment, r.environment)) r.content = ctx.environment[r.environment];
      out[key] = r;
    }
    return out;
  };
  const secrets = fileOrEnvironment<SecretConfig>('secrets');
  const configs = fileOrEnvironment<ConfigObjConfig>('configs');
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) if (k.startsWith('x-')) extensions[k] = v;
  const out: NormalizedModel = { services, networks, volumes, secrets, configs, extensions };
  if (isPlainObject(model.models)) {
    out.models = {};
    for (const [key, raw] of Object.entries(model.models)) out.models[key] = normalizeModelConfig(asMap(raw), ['models', key], at);
  }
  return out;
}

/**
 * Resource `name` default: `<project>_<key>`, or `<key>` when external; `external` → boolean;
 * `labels` and `driver_opts` → string maps;
 * legacy `external: {name: x}` → `name: x` with a deprecation warning. Without normalisation
 * the name is only set when the file (or `external.name`) gives one.
 */
function namedResource(
  section: string,
  key: string,
  raw: Plain,
  project: string,
  normalize: boolean,
  onWarning?: (m: string) => void,
): Plain & { name: string } {
  const out: Plain = { ...raw };
  let external = raw.external;
  if (isPlainObject(external)) {
    if (typeof external.name === 'string') {
      if (out.name !== undefined && out.name !== null && out.name !== external.name) {
        throw new LoaderError(`${section}.${key}: name and external.name conflict; only use name`);
      }
      onWarning?.(`${section}.${key}: external.name is deprecated. Please set name and external: true`);
      out.name = external.name;
    }
    external = true;
  }
  if (external !== undefined) out.external = toBool(external);
  if (out.external) {
    for (const attr of ['driver', 'driver_opts', 'labels']) {
      if (section === 'volumes' && out[attr] !== undefined) {
        throw new LoaderError(`${section}.${key}: conflicting parameters "external" and "${attr}" specified`);
      }
    }
  }
  if (out.labels !== undefined) out.labels = toStringMap(out.labels);
  if (out.driver_opts !== undefined && out.driver_opts !== null) out.driver_opts = toStringMap(out.driver_opts);
  if (out.name === undefined || out.name === null || out.name === '') {
    if (normalize || out.external) out.name = out.external ? key : `${project}_${key}`;
    else delete out.name;
  }
  return out as Plain & { name: string };
}

/**
 * Implicit `depends_on` (§3.9): `links`, `network_mode`/`ipc`/`pid`/`uts`/`cgroup` set to
 * `service:X`, and `volumes_from` add a dependency unless one is declared.
 */
function addImplicitDependencies(svc: ServiceConfig): void {
  for (const { on, restart } of implicitDependencies(svc)) {
    svc.depends_on ??= {};
    if (!(on in svc.depends_on)) svc.depends_on[on] = { condition: 'service_started', restart, required: true };
  }
}

const BOOL_FIELDS = ['tty', 'stdin_open', 'privileged', 'init', 'read_only', 'oom_kill_disable', 'attach', 'use_api_socket'] as const;
/** YAML 1.1 booleans that YAML 1.2 reads as strings; converted on boolean fields, with a warning. */
const LEGACY_BOOL = /^(yes|no|on|off|y|n)$/i;
const INT_FIELDS = ['cpu_shares', 'cpu_count', 'pids_limit', 'oom_score_adj'] as const;
/** Build attributes that take a string or a list of strings. */
const BUILD_LIST_FIELDS = ['cache_from', 'cache_to', 'no_cache_filter', 'tags', 'platforms', 'entitlements'] as const;

function normalizeService(name: string, raw: Plain, ctx: NormalizeContext, pathCtx: PathContext, at: At): ServiceConfig {
  const p = (...rest: PathSegment[]): PathSegment[] => ['services', name, ...rest];
  const { rest, extensions } = splitExtensions(raw);
  // Plain-text attributes (image, hostname, …) are taken as they are; every other one is
  // normalised below and overwrites its copy here.
  const svc = { ...rest, name } as ServiceConfig;
  if (extensions) svc.extensions = extensions;
  const resolveEnv = (k: string): string | null => (Object.hasOwn(ctx.environment, k) ? ctx.environment[k]! : null);
  const normalize = !ctx.skipNormalization;
  const warn: WarnAt = (path, m) => ctx.onWarning?.(formatPosition({ ...ctx.locate?.(path), keyPath: formatKeyPath(path) }, m));
  // A string command is split as compose-go splits it; a cut at a shell operator is warned about.
  const split = (path: PathSegment[], text: string): string[] => at(path, () => splitCommand(text, (m) => warn(path, m)));

  for (const f of BOOL_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && LEGACY_BOOL.test(v)) {
      ctx.onWarning?.(`services.${name}.${f}: "${v}" is a YAML 1.1 boolean; Compose reads it as ${toBool(v)}, write ${toBool(v)} instead`);
    }
    svc[f] = toBool(v);
  }
  for (const f of INT_FIELDS) {
    if (raw[f] !== undefined && raw[f] !== null) svc[f] = at(p(f), () => toInt(raw[f], f));
  }
  for (const f of SERVICE_BYTE_FIELDS) {
    if (raw[f] !== undefined && raw[f] !== null) svc[f] = at(p(f), () => toBytes(raw[f]));
  }
  if (raw.cpus !== undefined && raw.cpus !== null) svc.cpus = at(p('cpus'), () => toNumber(raw.cpus, 'cpus'));
  if (raw.cpu_percent !== undefined && raw.cpu_percent !== null) svc.cpu_percent = at(p('cpu_percent'), () => toNumber(raw.cpu_percent, 'cpu_percent'));

  if (raw.build !== undefined && raw.build !== null) {
    svc.build = at(p('build'), () => normalizeBuild(raw.build, ctx, pathCtx, resolveEnv, (...r) => p('build', ...r), at));
  }
  for (const f of ['command', 'entrypoint'] as const) {
    const v = raw[f];
    if (v === undefined) continue;
    if (v === null) svc[f] = null;
    else if (typeof v === 'string') svc[f] = split(p(f), v);
    else svc[f] = toStringList(v);
  }
  // Lifecycle hooks: a string command is shell-split here, like `command`, so hooks run an argv.
  const hook = (h: unknown, path: PathSegment[]): ServiceHookConfig => normalizeHook(asMap(h), path, split);
  for (const f of ['post_start', 'pre_stop', 'pre_start'] as const) {
    const hooks = raw[f];
    if (!Array.isArray(hooks)) continue;
    svc[f] = hooks.map((h: unknown, i) => {
      const out = hook(h, p(f, i));
      // pre_start hooks run in their own container, from the service image unless they name one.
      if (f === 'pre_start' && normalize && out.image === undefined && typeof raw.image === 'string' && raw.image !== '') out.image = raw.image;
      return out;
    });
  }
  normalizeHostOptions(raw, svc, p, at, hook, warn);
  if (raw.environment !== undefined) {
    const env: Record<string, string | null> = {};
    const list = at(p('environment'), () => keyValueMap(raw.environment, 'environment variable'));
    for (const [k, v] of Object.entries(list)) {
      env[k] = v === null || v === undefined ? resolveEnv(k) : scalarString(v);
    }
    svc.environment = env;
  }
  if (raw.env_file !== undefined && raw.env_file !== null) {
    const list = Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file];
    svc.env_file = list.map((item): EnvFileConfig => {
      if (typeof item === 'string') return { path: resolveHostPath(item, pathCtx), required: true };
      const o = asMap(item);
      const e: EnvFileConfig = {
        path: resolveHostPath(String(o.path), pathCtx),
        required: o.required === undefined ? true : toBool(o.required),
      };
      if (o.format !== undefined) e.format = String(o.format);
      return e;
    });
  }
  if (raw.labels !== undefined) svc.labels = toStringMap(raw.labels ?? {});
  if (raw.label_file !== undefined && raw.label_file !== null) {
    svc.label_file = toStringList(raw.label_file).map((f) => resolveHostPath(f, pathCtx));
  }
  if (raw.annotations !== undefined) svc.annotations = toStringMap(raw.annotations ?? {});
  if (raw.sysctls !== undefined) svc.sysctls = toStringMap(raw.sysctls ?? {});
  if (Array.isArray(raw.ports)) {
    const ports: ServicePortConfig[] = [];
    raw.ports.forEach((item, i) => ports.push(...at(p('ports', i), () => withExtensions(normalizePortEntry(item), item))));
    svc.ports = uniquePorts(ports);
  }
  if (raw.expose !== undefined) svc.expose = toStringList(raw.expose);
  if (Array.isArray(raw.volumes)) {
    const vols: ServiceVolumeConfig[] = raw.volumes.map((item, i) =>
      at(p('volumes', i), () => normalizeVolumeEntry(item, pathCtx)),
    );
    svc.volumes = uniqueVolumes(vols);
  }
  // networks
  if (raw.networks !== undefined && raw.networks !== null) {
    const nets: Record<string, ServiceNetworkConfig | null> = {};
    if (Array.isArray(raw.networks)) for (const n of raw.networks) nets[String(n)] = null;
    else for (const [k, v] of Object.entries(asMap(raw.networks))) nets[k] = isPlainObject(v) ? serviceNetwork(v) : null;
    svc.networks = nets;
  }
  if (raw.depends_on !== undefined && raw.depends_on !== null) {
    const deps: Record<string, DependsOnConfig> = {};
    if (Array.isArray(raw.depends_on)) {
      for (const d of raw.depends_on) deps[String(d)] = { condition: 'service_started', required: true };
    } else {
      for (const [k, v] of Object.entries(asMap(raw.depends_on))) {
        const o = asMap(v);
        const dep: DependsOnConfig = {
          condition: (o.condition as DependsOnCondition | undefined) ?? 'service_started',
          required: o.required === undefined ? true : toBool(o.required),
        };
        if (o.restart !== undefined) dep.restart = toBool(o.restart);
        const { extensions } = splitExtensions(o);
        if (extensions) dep.extensions = extensions;
        deps[k] = dep;
      }
    }
    svc.depends_on = deps;
  }
  if (isPlainObject(raw.healthcheck)) {
    const h = withExtensionsField(raw.healthcheck) as HealthCheckConfig & Plain;
    if (typeof raw.healthcheck.test === 'string') h.test = ['CMD-SHELL', raw.healthcheck.test];
    if (h.retries !== undefined) h.retries = at(p('healthcheck', 'retries'), () => toInt(h.retries, 'retries'));
    if (h.disable !== undefined) h.disable = toBool(h.disable);
    for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) {
      if (h[k] !== undefined && h[k] !== null) h[k] = at(p('healthcheck', k), () => checkDuration(h[k]));
    }
    svc.healthcheck = h;
  }
  if (raw.extra_hosts !== undefined && raw.extra_hosts !== null) {
    svc.extra_hosts = at(p('extra_hosts'), () => normalizeExtraHosts(raw.extra_hosts));
  }
  // An empty DNS entry (typically an unset `${VAR}`) is dropped, as compose's omit-empty does.
  if (raw.dns !== undefined && raw.dns !== null) svc.dns = toStringList(raw.dns).filter((d) => d !== '');
  if (raw.dns_search !== undefined) svc.dns_search = toStringList(raw.dns_search);
  if (Array.isArray(raw.devices)) {
    svc.devices = raw.devices.map((d, i) => at(p('devices', i), () => normalizeDeviceMapping(d)));
  }
  if (raw.gpus !== undefined && raw.gpus !== null) {
    const gpus = raw.gpus;
    svc.gpus = Array.isArray(gpus)
      ? gpus.map((g, i) => at(p('gpus', i), () => normalizeDeviceRequest(g)))
      : [{ count: -1 }]; // `gpus: all`
  }
  if (isPlainObject(raw.blkio_config)) svc.blkio_config = normalizeBlkio(asMap(raw.blkio_config), (...r) => p('blkio_config', ...r), at);
  for (const f of ['secrets', 'configs'] as const) {
    if (!Array.isArray(raw[f])) continue;
    svc[f] = (raw[f] as unknown[]).map((item, i) =>
      at(p(f, i), () => {
        const ref = normalizeFileReference(item);
        if (f === 'secrets' && ref.target === undefined) ref.target = `/run/secrets/${ref.source}`;
        return ref;
      }),
    );
  }
  if (raw.pull_policy !== undefined && raw.pull_policy !== null) {
    const policy = String(raw.pull_policy);
    if (pullPolicyOf(policy) === undefined) {
      at(p('pull_policy'), () => {
        throw new LoaderError(`invalid pull_policy ${JSON.stringify(policy)}: the duration after every_ cannot be read`, {}, {
          hint: 'use always, never, missing, build, daily, weekly or every_<duration> (e.g. every_12h, every_2d)',
        });
      });
    }
    svc.pull_policy = normalize && policy === 'if_not_present' ? 'missing' : policy;
  }
  if (raw.profiles !== undefined) svc.profiles = toStringList(raw.profiles);

  // scale / deploy.replicas
  let replicas: number | undefined;
  if (isPlainObject(raw.deploy)) {
    svc.deploy = normalizeDeploy(raw.deploy, (...r) => p('deploy', ...r), at);
    replicas = svc.deploy.replicas;
  }
  if (raw.scale !== undefined && raw.scale !== null) {
    const scale = at(p('scale'), () => toInt(raw.scale, 'scale'));
    if (replicas !== undefined && replicas !== scale) {
      at(p('scale'), () => {
        throw new LoaderError(`can't set distinct values on 'scale' and 'deploy.replicas'`);
      });
    }
    svc.scale = scale;
  }
  // `deploy.replicas` alone leaves `scale` unset (compose-go); the planner falls back to it.
  return svc;
}

function normalizeBuild(
  raw: unknown,
  ctx: NormalizeContext,
  pathCtx: PathContext,
  resolveEnv: (k: string) => string | null,
  p: (...rest: PathSegment[]) => PathSegment[],
  at: At,
): BuildConfig {
  const normalize = !ctx.skipNormalization;
  const { rest: o, extensions } = splitExtensions(typeof raw === 'string' ? { context: raw } : asMap(raw));
  const context = o.context === undefined || o.context === null || o.context === '' ? '.' : String(o.context);
  const build = { ...o, context: isRemote(context) ? context : resolveHostPath(context, pathCtx) } as BuildConfig;
  if (extensions) build.extensions = extensions;
  if (normalize && build.dockerfile_inline === undefined && (build.dockerfile === undefined || build.dockerfile === null)) {
    build.dockerfile = 'Dockerfile';
  }
  if (o.args !== undefined) {
    // Compose resolves a bare arg from the project environment and drops it when unset; without
    // normalisation it stays as declared (null).
    const args: Record<string, string | null> = {};
    const declared = at(p('args'), () => keyValueMap(o.args ?? {}, 'build argument'));
    for (const [k, v] of Object.entries(declared)) {
      if (v !== null && v !== undefined) args[k] = scalarString(v);
      else if (!normalize) args[k] = null;
      else {
        const value = resolveEnv(k);
        if (value !== null) args[k] = value;
      }
    }
    build.args = args;
  }
  if (o.labels !== undefined) build.labels = toStringMap(o.labels ?? {});
  if (o.additional_contexts !== undefined) {
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(toKeyValueMap(o.additional_contexts ?? {}))) {
      const s = scalarString(v ?? '');
      extra[k] = isRemote(s) || s.startsWith('service:') || s.includes('://') ? s : resolveHostPath(s, pathCtx);
    }
    build.additional_contexts = extra;
  }
  for (const f of BUILD_LIST_FIELDS) if (o[f] !== undefined && o[f] !== null) build[f] = toStringList(o[f]);
  for (const f of ['provenance', 'sbom'] as const) if (o[f] !== undefined && o[f] !== null) build[f] = scalarString(o[f]);
  for (const f of ['no_cache', 'pull', 'privileged'] as const) if (o[f] !== undefined && o[f] !== null) build[f] = toBool(o[f]);
  if (o.ulimits !== undefined && o.ulimits !== null) build.ulimits = normalizeUlimits(o.ulimits, (...r) => p('ulimits', ...r), at);
  if (o.shm_size !== undefined && o.shm_size !== null) build.shm_size = at(p('shm_size'), () => toBytes(o.shm_size));
  if (o.extra_hosts !== undefined && o.extra_hosts !== null) build.extra_hosts = at(p('extra_hosts'), () => normalizeExtraHosts(o.extra_hosts));
  if (o.ssh !== undefined && o.ssh !== null) build.ssh = at(p('ssh'), () => normalizeSsh(o.ssh, pathCtx));
  if (Array.isArray(o.secrets)) build.secrets = o.secrets.map((item, i) => at(p('secrets', i), () => normalizeFileReference(item)));
  return build;
}

/**
 * A `KEY=VALUE` list or a mapping → mapping (bare `KEY` → null). A list key ending in white space
 * (`- DEBUG = true`) is an error, as in compose.
 */
function keyValueMap(v: unknown, what: string): Plain {
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      const key = eq < 0 ? s : s.slice(0, eq);
      if (key !== '' && /\s$/.test(key)) throw new LoaderError(`${what} ${key} is declared with a trailing space`);
    }
  }
  return toKeyValueMap(v);
}

/**
 * `extra_hosts`: a list of `host=ip` / `host:ip` (several comma-separated IPs allowed) or a mapping
 * `host: ip | [ip]` → `["host=ip", …]`, one entry per address, hosts sorted, each host's addresses
 * in declaration order (the first one is what the container resolves); `[::1]` loses its brackets.
 * `config` prints the list fully sorted, as compose does.
 *
 * @throws {LoaderError} for an entry without IP or a host name that is empty or holds `:` / `=`.
 */
export function normalizeExtraHosts(raw: unknown): string[] {
  const hosts = new Map<string, string[]>();
  const add = (host: string, ips: string[]) => hosts.set(host, [...(hosts.get(host) ?? []), ...ips]);
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const s = scalarString(item);
      const eq = s.indexOf('=');
      const sep = eq >= 0 ? eq : s.indexOf(':');
      if (sep < 0) throw new LoaderError(`invalid additional host, missing IP: ${s}`, {}, { hint: 'write host=ip' });
      add(s.slice(0, sep), s.slice(sep + 1).split(','));
    }
  } else if (isPlainObject(raw)) {
    for (const [host, v] of Object.entries(raw)) add(host, v === null || v === undefined ? [''] : toStringList(v));
  } else {
    throw new LoaderError('extra_hosts must be a list or a mapping');
  }
  const out: string[] = [];
  for (const host of [...hosts.keys()].sort()) {
    const ips = hosts.get(host)!;
    if (host === '' || /[:=]/.test(host)) throw new LoaderError(`bad host name '${host}'`);
    for (const ip of ips) {
      const bare = ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
      const entry = `${host}=${bare}`;
      if (!out.includes(entry)) out.push(entry);
    }
  }
  return out;
}

/**
 * `build.ssh`: a list of `id` / `id=path` or a mapping `id: path` → `["default", "id=/abs/path"]`.
 * Relative key paths resolve against the project directory. A bare id other than `default` is an
 * error (it names no agent socket or key).
 */
export function normalizeSsh(raw: unknown, pathCtx: PathContext): string[] {
  const entries: [string, string | undefined][] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const s = scalarString(item);
      const eq = s.indexOf('=');
      if (eq < 0) {
        if (s !== 'default') throw new LoaderError(`invalid ssh key ${JSON.stringify(s)}`, {}, { hint: 'write default or id=path' });
        entries.push([s, undefined]);
      } else entries.push([s.slice(0, eq), s.slice(eq + 1)]);
    }
  } else if (isPlainObject(raw)) {
    for (const [id, v] of Object.entries(raw)) entries.push([id, v === null || v === undefined ? undefined : scalarString(v)]);
  } else {
    throw new LoaderError('build.ssh must be a list or a mapping');
  }
  return entries.map(([id, path]) => (path === undefined || path === '' ? id : `${id}=${resolveHostPath(path, pathCtx)}`));
}

/** A service's `networks.<key>` entry: `driver_opts` values as strings (compose-go's map[string]string). */
function serviceNetwork(v: Plain): ServiceNetworkConfig {
  const out = withExtensionsField(v) as ServiceNetworkConfig & Plain;
  if (v.driver_opts !== undefined && v.driver_opts !== null) out.driver_opts = toStringMap(v.driver_opts);
  for (const k of ['aliases', 'link_local_ips'] as const) if (v[k] !== undefined && v[k] !== null) out[k] = toStringList(v[k]);
  return out;
}

/**
 * A `post_start` / `pre_stop` / `pre_start` / `develop.watch[].exec` entry: `command` as argv, a string
 * split by `split` (go-shellwords, warning when cut at an operator).
 */
function normalizeHook(h: Plain, path: PathSegment[], split: (path: PathSegment[], text: string) => string[]): ServiceHookConfig {
  const { rest, extensions } = splitExtensions(h);
  const cmd = rest.command;
  const out: ServiceHookConfig = { command: typeof cmd === 'string' ? split([...path, 'command'], cmd) : toStringList(cmd ?? []) };
  const set = (k: string): boolean => rest[k] !== undefined && rest[k] !== null;
  for (const k of ['user', 'working_dir', 'image'] as const) if (set(k)) out[k] = scalarString(rest[k]);
  for (const k of ['privileged', 'per_replica'] as const) if (set(k)) out[k] = toBool(rest[k]);
  // a list stays a list: `compose/hooks.ts` resolves bare keys from the project environment
  if (set('environment')) {
    const env = rest.environment;
    out.environment = Array.isArray(env)
      ? toStringList(env)
      : Object.fromEntries(Object.entries(asMap(env)).map(([k, v]) => [k, v === null || v === undefined ? null : scalarString(v)]));
  }
  if (extensions) out.extensions = extensions;
  return out;
}

/** Top-level `models.<key>`: `context_size` an integer, `runtime_flags` a list of strings. */
function normalizeModelConfig(raw: Plain, path: PathSegment[], at: At): ModelConfig {
  const { rest, extensions } = splitExtensions(raw);
  const out: ModelConfig = { model: scalarString(rest.model ?? '') };
  if (rest.name !== undefined && rest.name !== null) out.name = scalarString(rest.name);
  if (rest.context_size !== undefined && rest.context_size !== null) {
    out.context_size = at([...path, 'context_size'], () => toInt(rest.context_size, 'context_size'));
  }
  if (rest.runtime_flags !== undefined && rest.runtime_flags !== null) out.runtime_flags = toStringList(rest.runtime_flags);
  if (extensions) out.extensions = extensions;
  return out;
}

/**
 * A `secrets:` / `configs:` / `build.secrets:` entry: a name → `{source}`; `uid`/`gid` → strings;
 * `mode` → compose's octal string (`0o440`, `0440` and `"0440"` all give `"0440"`).
 */
export function normalizeFileReference(item: unknown): ServiceFileReference {
  if (typeof item === 'string') return { source: item };
  const o = withExtensionsField(asMap(item)) as ServiceFileReference & Plain;
  if (o.uid !== undefined && o.uid !== null) o.uid = scalarString(o.uid);
  if (o.gid !== undefined && o.gid !== null) o.gid = scalarString(o.gid);
  if (o.mode !== undefined && o.mode !== null) {
    const raw = o.mode as unknown;
    const mode = typeof raw === 'number' || typeof raw === 'string' ? formatFileMode(raw) : undefined;
    if (mode === undefined) throw new LoaderError(`invalid file mode ${JSON.stringify(raw)}: expected an octal number such as 0440`);
    o.mode = mode;
  }
  return o;
}

/** Long-form `x-*` keys of a `ports:` entry are kept on the (single) port it gives. */
function withExtensions(ports: ServicePortConfig[], raw: unknown): ServicePortConfig[] {
  if (!isPlainObject(raw)) return ports;
  const { extensions } = splitExtensions(raw);
  if (extensions) for (const port of ports) port.extensions = { ...extensions };
  return ports;
}

