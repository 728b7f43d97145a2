/**
 * Merging of several compose files (`-f a -f b`), compose-behaviour.md §3.6. First cut:
 *
 * - mappings merge recursively, sequences append, scalars: the later file wins;
 * - `command`, `entrypoint`, `healthcheck.test`, `ulimits.<name>` are replaced;
 * - `environment`, `labels`, `annotations`, `sysctls`, `build.args`, `build.labels`,
 *   `deploy.labels` and resource `labels` merge by key (list `K=V` forms are converted first);
 * - `depends_on` and `networks` lists become maps, then merge as maps; `build: ctx` becomes
 *   `{context: ctx}`;
 * - `dns`, `dns_search`, `dns_opt`, `env_file`, `tmpfs`, `extra_hosts`, `cap_add`, `cap_drop`,
 *   `profiles`, `expose`, `links`, `build.tags` append without duplicates;
 * - `logging`: options merge only when the drivers agree, else the later one replaces;
 * - `!reset` removes, `!override` replaces wholesale.
 *
 * Unicity of `ports` / `volumes` entries is enforced by the normalize stage (later entry wins).
 */
import { LoaderError } from '../errors.js';
import { formatKeyPath } from './interpolate.js';
import { OverrideMarker, ResetMarker } from './yaml.js';

type Plain = Record<string, unknown>;
type Rule = 'replace' | 'kv' | 'dependsOn' | 'networks' | 'build' | 'uniqueList' | 'logging';

const RULES: [string[], Rule][] = [
  [['services', '*', 'command'], 'replace'],
  [['services', '*', 'entrypoint'], 'replace'],
  [['services', '*', 'healthcheck', 'test'], 'replace'],
  [['services', '*', 'ulimits', '*'], 'replace'],
  [['services', '*', 'environment'], 'kv'],
  [['services', '*', 'labels'], 'kv'],
  [['services', '*', 'annotations'], 'kv'],
  [['services', '*', 'sysctls'], 'kv'],
  [['services', '*', 'build', 'args'], 'kv'],
  [['services', '*', 'build', 'labels'], 'kv'],
  [['services', '*', 'deploy', 'labels'], 'kv'],
  [['networks', '*', 'labels'], 'kv'],
  [['volumes', '*', 'labels'], 'kv'],
  [['services', '*', 'depends_on'], 'dependsOn'],
  [['services', '*', 'networks'], 'networks'],
  [['services', '*', 'build'], 'build'],
  [['services', '*', 'logging'], 'logging'],
  [['services', '*', 'dns'], 'uniqueList'],
  [['services', '*', 'dns_search'], 'uniqueList'],
  [['services', '*', 'dns_opt'], 'uniqueList'],
  [['services', '*', 'env_file'], 'uniqueList'],
  [['services', '*', 'tmpfs'], 'uniqueList'],
  [['services', '*', 'extra_hosts'], 'uniqueList'],
  [['services', '*', 'cap_add'], 'uniqueList'],
  [['services', '*', 'cap_drop'], 'uniqueList'],
  [['services', '*', 'profiles'], 'uniqueList'],
  [['services', '*', 'expose'], 'uniqueList'],
  [['services', '*', 'links'], 'uniqueList'],
  [['services', '*', 'build', 'tags'], 'uniqueList'],
];

function ruleFor(path: readonly string[]): Rule | undefined {
  outer: for (const [pattern, rule] of RULES) {
    if (pattern.length !== path.length) continue;
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] !== '*' && pattern[i] !== path[i]) continue outer;
    }
    return rule;
  }
  return undefined;
}

/** True for a plain mapping (not an array, marker or null). */
export function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof OverrideMarker) && !(v instanceof ResetMarker);
}

/**
 * Remove `!reset` / `!override` markers from a single file's tree: a reset entry disappears, an
 * override is unwrapped.
 */
export function stripMarkers(tree: unknown): unknown {
  if (tree instanceof OverrideMarker) return stripMarkers(tree.value);
  if (Array.isArray(tree)) return tree.filter((v) => !(v instanceof ResetMarker)).map(stripMarkers);
  if (isPlainObject(tree)) {
    const out: Plain = {};
    for (const [k, v] of Object.entries(tree)) if (!(v instanceof ResetMarker)) out[k] = stripMarkers(v);
    return out;
  }
  if (tree instanceof ResetMarker) return null;
  return tree;
}

