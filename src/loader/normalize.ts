/**
 * Normalisation stage (compose-behaviour.md §3.1 "canonicalize", §3.9): short syntax → the
 * canonical long form of `src/model/types.ts`, defaults, resource names and path resolution.
 *
 * Input is the merged, interpolated, schema-valid plain tree; output is the typed model parts of
 * a {@link Project} (everything except the loader's bookkeeping fields).
 */
import { isAbsolute, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import type {
  BuildConfig,
  ConfigObjConfig,
  DependsOnCondition,
  DependsOnConfig,
  EnvFileConfig,
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
import { formatKeyPath, type PathSegment } from './interpolate.js';
import type { LocateInFiles } from './validate.js';
import { isPlainObject, toKeyValueMap } from './merge.js';
import { normalizePortEntry, uniquePorts } from './ports.js';
import { shellSplit } from './shlex.js';
import { normalizeVolumeEntry, resolveHostPath, toBool, uniqueVolumes, type PathContext } from './volumes.js';

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
export interface NormalizedModel
  extends Pick<Project, 'services' | 'networks' | 'volumes' | 'secrets' | 'configs' | 'extensions' | 'models'> {
  /** Last top-level `name:` (already interpolated), if any. */
  name?: string;
}

type Plain = Record<string, unknown>;

/**
 * Turn the merged tree into the canonical model.
 *
 * @throws {LoaderError} with position for short syntax that cannot be parsed (ports, volumes,
 *   command quoting), `scale` ≠ `deploy.replicas`, and bad values of typed fields.
 */
export function normalizeModel(model: Plain, ctx: NormalizeContext): NormalizedModel {
  const fail = (err: unknown, path: PathSegment[]): never => {
    if (err instanceof LoaderError && err.file === undefined) {
      const where = ctx.locate?.(path);
      throw new LoaderError(err.reason, { ...where, keyPath: formatKeyPath(path) }, { hint: err.hint, details: err.details });
    }
    throw err;
  };
  const at = <T>(path: PathSegment[], fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      return fail(err, path);
    }
  };
  const pathCtx: PathContext = { workingDir: ctx.workingDir, home: ctx.home, keepRelative: ctx.resolvePaths === false };
  const normalize = !ctx.skipNormalization;

  const services: Record<string, ServiceConfig> = {};
  for (const [name, raw] of Object.entries(asMap(model.services))) {
    services[name] = normalizeService(name, asMap(raw), ctx, pathCtx, at);
  }

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
    at([section, key], () => namedResource(section, key, asMap(raw), ctx.projectName, normalize, ctx.onWarning));
  const networks: Record<string, NetworkConfig> = {};
  for (const [key, raw] of Object.entries(rawNetworks)) {
    networks[key] = named('networks', key, raw) as NetworkConfig;
  }
  const volumes: Record<string, VolumeConfig> = {};
  for (const [key, raw] of Object.entries(asMap(model.volumes))) {
    volumes[key] = named('volumes', key, raw) as VolumeConfig;
  }
  const secrets: Record<string, SecretConfig> = {};
  for (const [key, raw] of Object.entries(asMap(model.secrets))) {
    const s = named('secrets', key, raw) as SecretConfig;
    if (typeof s.file === 'string') s.file = resolveHostPath(s.file, pathCtx);
    secrets[key] = s;
  }
  const configs: Record<string, ConfigObjConfig> = {};
  for (const [key, raw] of Object.entries(asMap(model.configs))) {
    const c = named('configs', key, raw) as ConfigObjConfig;
    if (typeof c.file === 'string') c.file = resolveHostPath(c.file, pathCtx);
    configs[key] = c;
  }
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) if (k.startsWith('x-')) extensions[k] = v;
  const out: NormalizedModel = { services, networks, volumes, secrets, configs, extensions };
  if (isPlainObject(model.models)) out.models = model.models;
  if (typeof model.name === 'string' && model.name !== '') out.name = model.name;
  return out;
}

function asMap(v: unknown): Plain {
  return isPlainObject(v) ? v : {};
}

