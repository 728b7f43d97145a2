/**
 * Normalisation of the service attributes that map onto the Engine's `HostConfig` one to one
 * (compose-behaviour.md §3.1 "canonicalize"): string lists, maps, ulimits, logging, namespaces,
 * CPU periods, durations, restart policy, tmpfs, and the Windows/plugin attributes
 * (`credential_spec`, `provider`, `models`, `develop`). A table of small per-attribute readers,
 * as compose-go's `transform` package is: each takes the value as loaded (interpolated, merged,
 * cast and schema-valid) and returns the model's canonical form, or throws a LoaderError that the
 * caller's `at` places at `file:line:col: services.<name>.<key>`.
 *
 * Values refused here are the ones compose-go refuses at load time too (durations, integers,
 * relative tmpfs paths). A value compose-go accepts but the engine refuses at create time (an
 * unknown `restart` policy, `mem_swappiness` outside 0–100) is accepted, as `docker compose config`
 * accepts it, with a warning that points at the line.
 */
import { LoaderError } from '../../errors.js';
import type {
  CredentialSpecConfig,
  DevelopConfig,
  LoggingConfig,
  ProviderConfig,
  ServiceConfig,
  ServiceModelConfig,
  UlimitConfig,
  WatchRule,
} from '../../model/types.js';
import type { PathSegment } from '../interpolate.js';
import { isPlainObject } from '../merge.js';
import {
  asMap,
  checkDuration,
  scalarString,
  splitExtensions,
  stringMap,
  toBool,
  toInt,
  toMicroseconds,
  toStringList,
  withExtensionsField,
  type Plain,
} from './values.js';

/** Runs `fn`, placing a LoaderError it throws at `path`. */
export type At = <T>(path: PathSegment[], fn: () => T) => T;

/** Reports a warning about the value at `path` (the caller adds `file:line:col: key.path:`). */
export type WarnAt = (path: PathSegment[], message: string) => void;

/**
 * `ulimits` (service and `build.ulimits`): each limit a number (soft = hard) or `{soft, hard}`
 * (a missing one is 0, as in compose-go), integers. @throws {LoaderError} (placed by `at` at
 * `…ulimits.<name>[.soft|.hard]`) for a value that is not an integer.
 */
export function normalizeUlimits(raw: unknown, p: (...rest: PathSegment[]) => PathSegment[], at: At): Record<string, UlimitConfig> {
  const out: Record<string, UlimitConfig> = {};
  for (const [name, v] of Object.entries(asMap(raw))) {
    if (isPlainObject(v)) {
      // a limit left out is 0, as in compose-go (an override may set only one of them)
      const soft = v.soft === undefined || v.soft === null ? 0 : at(p(name, 'soft'), () => toInt(v.soft));
      const hard = v.hard === undefined || v.hard === null ? 0 : at(p(name, 'hard'), () => toInt(v.hard));
      out[name] = { soft, hard };
    } else out[name] = at(p(name), () => toInt(v));
  }
  return out;
}

/** `logging`: option values become strings (compose-go's `map[string]string`); a null option is dropped. */
function normalizeLogging(raw: unknown): LoggingConfig {
  const { rest, extensions } = splitExtensions(asMap(raw));
  const out: LoggingConfig = {};
  if (rest.driver !== undefined && rest.driver !== null) out.driver = scalarString(rest.driver);
  if (rest.options !== undefined && rest.options !== null) {
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(asMap(rest.options))) if (v !== null && v !== undefined) options[k] = scalarString(v);
    out.options = options;
  }
  if (extensions) out.extensions = extensions;
  return out;
}

/** The restart policies the engine knows: `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;

/** `tmpfs` entries `PATH[:OPTIONS]`: the path must be absolute. */
function checkTmpfs(entry: string): string {
  const path = entry.split(':', 1)[0]!;
  if (!path.startsWith('/')) throw new LoaderError(`tmpfs ${JSON.stringify(entry)} must be an absolute path`);
  return entry;
}

/** `credential_spec`. */
function normalizeCredentialSpec(raw: unknown): CredentialSpecConfig {
  const { rest, extensions } = splitExtensions(asMap(raw));
  const out: CredentialSpecConfig = {};
  for (const k of ['config', 'file', 'registry'] as const) if (rest[k] !== undefined && rest[k] !== null) out[k] = scalarString(rest[k]);
  if (extensions) out.extensions = extensions;
  return out;
}

/** `provider`: option values are strings or lists of strings. */
function normalizeProvider(raw: unknown): ProviderConfig {
  const { rest, extensions } = splitExtensions(asMap(raw));
  const out: ProviderConfig = { type: scalarString(rest.type ?? '') };
  if (isPlainObject(rest.options)) {
    const options: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(rest.options)) options[k] = Array.isArray(v) ? v.map(scalarString) : scalarString(v);
    out.options = options;
  }
  if (extensions) out.extensions = extensions;
  return out;
}

/** Service `models`: a list of keys, or a map of key → variable names. */
function normalizeServiceModels(raw: unknown): string[] | Record<string, ServiceModelConfig | null> {
  if (Array.isArray(raw)) return raw.map(scalarString);
  const out: Record<string, ServiceModelConfig | null> = {};
  for (const [k, v] of Object.entries(asMap(raw))) out[k] = isPlainObject(v) ? (withExtensionsField(v) as ServiceModelConfig) : null;
  return out;
}