/**
 * Merge the top-level trees of several files, in order (later files override earlier ones).
 *
 * @param layers plain trees from the YAML stage (after interpolation), possibly with markers.
 * @returns the merged tree without markers.
 * @throws {LoaderError} `cannot override key.path` when a mapping meets a sequence or scalar.
 */
export function mergeLayers(layers: readonly unknown[]): Plain {
  let acc: unknown = {};
  for (const layer of layers) {
    if (layer === null || layer === undefined) continue;
    const merged = mergeValue(acc, layer, []);
    acc = merged === DELETE ? {} : merged;
  }
  return isPlainObject(acc) ? acc : {};
}

const DELETE = Symbol('delete');

function mergeValue(base: unknown, over: unknown, path: string[]): unknown {
  if (over instanceof ResetMarker) return DELETE;
  if (over instanceof OverrideMarker) return stripMarkers(over.value);
  if (base === undefined) return stripMarkers(over);
  const rule = ruleFor(path);
  switch (rule) {
    case 'replace':
      return stripMarkers(over);
    case 'kv':
      return mergeMaps(toKeyValueMap(base), toKeyValueMap(over), path, false);
    case 'dependsOn':
      return mergeMaps(listToMap(base, dependsOnDefault), listToMap(over, dependsOnDefault), path, true);
    case 'networks':
      return mergeMaps(listToMap(base, () => null), listToMap(over, () => null), path, true);
    case 'build':
      return mergePlain(buildToMap(base), buildToMap(over), path);
    case 'uniqueList': {
      const a = toList(base);
      const b = toList(stripMarkers(over));
      const out: unknown[] = [];
      for (const v of [...a, ...b]) if (!out.some((x) => sameValue(x, v))) out.push(v);
      return out;
    }
    case 'logging':
      if (isPlainObject(base) && isPlainObject(over) && base.driver && over.driver && base.driver !== over.driver) {
        return stripMarkers(over);
      }
      break;
    default:
      break;
  }
  return mergePlain(base, over, path);
}

function mergePlain(base: unknown, over: unknown, path: string[]): unknown {
  if (isPlainObject(base) && isPlainObject(over)) return mergeMaps(base, over, path, false);
  if (Array.isArray(base) && Array.isArray(over)) {
    return [...base, ...over.filter((v) => !(v instanceof ResetMarker)).map(stripMarkers)];
  }
  const kind = (v: unknown) => (Array.isArray(v) ? 'sequence' : isPlainObject(v) ? 'mapping' : 'scalar');
  if (base !== null && over !== null && kind(base) !== kind(over)) {
    throw new LoaderError(`cannot override ${formatKeyPath(path)}: a ${kind(over)} cannot replace a ${kind(base)}`, {
      keyPath: formatKeyPath(path),
    });
  }
  return stripMarkers(over);
}

function mergeMaps(base: Plain, over: Plain, path: string[], nullKeepsBase: boolean): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (nullKeepsBase && v === null && k in out) continue;
    const merged = k in out ? mergeValue(out[k], v, [...path, k]) : v instanceof ResetMarker ? DELETE : stripMarkers(v);
    if (merged === DELETE) delete out[k];
    else out[k] = merged;
  }
  return out;
}

/** `["K=V", "K"]` or `{K: V}` → `{K: V}` (`K` alone → `null`). Other shapes pass through. */
export function toKeyValueMap(v: unknown): Plain {
  if (Array.isArray(v)) {
    const out: Plain = {};
    for (const item of v) {
      if (item instanceof ResetMarker) continue;
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = null;
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  return isPlainObject(v) ? v : {};
}

function listToMap(v: unknown, dflt: () => unknown): Plain {
  if (Array.isArray(v)) {
    const out: Plain = {};
    for (const item of v) if (!(item instanceof ResetMarker)) out[String(item)] = dflt();
    return out;
  }
  return isPlainObject(v) ? v : {};
}

function dependsOnDefault(): Plain {
  return { condition: 'service_started', required: true };
}

function buildToMap(v: unknown): unknown {
  return typeof v === 'string' ? { context: v } : v;
}

function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  if (isPlainObject(v)) return Object.entries(v).map(([k, val]) => `${k}=${val}`);
  return [v];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
