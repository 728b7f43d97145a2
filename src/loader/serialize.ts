/**
 * The model as `capstan config` prints it (compose-behaviour.md §3.20, first cut).
 */
import type { Project } from '../model/types.js';

/**
 * Turn a loaded {@link Project} into a plain object in compose's canonical key order:
 * top level `name, services, networks, volumes, secrets, configs`, then `x-*` extensions; maps
 * and service attributes sorted by key (sequences keep their order); every `$` in a string value
 * re-escaped as `$$`. The service-internal `name` and the non-spec Project fields (`workingDir`,
 * `configFiles`, `envFiles`, `environment`, `disabledServices`, `profiles`) are dropped, as are
 * empty top-level resource sections and `undefined` values.
 */
export function projectToModel(project: Project): Record<string, unknown> {
  const out: Record<string, unknown> = { name: project.name };
  const services: Record<string, unknown> = {};
  for (const key of Object.keys(project.services).sort()) {
    const { name: _name, ...rest } = project.services[key]!;
    services[key] = orderServiceKeys(canonical(rest) as Record<string, unknown>);
  }
  out.services = services;
  for (const section of ['networks', 'volumes', 'secrets', 'configs', 'models'] as const) {
    const m = project[section];
    if (m && Object.keys(m).length > 0) out[section] = canonical(m);
  }
  for (const key of Object.keys(project.extensions).sort()) out[key] = escapeOnly(project.extensions[key]);
  return out;
}

function canonical(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** Extensions keep their own key order; only strings are escaped. */
function escapeOnly(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(escapeOnly);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = escapeOnly(v);
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
