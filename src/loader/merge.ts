/**
 * Merging of several compose files (`-f a -f b`), compose-behaviour.md §3.6 and the Compose
 * spec's merge chapter, as compose-go does it on raw YAML trees:
 *
 * - mappings merge recursively, sequences append, scalars: the later file wins; a `null` in the
 *   later file keeps the earlier value; a mapping or sequence met by another kind is an error;
 * - `command`, `entrypoint`, `healthcheck.test`, `ulimits.<name>` are replaced;
 * - `environment`, `labels`, `annotations`, `sysctls`, `build.args`, `build.labels`,
 *   `build.additional_contexts`, `deploy.labels` and resource `labels` merge by key (list `K=V`
 *   forms are converted first; the result is a mapping);
 * - `dns`, `dns_search`, `dns_opt`, `env_file`, `label_file`, `tmpfs` append (a single string or
 *   a mapping counts as a sequence);
 * - `extra_hosts` (service and build) append the later entries not already present; a mapping
 *   form becomes sorted `host=ip` entries, one per address;
 * - `depends_on`, `networks` and `models` lists become maps, then merge as maps; `build: ctx`
 *   becomes `{context: ctx}`;
 * - `logging`: options merge only when the drivers agree (or one is unset), else the later one
 *   replaces;
 * - `networks.<n>.ipam.config` entries merge by `subnet`;
 * - `!reset` removes, `!override` replaces wholesale.
 *
 * After merging, {@link enforceUnicity} keeps one entry per key in the sequences that have one
 * (ports, volumes, devices, secrets, configs, env_file, cap_add, …): a later entry replaces the
 * earlier one in place.
 */
import { LoaderError } from '../errors.js';
import { formatKeyPath } from './interpolate.js';
import { parseVolumeSpec } from './volumes.js';
import { markersExist, OverrideMarker, ResetMarker } from './yaml.js';

type Plain = Record<string, unknown>;
type Rule = 'replace' | 'kv' | 'sequence' | 'extraHosts' | 'toMap' | 'dependsOn' | 'build' | 'logging' | 'ipamConfig';

/** Merge rules by key path (`*` matches any one key); the first match applies. */
const MERGE_RULES: [string[], Rule][] = (
  [
    ['services.*.command', 'replace'],
    ['services.*.entrypoint', 'replace'],
    ['services.*.healthcheck.test', 'replace'],
    ['services.*.ulimits.*', 'replace'],
    ['services.*.environment', 'kv'],
    ['services.*.labels', 'kv'],
    ['services.*.annotations', 'kv'],
    ['services.*.sysctls', 'kv'],
    ['services.*.build.args', 'kv'],
    ['services.*.build.labels', 'kv'],
    ['services.*.build.additional_contexts', 'kv'],
    ['services.*.deploy.labels', 'kv'],
    ['networks.*.labels', 'kv'],
    ['volumes.*.labels', 'kv'],
    ['services.*.dns', 'sequence'],
    ['services.*.dns_search', 'sequence'],
    ['services.*.dns_opt', 'sequence'],
    ['services.*.env_file', 'sequence'],
    ['services.*.label_file', 'sequence'],
    ['services.*.tmpfs', 'sequence'],
    ['services.*.extra_hosts', 'extraHosts'],
    ['services.*.build.extra_hosts', 'extraHosts'],
    ['services.*.depends_on', 'dependsOn'],
    ['services.*.networks', 'toMap'],
    ['services.*.models', 'toMap'],
    ['services.*.build', 'build'],
    ['services.*.logging', 'logging'],
    ['networks.*.ipam.config', 'ipamConfig'],
  ] as [string, Rule][]
).map(([p, r]) => [p.split('.'), r]);

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '*' && pattern[i] !== path[i]) return false;
  return true;
}

function ruleFor(path: readonly string[]): Rule | undefined {
  for (const [pattern, rule] of MERGE_RULES) if (matches(pattern, path)) return rule;
  return undefined;
}

/** True for a plain mapping (not an array, marker or null). */
export function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof OverrideMarker) && !(v instanceof ResetMarker);
}

