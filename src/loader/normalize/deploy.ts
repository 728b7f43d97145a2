/**
 * Normalisation of `deploy:` (Compose Deploy Specification): every key typed, numbers as
 * numbers, byte sizes in bytes, durations checked, `x-*` keys in `extensions`. The container backend reads `replicas`,
 * `resources` and `restart_policy`; the rest is there for a Swarm or Kubernetes backend.
 */
import type {
  DeployConfig,
  DeployResources,
  GenericResource,
  PlacementConfig,
  ResourceConfig,
  RestartPolicyConfig,
  UpdateConfig,
} from '../../model/types.js';
import type { PathSegment } from '../interpolate.js';
import { isPlainObject } from '../merge.js';
import { normalizeDeviceRequest } from './devices.js';
import type { At } from './service-options.js';
import { asMap, checkDuration, scalarString, splitExtensions, stringMap, toBytes, toInt, toNumber, toStringList, type Plain } from './values.js';

type P = (...rest: PathSegment[]) => PathSegment[];

const set = (o: Plain, k: string): boolean => o[k] !== undefined && o[k] !== null;

/**
 * `deploy:` → {@link DeployConfig}.
 *
 * @throws {LoaderError} (placed by `at`) for a bad integer, number, byte size or duration, or a
 *   device request with both `count` and `device_ids`.
 */
export function normalizeDeploy(raw: Plain, p: P, at: At): DeployConfig {
  const { rest: o, extensions } = splitExtensions(raw);
  const out: DeployConfig = {};
  for (const k of ['mode', 'endpoint_mode'] as const) if (set(o, k)) out[k] = scalarString(o[k]);
  if (set(o, 'replicas')) out.replicas = at(p('replicas'), () => toInt(o.replicas, 'replicas'));
  if (set(o, 'labels')) out.labels = stringMap(o.labels);
  for (const k of ['update_config', 'rollback_config'] as const) {
    if (isPlainObject(o[k])) out[k] = normalizeUpdateConfig(o[k], (...r) => p(k, ...r), at);
  }
  if (isPlainObject(o.resources)) out.resources = normalizeResources(o.resources, (...r) => p('resources', ...r), at);
  if (isPlainObject(o.restart_policy)) out.restart_policy = normalizeRestartPolicy(o.restart_policy, (...r) => p('restart_policy', ...r), at);
  if (isPlainObject(o.placement)) out.placement = normalizePlacement(o.placement, (...r) => p('placement', ...r), at);
  if (extensions) out.extensions = extensions;
  return out;
}

function normalizeUpdateConfig(raw: Plain, p: P, at: At): UpdateConfig {
  const { rest: o, extensions } = splitExtensions(raw);
  const out: UpdateConfig = {};
  if (set(o, 'parallelism')) out.parallelism = at(p('parallelism'), () => toInt(o.parallelism, 'parallelism'));
  for (const k of ['delay', 'monitor'] as const) if (set(o, k)) out[k] = at(p(k), () => checkDuration(o[k]));
  if (set(o, 'failure_action')) out.failure_action = scalarString(o.failure_action);
  if (set(o, 'max_failure_ratio')) out.max_failure_ratio = at(p('max_failure_ratio'), () => toNumber(o.max_failure_ratio, 'max_failure_ratio'));
  if (set(o, 'order')) out.order = o.order as UpdateConfig['order'];
  if (extensions) out.extensions = extensions;
  return out;
}

function normalizeRestartPolicy(raw: Plain, p: P, at: At): RestartPolicyConfig {
  const { rest: o, extensions } = splitExtensions(raw);
  const out: RestartPolicyConfig = {};
  if (set(o, 'condition')) out.condition = scalarString(o.condition);
  for (const k of ['delay', 'window'] as const) if (set(o, k)) out[k] = at(p(k), () => checkDuration(o[k]));
  if (set(o, 'max_attempts')) out.max_attempts = at(p('max_attempts'), () => toInt(o.max_attempts, 'max_attempts'));
  if (extensions) out.extensions = extensions;
  return out;
}

function normalizePlacement(raw: Plain, p: P, at: At): PlacementConfig {
  const { rest: o, extensions } = splitExtensions(raw);
  const out: PlacementConfig = {};
  if (set(o, 'constraints')) out.constraints = toStringList(o.constraints);
  if (Array.isArray(o.preferences)) {
    out.preferences = o.preferences.map((pref) => {
      const { rest: r, extensions: x } = splitExtensions(asMap(pref));
      return { ...(set(r, 'spread') ? { spread: scalarString(r.spread) } : {}), ...(x ? { extensions: x } : {}) };
    });
  }
  if (set(o, 'max_replicas_per_node')) out.max_replicas_per_node = at(p('max_replicas_per_node'), () => toInt(o.max_replicas_per_node, 'max_replicas_per_node'));
  if (extensions) out.extensions = extensions;
  return out;
}

function normalizeResources(raw: Plain, p: P, at: At): DeployResources {
  const { rest: o, extensions } = splitExtensions(raw);
  const out: DeployResources = {};
  for (const kind of ['limits', 'reservations'] as const) {
    if (isPlainObject(o[kind])) out[kind] = normalizeResource(o[kind], (...r) => p(kind, ...r), at);
  }
  if (extensions) out.extensions = extensions;
  return out;
}

/** `deploy.resources.limits` / `reservations`: cpus → number, memory → bytes, devices → requests. */
function normalizeResource(raw: Plain, p: P, at: At): ResourceConfig {
  const { rest: o, extensions } = splitExtensions(raw);
  const out: ResourceConfig = {};
  if (set(o, 'cpus')) out.cpus = at(p('cpus'), () => toNumber(o.cpus, 'cpus'));
  if (set(o, 'memory')) out.memory = at(p('memory'), () => toBytes(o.memory));
  if (set(o, 'pids')) out.pids = at(p('pids'), () => toInt(o.pids, 'pids'));
  if (Array.isArray(o.devices)) out.devices = o.devices.map((d, i) => at(p('devices', i), () => normalizeDeviceRequest(d)));
  if (Array.isArray(o.generic_resources)) {
    out.generic_resources = o.generic_resources.map((g, i) => {
      const { rest: r, extensions: x } = splitExtensions(asMap(g));
      const res: GenericResource = {};
      if (isPlainObject(r.discrete_resource_spec)) {
        const { rest: d, extensions: dx } = splitExtensions(r.discrete_resource_spec);
        res.discrete_resource_spec = {};
        if (set(d, 'kind')) res.discrete_resource_spec.kind = scalarString(d.kind);
        if (set(d, 'value')) {
          res.discrete_resource_spec.value = at(p('generic_resources', i, 'discrete_resource_spec', 'value'), () => toNumber(d.value, 'value'));
        }
        if (dx) res.discrete_resource_spec.extensions = dx;
      }
      if (x) res.extensions = x;
      return res;
    });
  }
  if (extensions) out.extensions = extensions;
  return out;
}
