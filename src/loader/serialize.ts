/**
 * The model as `capstan config` prints it (compose-behaviour.md §3.20, first cut).
 */
import jsyaml from 'js-yaml';
import { formatDuration, parseDuration } from '../model/duration.js';
import type { Project } from '../model/types.js';
import { SERVICE_BYTE_FIELDS } from '../model/units.js';
import { inlineExtensions, serviceWithExtensions } from '../model/extensions.js';
import { isPlainObject } from './merge.js';
import { isCoreNonString, loadYamlPackage } from './yaml.js';

/**
 * Turn a loaded {@link Project} into a plain object in compose's canonical key order:
 * top level `name, services, networks, volumes, secrets, configs`, then `x-*` extensions; maps
 * and service attributes sorted by key (sequences keep their order); every `$` in a string value
 * re-escaped as `$$`. The service-internal `name` and the non-spec Project fields (`workingDir`,
 * `configFiles`, `envFiles`, `environment`, `disabledServices`, `profiles`) are dropped, as are
 * empty top-level resource sections and `undefined` values. Typed values print as compose prints
 * them ({@link printedService}); a secret's `content` is never printed, nor a config's `content`
 * taken from `environment`.
 */
export function projectToModel(project: Project): Record<string, unknown> {
  const esc: Escape = (t) => (t.includes('$') ? t.replace(/\$/g, '$$$$') : t);
  const canonical = (v: unknown): unknown => canonicalWith(v, esc);
  const out: Record<string, unknown> = { name: project.name };
  const services: Record<string, unknown> = {};
  for (const key of Object.keys(project.services).sort()) {
    const { name: _name, ...rest } = project.services[key]!;
    services[key] = orderServiceKeys(canonical(printedService(rest)) as Record<string, unknown>);
  }
  out.services = services;
  const printed: Partial<Record<'networks' | 'volumes' | 'secrets' | 'configs' | 'models', Record<string, unknown>>> = {
    networks: mapValues(project.networks, inlineExtensions),
    volumes: mapValues(project.volumes, inlineExtensions),
    secrets: mapValues(project.secrets, ({ content: _content, ...secret }) => inlineExtensions(secret)),
    configs: mapValues(project.configs, (c) => inlineExtensions(c.environment !== undefined ? { ...c, content: undefined } : c)),
    models: project.models && mapValues(project.models, inlineExtensions),
  };
  for (const section of ['networks', 'volumes', 'secrets', 'configs', 'models'] as const) {
    const m = printed[section];
    if (m && Object.keys(m).length > 0) out[section] = canonical(m);
  }
  for (const key of Object.keys(project.extensions).sort()) out[key] = escapeOnly(project.extensions[key], esc);
  return out;
}

function mapValues<T, U>(m: Record<string, T>, fn: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, fn(v)]));
}

/** A number of bytes as compose prints it (`"536870912"`); anything else as it is. */
function bytesText(v: unknown): unknown {
  return typeof v === 'number' ? String(v) : v;
}

/** A duration as compose prints it (Go's `time.Duration` form: `90s` → `1m30s`); else as it is. */
function durationText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const nanos = parseDuration(v);
  return nanos === undefined ? v : formatDuration(nanos);
}

/** Rewrite the duration attributes `keys` of `obj` (when it is an object) with {@link durationText}. */
function withDurations(obj: unknown, keys: readonly string[]): unknown {
  if (!isPlainObject(obj)) return obj;
  const out = { ...obj };
  for (const k of keys) if (out[k] !== undefined) out[k] = durationText(out[k]);
  return out;
}

/** `host=ip` entries sorted, as compose's `HostsList` marshals them. */
function sortedHosts(v: unknown): unknown {
  return Array.isArray(v) ? [...(v as string[])].sort() : v;
}

/**
 * The printed form of one service's typed values, where it differs from the model: byte sizes as
 * decimal strings (service sizes, `build.shm_size`, `deploy.resources.*.memory`, `blkio_config`
 * rates, tmpfs volume sizes), `extra_hosts` sorted (service and build), and durations in Go's form
 * (`stop_grace_period`, `healthcheck.*`, `deploy.{update,rollback}_config.{delay,monitor}`,
 * `deploy.restart_policy.{delay,window}`: `90s` → `1m30s`).
 */