/** Sets `o[k]`, also for a key named `__proto__` (which must stay data). */
function setKey(o: Plain, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * Remove `!reset` / `!override` markers from a single file's tree: a reset entry disappears, an
 * override is unwrapped. Only what holds a marker is copied: the result shares the rest with
 * `tree` (all of it when no marker was ever made); nothing in the loader modifies a tree it is given.
 */
export function stripMarkers(tree: unknown): unknown {
  if (!markersExist()) return tree;
  if (tree instanceof OverrideMarker) return stripMarkers(tree.value);
  if (tree instanceof ResetMarker) return null;
  if (Array.isArray(tree)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < tree.length; i++) {
      const v: unknown = tree[i];
      if (v instanceof ResetMarker) {
        out ??= tree.slice(0, i);
        continue;
      }
      const nv = stripMarkers(v);
      if (out) out.push(nv);
      else if (nv !== v) (out = tree.slice(0, i)).push(nv);
    }
    return out ?? tree;
  }
  if (isPlainObject(tree)) {
    let out: Plain | undefined;
    const keys = Object.keys(tree);
    const copyBefore = (i: number): Plain => {
      const o: Plain = {};
      for (let j = 0; j < i; j++) setKey(o, keys[j]!, tree[keys[j]!]);
      return o;
    };
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = tree[k];
      if (v instanceof ResetMarker) {
        out ??= copyBefore(i);
        continue;
      }
      const nv = stripMarkers(v);
      if (!out && nv !== v) out = copyBefore(i);
      if (out) setKey(out, k, nv);
    }
    return out ?? tree;
  }
  return tree;
}

/**
 * Merge the top-level trees of several files, in order (later files override earlier ones), then
 * enforce the unicity of keyed sequences ({@link enforceUnicity}).
 *
 * @param layers plain trees from the YAML stage (after interpolation), possibly with markers.
 * @returns the merged tree without markers.
 * @throws {LoaderError} `cannot override key.path` when a mapping or sequence meets another kind.
 */
export function mergeLayers(layers: readonly unknown[]): Plain {
  let acc: unknown = {};
  for (const layer of layers) {
    if (layer === null || layer === undefined) continue;
    const merged = mergeValue(acc, layer, []);
    acc = merged === DELETE ? {} : merged;
  }
  return enforceUnicity(isPlainObject(acc) ? acc : {});
}

const DELETE = Symbol('delete');

function mergeValue(base: unknown, over: unknown, path: string[]): unknown {
  if (over instanceof ResetMarker) return DELETE;
  if (over instanceof OverrideMarker) return stripMarkers(over.value);
  if (base === undefined || base === null) return stripMarkers(over);
  const rule = ruleFor(path);
  if (rule === 'replace') return stripMarkers(over);
  if (over === null || over === undefined) return base;
  switch (rule) {
    case 'kv': {
      // Entries are scalars: the later value wins, a later `K` (null) included.
      const out: Plain = { ...toKeyValueMap(base) };
      for (const [k, v] of Object.entries(toKeyValueMap(over))) {
        if (v instanceof ResetMarker) delete out[k];
        else setKey(out, k, stripMarkers(v));
      }
      return out;
    }
    case 'sequence':
      return [...toSequence(base), ...toSequence(stripMarkers(over))];
    case 'extraHosts': {
      const a = toSequence(base, true);
      const b = toSequence(stripMarkers(over), true);
      return [...a, ...b.filter((v) => !a.some((x) => sameValue(x, v)))];
    }
    case 'dependsOn':
      return mergeMaps(listToMap(base, dependsOnDefault), listToMap(over, dependsOnDefault), path);
    case 'toMap':
      return mergeMaps(listToMap(base, () => null), listToMap(over, () => null), path);
    case 'build':
      return mergePlain(buildToMap(base), buildToMap(over), path);
    case 'logging':
      if (isPlainObject(base) && isPlainObject(over) && hasValue(base.driver) && hasValue(over.driver) && base.driver !== over.driver) {
        return stripMarkers(over);
      }
      break;
    case 'ipamConfig':
      if (Array.isArray(base) && Array.isArray(over)) return mergeIpamConfig(base, over, path);
      break;
    default:
      break;
  }
  return mergePlain(base, over, path);
}

function hasValue(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'sequence' : isPlainObject(v) ? 'mapping' : 'scalar';
}

function mergePlain(base: unknown, over: unknown, path: string[]): unknown {
  if (isPlainObject(base) && isPlainObject(over)) return mergeMaps(base, over, path);
  if (Array.isArray(base) && Array.isArray(over)) {
    return [...base, ...over.filter((v) => !(v instanceof ResetMarker)).map(stripMarkers)];
  }
  if (isPlainObject(base) || Array.isArray(base)) {
    throw new LoaderError(`cannot override: a ${kindOf(over)} cannot replace a ${kindOf(base)}`, { keyPath: formatKeyPath(path) });
  }
  return stripMarkers(over);
}