/** `develop`: watch rules with `ignore`/`include` as lists and `exec` hooks shell-split by the caller. */
function normalizeDevelop(raw: unknown, p: (...rest: PathSegment[]) => PathSegment[], at: At, hook: (raw: unknown, path: PathSegment[]) => WatchRule['exec']): DevelopConfig {
  const { rest, extensions } = splitExtensions(asMap(raw));
  const out: DevelopConfig = {};
  if (Array.isArray(rest.watch)) {
    out.watch = rest.watch.map((w, i) => {
      const { rest: r, extensions: x } = splitExtensions(asMap(w));
      const rule: WatchRule = { path: scalarString(r.path ?? ''), action: r.action as WatchRule['action'] };
      if (r.target !== undefined && r.target !== null) rule.target = scalarString(r.target);
      if (r.ignore !== undefined && r.ignore !== null) rule.ignore = toStringList(r.ignore);
      if (r.include !== undefined && r.include !== null) rule.include = toStringList(r.include);
      if (r.exec !== undefined && r.exec !== null) rule.exec = hook(r.exec, p('watch', i, 'exec'));
      if (r.initial_sync !== undefined && r.initial_sync !== null) rule.initial_sync = at(p('watch', i, 'initial_sync'), () => toBool(r.initial_sync));
      if (x) rule.extensions = x;
      return rule;
    });
  }
  if (extensions) out.extensions = extensions;
  return out;
}

/** String-list attributes (a bare string is one entry; numbers become text). */
const STRING_LISTS = ['security_opt', 'dns_opt', 'group_add', 'device_cgroup_rules', 'external_links', 'links', 'volumes_from'] as const;
/** String attributes kept as text. */
const STRINGS = ['pid', 'ipc', 'uts', 'userns_mode', 'cgroup_parent', 'cpuset', 'runtime', 'isolation', 'mac_address', 'pull_refresh_after', 'platform'] as const;
/** CFS/RT periods and quotas, in microseconds. */
const MICROSECONDS = ['cpu_quota', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime'] as const;

/**
 * Normalise the host-option attributes of one service from `raw` onto `svc`.
 *
 * @param hook normalises a hook entry (`develop.watch[].exec`) the way `post_start` entries are.
 * @param warn reports an unknown `restart` policy or a `mem_swappiness` outside 0–100: compose-go
 *   loads both and the engine refuses them at create time (where swappiness is supported).
 * @throws {LoaderError} (through `at`, with position) for a bad duration, ulimit, cgroup mode or
 *   relative tmpfs path.
 */
export function normalizeHostOptions(
  raw: Plain,
  svc: ServiceConfig,
  p: (...rest: PathSegment[]) => PathSegment[],
  at: At,
  hook: (raw: unknown, path: PathSegment[]) => WatchRule['exec'],
  warn: WarnAt,
): void {
  const set = (k: string) => raw[k] !== undefined && raw[k] !== null;
  for (const f of STRING_LISTS) if (set(f)) svc[f] = toStringList(raw[f]);
  for (const f of STRINGS) if (set(f)) svc[f] = scalarString(raw[f]);
  for (const f of MICROSECONDS) if (set(f)) svc[f] = at(p(f), () => toMicroseconds(raw[f]));
  if (set('storage_opt')) svc.storage_opt = stringMap(raw.storage_opt);
  if (set('ulimits')) svc.ulimits = normalizeUlimits(raw.ulimits, (...r) => p('ulimits', ...r), at);
  if (set('logging')) svc.logging = normalizeLogging(raw.logging);
  if (set('credential_spec')) svc.credential_spec = normalizeCredentialSpec(raw.credential_spec);
  if (set('provider')) svc.provider = normalizeProvider(raw.provider);
  if (set('models')) svc.models = normalizeServiceModels(raw.models);
  if (set('develop')) svc.develop = normalizeDevelop(raw.develop, (...r) => p('develop', ...r), at, hook);
  if (set('restart')) {
    svc.restart = scalarString(raw.restart);
    // an empty policy (typically an unset `${RESTART:-}`) means none, as in compose
    if (svc.restart !== '' && !RESTART.test(svc.restart)) {
      warn(p('restart'), `unknown restart policy ${JSON.stringify(svc.restart)}: the engine will refuse it; use no, always, on-failure[:max-retries] or unless-stopped`);
    }
  }
  if (set('stop_grace_period')) svc.stop_grace_period = at(p('stop_grace_period'), () => checkDuration(raw.stop_grace_period));
  if (set('cgroup')) {
    const cgroup = scalarString(raw.cgroup);
    // `service:X` is accepted by compose-go (an implicit dependency); the schema allows host and private
    if (cgroup !== 'host' && cgroup !== 'private' && !cgroup.startsWith('service:')) {
      at(p('cgroup'), () => {
        throw new LoaderError(`cgroup must be host or private, not ${JSON.stringify(cgroup)}`);
      });
    }
    svc.cgroup = cgroup;
  }
  if (raw.tmpfs !== undefined) {
    svc.tmpfs = toStringList(raw.tmpfs).map((entry, i) => at(Array.isArray(raw.tmpfs) ? p('tmpfs', i) : p('tmpfs'), () => checkTmpfs(entry)));
  }
  if (svc.mem_swappiness !== undefined && (svc.mem_swappiness < 0 || svc.mem_swappiness > 100)) {
    warn(p('mem_swappiness'), `mem_swappiness ${svc.mem_swappiness} is outside 0–100: the engine will refuse it where swappiness is supported`);
  }
}