/**
 * Resource `name` default: `<project>_<key>`, or `<key>` when external; `external` → boolean;
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
  if (out.labels !== undefined) out.labels = stringMap(toKeyValueMap(out.labels), '');
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
  const add = (target: string, restart: boolean) => {
    if (!target || target === svc.name) return;
    svc.depends_on ??= {};
    if (!(target in svc.depends_on)) svc.depends_on[target] = { condition: 'service_started', restart, required: true };
  };
  for (const l of toStringList(svc.links)) add(l.split(':')[0]!, true);
  for (const f of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const v = svc[f];
    if (typeof v === 'string' && v.startsWith('service:')) add(v.slice('service:'.length), true);
  }
  for (const v of toStringList(svc.volumes_from)) {
    if (!v.startsWith('container:')) add(v.split(':')[0]!, false);
  }
}

function stringMap(m: Plain, nullAs: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null || v === undefined ? (nullAs as string) : scalarString(v);
  return out;
}

function scalarString(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function toStringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(scalarString);
}

function toInt(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n)) throw new LoaderError(`${what} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

const BOOL_FIELDS = ['tty', 'stdin_open', 'privileged', 'init', 'read_only', 'oom_kill_disable', 'attach', 'use_api_socket'];
/** YAML 1.1 booleans that YAML 1.2 reads as strings; converted on boolean fields, with a warning. */
const LEGACY_BOOL = /^(yes|no|on|off|y|n)$/i;
const INT_FIELDS = ['cpu_shares', 'cpu_count', 'cpu_percent', 'pids_limit', 'oom_score_adj', 'mem_swappiness'];

type At = <T>(path: PathSegment[], fn: () => T) => T;

function normalizeService(name: string, raw: Plain, ctx: NormalizeContext, pathCtx: PathContext, at: At): ServiceConfig {
  const p = (...rest: PathSegment[]): PathSegment[] => ['services', name, ...rest];
  const svc: ServiceConfig = { ...raw, name } as ServiceConfig;
  const resolveEnv = (k: string): string | null => (Object.hasOwn(ctx.environment, k) ? ctx.environment[k]! : null);

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

  if (raw.build !== undefined && raw.build !== null) {
    svc.build = at(p('build'), () => normalizeBuild(raw.build, ctx, pathCtx, resolveEnv));
  }
  for (const f of ['command', 'entrypoint'] as const) {
    const v = raw[f];
    if (v === undefined) continue;
    if (v === null) svc[f] = null;
    else if (typeof v === 'string') svc[f] = at(p(f), () => shellSplit(v));
    else svc[f] = toStringList(v);
  }
  // Lifecycle hooks: a string command is shell-split here, like `command`, so hooks run an argv.
  for (const f of ['post_start', 'pre_stop'] as const) {
    const hooks = raw[f];
    if (!Array.isArray(hooks)) continue;
    svc[f] = hooks.map((hook: unknown, i) => {
      const h = asMap(hook);
      const cmd = h.command;
      const command = typeof cmd === 'string' ? at(p(f, i, 'command'), () => shellSplit(cmd)) : toStringList(cmd ?? []);
      return { ...h, command } as ServiceHookConfig;
    });
  }
  if (raw.environment !== undefined) {
    const env: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(toKeyValueMap(raw.environment ?? {}))) {
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
  if (raw.labels !== undefined) svc.labels = stringMap(toKeyValueMap(raw.labels ?? {}), '');
  if (raw.annotations !== undefined) svc.annotations = stringMap(toKeyValueMap(raw.annotations ?? {}), '');
  if (raw.sysctls !== undefined) svc.sysctls = stringMap(toKeyValueMap(raw.sysctls ?? {}), '');
  if (Array.isArray(raw.ports)) {
    const ports: ServicePortConfig[] = [];
    raw.ports.forEach((item, i) => ports.push(...at(p('ports', i), () => normalizePortEntry(item))));
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
    else for (const [k, v] of Object.entries(asMap(raw.networks))) nets[k] = isPlainObject(v) ? (v as ServiceNetworkConfig) : null;
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
        deps[k] = dep;
      }
    }
    svc.depends_on = deps;
  }
  if (isPlainObject(raw.healthcheck)) {
    const h = { ...raw.healthcheck } as HealthCheckConfig & Plain;
    if (typeof raw.healthcheck.test === 'string') h.test = ['CMD-SHELL', raw.healthcheck.test];
    if (h.retries !== undefined) h.retries = at(p('healthcheck', 'retries'), () => toInt(h.retries, 'retries'));
    if (h.disable !== undefined) h.disable = toBool(h.disable);
    svc.healthcheck = h;
  }
  if (raw.extra_hosts !== undefined && raw.extra_hosts !== null) {
    svc.extra_hosts = at(p('extra_hosts'), () => normalizeExtraHosts(raw.extra_hosts));
  }
  if (raw.dns !== undefined) svc.dns = toStringList(raw.dns);
  if (raw.dns_search !== undefined) svc.dns_search = toStringList(raw.dns_search);
  if (raw.tmpfs !== undefined) svc.tmpfs = toStringList(raw.tmpfs);
  for (const f of ['secrets', 'configs'] as const) {
    if (!Array.isArray(raw[f])) continue;
    svc[f] = (raw[f] as unknown[]).map((item): ServiceFileReference => {
      if (typeof item === 'string') return { source: item };
      const o = { ...asMap(item) } as ServiceFileReference & Plain;
      if (o.uid !== undefined) o.uid = String(o.uid);
      if (o.gid !== undefined) o.gid = String(o.gid);
      if (o.mode !== undefined && typeof o.mode === 'string') o.mode = parseInt(o.mode, 8);
      return o;
    });
  }
  if (raw.pull_policy === 'if_not_present') svc.pull_policy = 'missing';
  if (raw.profiles !== undefined) svc.profiles = toStringList(raw.profiles);

  // scale / deploy.replicas
  const deploy = isPlainObject(raw.deploy) ? ({ ...raw.deploy } as Plain) : undefined;
  let replicas: number | undefined;
  if (deploy && deploy.replicas !== undefined && deploy.replicas !== null) {
    replicas = at(p('deploy', 'replicas'), () => toInt(deploy!.replicas, 'replicas'));
    deploy.replicas = replicas;
  }
  if (deploy) svc.deploy = deploy;
  if (raw.scale !== undefined && raw.scale !== null) {
    const scale = at(p('scale'), () => toInt(raw.scale, 'scale'));
    if (replicas !== undefined && replicas !== scale) {
      at(p('scale'), () => {
        throw new LoaderError(`can't set distinct values on 'scale' and 'deploy.replicas'`);
      });
    }
    svc.scale = scale;
  } else if (replicas !== undefined) {
    svc.scale = replicas;
  }
  return svc;
}

