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
    services[key] = canonical(rest);
  }
  out.services = services;
  for (const section of ['networks', 'volumes', 'secrets', 'configs'] as const) {
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