function mergeMaps(base: Plain, over: Plain, path: string[]): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const merged = Object.hasOwn(out, k) ? mergeValue(out[k], v, [...path, k]) : v instanceof ResetMarker ? DELETE : stripMarkers(v);
    if (merged === DELETE) delete out[k];
    else setKey(out, k, merged);
  }
  return out;
}

/** `networks.<n>.ipam.config`: an entry whose `subnet` is already present merges into it; others append. */
function mergeIpamConfig(base: unknown[], over: unknown[], path: string[]): unknown[] {
  const out = [...base];
  for (const item of over) {
    if (item instanceof ResetMarker) continue;
    const entry = stripMarkers(item);
    const i = isPlainObject(entry) ? out.findIndex((b) => isPlainObject(b) && b.subnet === entry.subnet) : -1;
    if (i < 0) out.push(entry);
    else out[i] = isPlainObject(item) ? mergeMaps(out[i] as Plain, item, [...path, String(i)]) : entry;
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
      if (eq < 0) setKey(out, s, null);
      else setKey(out, s.slice(0, eq), s.slice(eq + 1));
    }
    return out;
  }
  return isPlainObject(v) ? v : {};
}

function listToMap(v: unknown, dflt: () => unknown): Plain {
  if (Array.isArray(v)) {
    const out: Plain = {};
    for (const item of v) if (!(item instanceof ResetMarker)) setKey(out, String(item), dflt());
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

/**
 * A value as a sequence: a sequence as is, a scalar as a one-item sequence, a mapping as sorted
 * `K=V` entries (`K` alone for a null value; with `expand`, a list value gives one entry per item).
 */
function toSequence(v: unknown, expand = false): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  if (isPlainObject(v)) {
    const out: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      if (val === null || val === undefined) out.push(k);
      else if (expand && Array.isArray(val)) for (const x of val) out.push(`${k}=${String(x)}`);
      else out.push(`${k}=${String(val)}`);
    }
    return out.sort();
  }
  return [v];
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Computes the unicity key of one sequence entry; `undefined` keeps the entry as is. */
type Indexer = (entry: unknown) => string | undefined;

function scalarKey(entry: unknown): string | undefined {
  return typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean' ? String(entry) : undefined;
}

/** `K=V` → `K`; a value without `=` is its own key. */
const keyValueIndexer: Indexer = (entry) => {
  const s = scalarKey(entry);
  if (s === undefined) return undefined;
  const eq = s.indexOf('=');
  return eq < 0 ? s : s.slice(0, eq);
};

/** Volumes are unique by mount target. */
const volumeIndexer: Indexer = (entry) => {
  if (isPlainObject(entry)) return typeof entry.target === 'string' ? entry.target : undefined;
  if (typeof entry !== 'string') return undefined;
  try {
    return parseVolumeSpec(entry, { workingDir: '/', keepRelative: true }).target;
  } catch {
    return entry; // invalid: reported later, with its position, by the volume parser
  }
};

/** Devices are unique by container path: `src:dst[:perms]` → `dst`, `path` → `path`. */
const deviceIndexer: Indexer = (entry) => {
  if (isPlainObject(entry)) return typeof entry.target === 'string' ? entry.target : undefined;
  if (typeof entry !== 'string') return undefined;
  const parts = entry.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
};

/** Secrets and configs are unique by target, `<dir>/<source>` by default. */
function mountIndexer(dir: string): Indexer {
  return (entry) => {
    if (typeof entry === 'string') return `${dir}/${entry}`;
    if (!isPlainObject(entry)) return undefined;
    if (typeof entry.target === 'string' && entry.target !== '') return entry.target;
    return `${dir}/${String(entry.source)}`;
  };
}

/** Ports: a short form is its own key; a long form is keyed by host ip, published port, target and protocol. */
const portIndexer: Indexer = (entry) => {
  if (isPlainObject(entry)) {
    if (entry.target === undefined || entry.target === null) return undefined;
    const host = typeof entry.host_ip === 'string' ? entry.host_ip : '0.0.0.0';
    const published = entry.published === undefined || entry.published === null ? '' : String(entry.published);
    const protocol = typeof entry.protocol === 'string' ? entry.protocol : 'tcp';
    return `${host}:${published}:${String(entry.target)}/${protocol}`;
  }
  return scalarKey(entry);
};

/** `env_file` entries are unique by path. */
const envFileIndexer: Indexer = (entry) => {
  if (isPlainObject(entry)) return typeof entry.path === 'string' ? entry.path : undefined;
  return scalarKey(entry);
};

const UNIQUE: [string, Indexer][] = 
  [
    ['services.*.ports', portIndexer],
    ['services.*.volumes', volumeIndexer],
    ['services.*.devices', deviceIndexer],
    ['services.*.secrets', mountIndexer('/run/secrets')],
    ['services.*.configs', mountIndexer('')],
    ['services.*.expose', scalarKey],
    ['services.*.env_file', envFileIndexer],
    ['services.*.label_file', scalarKey],
    ['services.*.environment', keyValueIndexer],
    ['services.*.labels', keyValueIndexer],
    ['services.*.annotations', keyValueIndexer],
    ['services.*.sysctls', keyValueIndexer],
    ['services.*.deploy.labels', keyValueIndexer],
    ['services.*.build.args', keyValueIndexer],
    ['services.*.build.labels', keyValueIndexer],
    ['services.*.build.additional_contexts', keyValueIndexer],
    ['services.*.build.tags', keyValueIndexer],
    ['services.*.build.platforms', keyValueIndexer],
    ['services.*.build.platform', keyValueIndexer],
    ['services.*.cap_add', keyValueIndexer],
    ['services.*.cap_drop', keyValueIndexer],
    ['services.*.dns', keyValueIndexer],
    ['services.*.dns_opt', keyValueIndexer],
    ['services.*.dns_search', keyValueIndexer],
    ['services.*.links', keyValueIndexer],
    ['services.*.profiles', keyValueIndexer],
    ['services.*.tmpfs', keyValueIndexer],
    ['services.*.networks.*.aliases', keyValueIndexer],
    ['services.*.networks.*.link_local_ips', keyValueIndexer],
    ['networks.*.labels', keyValueIndexer],
    ['volumes.*.labels', keyValueIndexer],
  ];

/** {@link UNIQUE} as a tree of key path segments (`*`: any key), so that only those paths are walked. */
interface UniqueTrie {
  [segment: string]: UniqueTrie | Indexer;
}

const UNIQUE_TRIE: UniqueTrie = (() => {
  const root: UniqueTrie = Object.create(null) as UniqueTrie;
  for (const [pattern, indexer] of UNIQUE) {
    const segs = pattern.split('.');
    let node = root;
    for (let i = 0; i < segs.length - 1; i++) {
      const seg = segs[i]!;
      node = (node[seg] ??= Object.create(null) as UniqueTrie) as UniqueTrie;
    }
    node[segs[segs.length - 1]!] ??= indexer; // the first pattern for a path wins
  }
  return root;
})();

/**
 * Keep one entry per unicity key in keyed sequences (compose-behaviour.md §3.6 "Unicity keys"):
 * when two entries share a key, the later one takes the earlier one's place. Applied to the whole
 * tree; sequences inside sequences are not visited.
 *
 * @returns the deduplicated tree; the input is not modified (parts without duplicates are shared).
 */
export function enforceUnicity(model: Plain): Plain {
  return uniqueIn(model, UNIQUE_TRIE) as Plain;
}

/**
 * `value` with its keyed sequences deduplicated, following `trie` (no pattern names a key in two
 * ways: a trie node has named keys or `*`). Only what changes is copied: without duplicates the
 * result is `value` itself.
 */
function uniqueIn(value: unknown, trie: UniqueTrie | Indexer): unknown {
  if (typeof trie === 'function') return Array.isArray(value) ? uniqueEntries(value, trie) : value;
  if (!isPlainObject(value)) return value;
  let out: Plain | undefined;
  for (const k of Object.keys(value)) {
    const sub = trie[k] ?? trie['*'];
    if (sub === undefined) continue;
    const v = value[k];
    const nv = uniqueIn(v, sub);
    if (nv === v) continue;
    out ??= { ...value };
    if (k === '__proto__') Object.defineProperty(out, k, { value: nv, enumerable: true, writable: true, configurable: true });
    else out[k] = nv;
  }
  return out ?? value;
}

/** One entry per key: a later entry takes the earlier one's place; `entries` itself when all keys differ. */
function uniqueEntries(entries: unknown[], indexer: Indexer): unknown[] {
  const seen = new Map<string, number>();
  let out: unknown[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const key = indexer(entry);
    const at = key === undefined ? undefined : seen.get(key);
    if (at !== undefined) {
      out ??= entries.slice(0, i);
      out[at] = entry;
    } else {
      if (key !== undefined) seen.set(key, out ? out.length : i);
      out?.push(entry);
    }
  }
  return out ?? entries;
}