export function printedService(svc: Record<string, unknown>): Record<string, unknown> {
  const out = serviceWithExtensions(svc);
  // byte sizes print as decimal strings, as compose's `UnitBytes`
  for (const f of SERVICE_BYTE_FIELDS) if (out[f] !== undefined) out[f] = bytesText(out[f]);
  if (out.extra_hosts !== undefined) out.extra_hosts = sortedHosts(out.extra_hosts);
  if (isPlainObject(out.build)) {
    const build = { ...out.build };
    if (build.shm_size !== undefined) build.shm_size = bytesText(build.shm_size);
    if (build.extra_hosts !== undefined) build.extra_hosts = sortedHosts(build.extra_hosts);
    out.build = build;
  }
  if (out.stop_grace_period !== undefined) out.stop_grace_period = durationText(out.stop_grace_period);
  if (out.healthcheck !== undefined) out.healthcheck = withDurations(out.healthcheck, ['interval', 'timeout', 'start_period', 'start_interval']);
  if (isPlainObject(out.deploy)) {
    const deploy = { ...out.deploy };
    if (isPlainObject(deploy.resources)) {
      const resources = { ...deploy.resources };
      for (const kind of ['limits', 'reservations']) {
        const r = resources[kind];
        if (isPlainObject(r) && r.memory !== undefined) resources[kind] = { ...r, memory: bytesText(r.memory) };
      }
      deploy.resources = resources;
    }
    for (const f of ['update_config', 'rollback_config']) if (deploy[f] !== undefined) deploy[f] = withDurations(deploy[f], ['delay', 'monitor']);
    if (deploy.restart_policy !== undefined) deploy.restart_policy = withDurations(deploy.restart_policy, ['delay', 'window']);
    out.deploy = deploy;
  }
  if (isPlainObject(out.blkio_config)) {
    const blkio = { ...out.blkio_config };
    for (const f of ['device_read_bps', 'device_read_iops', 'device_write_bps', 'device_write_iops']) {
      const list = blkio[f];
      if (Array.isArray(list)) blkio[f] = list.map((d: unknown) => (isPlainObject(d) ? { ...d, rate: bytesText(d.rate) } : d));
    }
    out.blkio_config = blkio;
  }
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v: unknown) =>
      isPlainObject(v) && isPlainObject(v.tmpfs) && typeof v.tmpfs.size === 'number' ? { ...v, tmpfs: { ...v.tmpfs, size: bytesText(v.tmpfs.size) } } : v,
    );
  }
  return out;
}

type Escape = (text: string) => string;

/**
 * The raw merged model as `config --no-interpolate` prints it (compose renders its `LoadModel`
 * map: keys sorted at every level, variables as written, no `$$` escaping).
 */
export function rawModelToPrint(model: Record<string, unknown>): Record<string, unknown> {
  return canonicalWith(model, (t) => t) as Record<string, unknown>;
}

function canonicalWith(value: unknown, esc: Escape): unknown {
  if (typeof value === 'string') return esc(value);
  if (Array.isArray(value)) return value.map((v) => canonicalWith(v, esc));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalWith(v, esc);
    }
    return out;
  }
  return value;
}

/** Extensions keep their own key order; only strings are escaped. */
function escapeOnly(value: unknown, esc: Escape): unknown {
  if (typeof value === 'string') return esc(value);
  if (Array.isArray(value)) return value.map((v) => escapeOnly(v, esc));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = escapeOnly(v, esc);
    return out;
  }
  return value;
}

/**
 * Service attributes in compose-go's `ServiceConfig` field order, which `docker compose config`
 * follows (see loader_cases/full_example/expected.yaml). Unknown attributes follow, sorted, then
 * `x-*` extensions, sorted.
 */
export const SERVICE_KEY_ORDER: readonly string[] = [
  'profiles', 'annotations', 'attach', 'build', 'develop', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup',
  'cgroup_parent', 'command', 'configs', 'container_name', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota',
  'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset', 'cpu_shares', 'credential_spec', 'depends_on', 'deploy',
  'devices', 'device_cgroup_rules', 'dns', 'dns_opt', 'dns_search', 'domainname', 'entrypoint', 'provider',
  'environment', 'env_file', 'expose', 'extends', 'external_links', 'extra_hosts', 'gpus', 'group_add', 'hostname',
  'healthcheck', 'image', 'init', 'ipc', 'isolation', 'labels', 'label_file', 'links', 'logging', 'mac_address',
  'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'models', 'network_mode', 'networks',
  'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'privileged', 'pull_policy',
  'pull_refresh_after', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size',
  'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits',
  'use_api_socket', 'user', 'userns_mode', 'uts', 'volumes', 'volumes_from', 'working_dir', 'post_start',
  'pre_start', 'pre_stop',
];

