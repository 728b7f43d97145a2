/**
 * Service selection and resource pruning, the last model stages before environment resolution
 * (compose-go's `WithSelectedServices` and `WithoutUnnecessaryResources`, applied by docker
 * compose to every command's project: `config web`, `up web`, …).
 *
 * - Selecting services keeps the named services and, by default, what they depend on; the other
 *   services move to the disabled set (they stay known, so they are not orphans) and the
 *   `depends_on` entries pointing at them are dropped.
 * - Pruning drops the top-level networks, volumes, secrets, configs and models that no kept
 *   service uses.
 */
import { LoaderError } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';

/** Services split into the kept ones and the disabled ones, both keyed by name. */
export interface ServiceSets {
  services: Record<string, ServiceConfig>;
  disabled: Record<string, ServiceConfig>;
}

/** Options of {@link selectServices}. */
export interface SelectOptions {
  /**
   * `'include'` (default): also keep, transitively, the services the selected ones depend on.
   * `'ignore'`: keep exactly the named services (`up --no-deps`: `LoadOptions.noDeps`).
   */
  dependencies?: 'include' | 'ignore';
}

/**
 * Restrict `sets.services` to `names` (and their dependencies); an empty `names` keeps all.
 *
 * @returns new sets; the input objects are not modified.
 * @throws {LoaderError} `no such service: X` for a name, or a required dependency, that is not an
 *   enabled service. A missing dependency marked `required: false` is skipped.
 */
export function selectServices(sets: ServiceSets, names: readonly string[], options: SelectOptions = {}): ServiceSets {
  if (names.length === 0) return { services: { ...sets.services }, disabled: { ...sets.disabled } };
  const keep = new Set<string>();
  const visit = (name: string, optional: boolean): void => {
    if (keep.has(name)) return;
    const svc = sets.services[name];
    if (!svc) {
      if (optional) return;
      throw new LoaderError(`no such service: ${name}`);
    }
    keep.add(name);
    if (options.dependencies === 'ignore') return;
    for (const [dep, cfg] of Object.entries(svc.depends_on ?? {})) visit(dep, cfg.required === false);
  };
  for (const name of names) visit(name, false);

  const services: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = { ...sets.disabled };
  for (const [name, svc] of Object.entries(sets.services)) {
    if (!keep.has(name)) {
      disabled[name] = svc;
      continue;
    }
    const deps = svc.depends_on;
    if (deps && Object.keys(deps).some((d) => !keep.has(d))) {
      services[name] = { ...svc, depends_on: Object.fromEntries(Object.entries(deps).filter(([d]) => keep.has(d))) };
    } else services[name] = svc;
  }
  return { services, disabled };
}

/** Names of the top-level resources the given services use, by kind. */
export interface UsedResources {
  networks: Set<string>;
  volumes: Set<string>;
  secrets: Set<string>;
  configs: Set<string>;
  models: Set<string>;
}

/** The source name of a `secrets:` / `configs:` entry, short (`"name"`) or long (`{source}`) syntax. */
function sourceOf(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry !== null && typeof entry === 'object' && typeof (entry as { source?: unknown }).source === 'string') {
    return (entry as { source: string }).source;
  }
  return undefined;
}

/** Keys of a list-or-map attribute (`models:` is a list of names or a map keyed by name). */
function namesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(sourceOf).filter((s): s is string => s !== undefined);
  if (value !== null && typeof value === 'object') return Object.keys(value);
  return [];
}

/**
 * Collect the resources `services` reference: `networks` keys, named volumes (`type: volume`
 * with a source), `secrets` and `build.secrets`, `configs`, `models`.
 */
export function usedResources(services: Record<string, ServiceConfig>): UsedResources {
  const used: UsedResources = { networks: new Set(), volumes: new Set(), secrets: new Set(), configs: new Set(), models: new Set() };
  for (const svc of Object.values(services)) {
    for (const n of Object.keys(svc.networks ?? {})) used.networks.add(n);
    for (const v of svc.volumes ?? []) if (v.type === 'volume' && v.source) used.volumes.add(v.source);
    for (const s of namesOf(svc.secrets)) used.secrets.add(s);
    for (const s of namesOf(svc.build?.secrets)) used.secrets.add(s);
    for (const c of namesOf(svc.configs)) used.configs.add(c);
    for (const m of namesOf(svc.models)) used.models.add(m);
  }
  return used;
}

/** The top-level resource maps {@link pruneResources} works on. */
export type ProjectResources = Pick<Project, 'services' | 'networks' | 'volumes' | 'secrets' | 'configs' | 'models'>;

/**
 * Drop the networks, volumes, secrets, configs and models no service of `p` uses (compose's
 * `WithoutUnnecessaryResources`). Declaration order is kept.
 *
 * @returns the pruned maps (new objects; `p` is not modified). `models` is present only when `p` has it.
 */
export function pruneResources<T extends ProjectResources>(p: T): T {
  const used = usedResources(p.services);
  const keep = <V>(declared: Record<string, V>, names: Set<string>): Record<string, V> =>
    Object.fromEntries(Object.entries(declared).filter(([k]) => names.has(k)));
  return {
    ...p,
    networks: keep(p.networks, used.networks),
    volumes: keep(p.volumes, used.volumes),
    secrets: keep(p.secrets, used.secrets),
    configs: keep(p.configs, used.configs),
    ...(p.models ? { models: keep(p.models, used.models) } : {}),
  };
}