function normalizeBuild(
  raw: unknown,
  ctx: NormalizeContext,
  pathCtx: PathContext,
  resolveEnv: (k: string) => string | null,
): BuildConfig {
  const o: Plain = typeof raw === 'string' ? { context: raw } : { ...asMap(raw) };
  const context = o.context === undefined || o.context === null || o.context === '' ? '.' : String(o.context);
  const build = { ...o, context: isRemoteContext(context) ? context : resolveHostPath(context, pathCtx) } as BuildConfig;
  if (build.dockerfile_inline === undefined && (build.dockerfile === undefined || build.dockerfile === null)) {
    build.dockerfile = 'Dockerfile';
  }
  if (o.args !== undefined) {
    const args: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(toKeyValueMap(o.args ?? {}))) args[k] = v === null ? resolveEnv(k) : scalarString(v);
    build.args = args;
  }
  if (o.labels !== undefined) build.labels = stringMap(toKeyValueMap(o.labels ?? {}), '');
  if (o.additional_contexts !== undefined) {
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(toKeyValueMap(o.additional_contexts ?? {}))) {
      const s = scalarString(v ?? '');
      extra[k] = isRemoteContext(s) || s.startsWith('service:') || s.includes('://') || isAbsolute(s) ? s : resolve(ctx.workingDir, s);
    }
    build.additional_contexts = extra;
  }
  return build;
}

/** A build context that is a URL or git reference, not a local path. */
function isRemoteContext(c: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(c) || c.startsWith('git@') || c.startsWith('github.com/');
}

/** `host:ip`, `host=ip` or `{host: ip | [ip]}` → `["host=ip", …]` (compose's canonical form). */
function normalizeExtraHosts(raw: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const s = String(item);
      const eq = s.indexOf('=');
      const colon = s.indexOf(':');
      const sep = eq >= 0 ? eq : colon;
      if (sep < 0) throw new LoaderError(`invalid extra_hosts entry ${JSON.stringify(s)}: expected host=ip`);
      out.push(`${s.slice(0, sep)}=${s.slice(sep + 1)}`);
    }
  } else if (isPlainObject(raw)) {
    for (const host of Object.keys(raw).sort()) for (const ip of toStringList(raw[host])) out.push(`${host}=${ip}`);
  } else {
    throw new LoaderError('extra_hosts must be a list or a mapping');
  }
  return [...new Set(out)];
}