const RANK = new Map(SERVICE_KEY_ORDER.map((k, i) => [k, i]));

/** Reorder a service's keys as {@link SERVICE_KEY_ORDER}. */
export function orderServiceKeys(service: Record<string, unknown>): Record<string, unknown> {
  const rank = (k: string) => (k.startsWith('x-') ? 2e6 : (RANK.get(k) ?? 1e6));
  const keys = Object.keys(service).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = service[k];
  return out;
}

// ---- YAML text ------------------------------------------------------------------------------------

/**
 * The YAML text of a model as `capstan config` prints it: the `yaml` package's output
 * (`indent: 2, lineWidth: 0`, no aliases). js-yaml prints the same text four times faster when
 * every string is printable ASCII on one line: its structure (indentation, `- `, `key: `, empty
 * `{}` and `[]`) is the `yaml` package's, and its scalars are written as {@link DUMP_SCHEMA}
 * represents them, with the `yaml` package's choice of style. Anything else, and every value
 * js-yaml would print its own way, goes to the `yaml` package. The second printer pays
 * (bench/startup.mjs, Node 20): printing with the `yaml` package alone makes `config` of
 * bench/config.mjs's 200 services take 1.5–1.9× as long (it also spares loading that package).
 */
export function modelToYaml(model: unknown): string {
  try {
    return jsyaml.dump(model, DUMP_OPTIONS);
  } catch (err) {
    if (err !== PRINT_WITH_YAML) throw err;
    return loadYamlPackage().stringify(model, { indent: 2, lineWidth: 0, aliasDuplicateObjects: false });
  }
}

/** Thrown out of js-yaml when the model holds something the `yaml` package is left to print. */
const PRINT_WITH_YAML = new Error('print with the yaml package');

/** The `yaml` package's test for a string that may not be a plain scalar (stringifyString.js `plainString`). */
const PLAIN_UNSAFE = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/**
 * A one-line printable ASCII string, key or value, as the `yaml` package prints it in block
 * context: plain unless an indicator or a core-schema look-alike (`"80"`, `"true"`, `""`) makes it
 * ambiguous; then in single quotes when it holds `"` but no `'`, else in double quotes (where only
 * `"` and `\` are escaped, as in JSON). Other strings leave js-yaml.
 */
function scalarText(s: string): string {
  if (s.length > 1000 || !/^[\x20-\x7e]*$/.test(s) || s.startsWith('---') || s.startsWith('...')) throw PRINT_WITH_YAML;
  if (!PLAIN_UNSAFE.test(s) && !isCoreNonString(s)) return s;
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/**
 * Scalars as the `yaml` package prints them: null, booleans, finite numbers (not -0) in their
 * JavaScript form, strings by {@link scalarText}. Implicit types, so js-yaml writes their text as
 * is; mappings and sequences are js-yaml's own.
 */
const DUMP_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:capstan.dump:str', { kind: 'scalar', predicate: (v) => typeof v === 'string', represent: (v) => scalarText(v as unknown as string) }),
    new jsyaml.Type('tag:capstan.dump:null', { kind: 'scalar', predicate: (v) => v === null, represent: () => 'null' }),
    new jsyaml.Type('tag:capstan.dump:bool', { kind: 'scalar', predicate: (v) => typeof v === 'boolean', represent: (v) => (v ? 'true' : 'false') }),
    new jsyaml.Type('tag:capstan.dump:number', {
      kind: 'scalar',
      predicate: (v) => typeof v === 'number',
      represent: (v) => {
        const n = v as unknown as number;
        if (!Number.isFinite(n) || Object.is(n, -0)) throw PRINT_WITH_YAML;
        return String(n);
      },
    }),
    // objects that are neither plain nor arrays (dates, class instances): js-yaml prints them its own way
    new jsyaml.Type('tag:capstan.dump:other', {
      kind: 'scalar',
      predicate: (v) => {
        if (v === undefined || Array.isArray(v)) return false;
        const proto: unknown = Object.getPrototypeOf(v);
        return proto !== Object.prototype && proto !== null;
      },
      represent: () => {
        throw PRINT_WITH_YAML;
      },
    }),
  ],
});

const DUMP_OPTIONS: jsyaml.DumpOptions = { schema: DUMP_SCHEMA, indent: 2, lineWidth: -1, noRefs: true };
