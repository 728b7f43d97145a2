/**
 * YAML stage of the loader (ecosystem.md §2, compose-behaviour.md §3.1 step 1).
 *
 * Parses compose YAML with the `yaml` package on the 1.2 core schema plus:
 * - a legacy-octal int tag (`0755` → 493, as go-yaml reads it);
 * - `!reset` / `!override` tags on scalars, mappings and sequences, kept in the plain tree as
 *   {@link ResetMarker} / {@link OverrideMarker} for the merge stage;
 * - `<<` merge keys (a mapping, an alias to one, or a sequence of them; explicit keys win, then
 *   earlier sources).
 *
 * The `yaml` package only builds the node tree; the plain tree is made by our own passes over it,
 * so the markers survive and the checks compose-go makes happen in compose-go's order:
 *
 * 1. **Scan** (compose-go's reset processor): one walk in document order that binds every alias to
 *    its anchor, rejects duplicate keys, detects alias cycles and counts node visits against
 *    `maxNodeVisits` (default {@link DEFAULT_MAX_NODE_VISITS}). Alias targets are never walked
 *    again, so the count follows the document's size, not its expansion.
 * 2. **Build** (go-yaml's decode): the plain tree, in document order. The decoded size of every
 *    node is memoised, so an alias adds its expansion to go-yaml's alias-ratio counters in O(1)
 *    and an alias bomb is refused ("document contains excessive aliasing") before anything is
 *    expanded. Anchored values are built once and deep-copied at each alias, so no two places of
 *    the tree share an object. Merge-key errors come from here.
 * 3. Non-string mapping keys are reported last, as compose-go's string-key conversion does.
 *
 * A `LineCounter` is kept so {@link ParsedYaml.locate} maps any key path to `line:col`.
 *
 * Most files take a fast path instead (see "fast path" below): js-yaml reads the plain data
 * directly when the file has nothing that needs the node tree, and the `yaml` package (loaded on
 * first use) parses it again only to locate something reported. Both give the same data: the
 * differential tests in yaml-fast.test.ts hold them to it. The second parser pays (bench/startup.mjs,
 * Node 20, interleaved medians, two runs each): with the positioned parse alone, `config` of
 * bench/config.mjs's 200 services takes 2.4–2.6× as long (2.1–2.5× even with the `yaml` package
 * bundled into the code-cached script), and `config -q` of a small file 1.3–1.4×.
 */
import { createRequire } from 'node:module';
import type {
  Alias,
  LineCounter,
  Document,
  Node as YamlNode,
  Pair,
  ScalarTag,
  CollectionTag,
  Tags,
  YAMLError,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import jsyaml from 'js-yaml';
import { LoaderError } from '../errors.js';
import { formatKeyPath, type PathSegment } from './interpolate.js';

type YamlPackage = typeof import('yaml');
let yamlPackage: YamlPackage | undefined;
let isAlias: YamlPackage['isAlias'];
let isMap: YamlPackage['isMap'];
let isScalar: YamlPackage['isScalar'];
let isSeq: YamlPackage['isSeq'];

/**
 * The `yaml` package, loaded on first use: files the fast path reads, printed by js-yaml, never
 * need it, and loading it is a good part of the start-up time.
 */
export function loadYamlPackage(): YamlPackage {
  if (!yamlPackage) {
    yamlPackage = createRequire(import.meta.url)('yaml') as YamlPackage;
    ({ isAlias, isMap, isScalar, isSeq } = yamlPackage);
  }
  return yamlPackage;
}

/** `!reset` in the plain tree: removes the attribute/entry from the merged result (§3.6). */
export class ResetMarker {
  readonly reset = true;
  constructor() {
    markersMade++;
  }
}

/** `!override value` in the plain tree: replaces the attribute wholesale, bypassing merge rules. */
export class OverrideMarker {
  constructor(readonly value: unknown) {
    markersMade++;
  }
}

/** Markers made in this process: while there are none, no tree holds one (the merge skips its walk). */
let markersMade = 0;

/** Whether this process ever made a {@link ResetMarker} or {@link OverrideMarker}. */
export function markersExist(): boolean {
  return markersMade > 0;
}

/** One parsed YAML document of a compose file. */
export interface ParsedYaml {
  /** File name used in messages (absolute path, or `-` for stdin). */
  file: string;
  /** The document as plain data: objects, arrays, strings, numbers, booleans, null, markers. */
  data: unknown;
  /** Source position (1-based) of the node at `path`; with `key: true` the mapping key's position. */
  locate(path: readonly PathSegment[], opts?: { key?: boolean }): { line: number; column: number } | undefined;
}

/** Options of {@link parseYaml}. */
export interface ParseYamlOptions {
  /**
   * compose-go's `Options.MaxNodeVisits`: the most node visits one document may take (aliases
   * count once, their targets are not visited again). Zero or absent means
   * {@link DEFAULT_MAX_NODE_VISITS}.
   */
  maxNodeVisits?: number;
}

/** compose-go's default cap on node visits per YAML document. */
export const DEFAULT_MAX_NODE_VISITS = 100_000;

/** Legacy YAML 1.1 octal (`0755`), read base 8 as compose-go does. Must precede the core int tag. */
const legacyOctal: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0[0-7]+$/,
  resolve: (s) => parseInt(s, 8),
};

function markerTags(tag: string): (ScalarTag | CollectionTag)[] {
  return [
    { tag, resolve: (s: string) => s } as ScalarTag,
    { tag, collection: 'map', resolve: (m: unknown) => m } as unknown as CollectionTag,
    { tag, collection: 'seq', resolve: (m: unknown) => m } as unknown as CollectionTag,
  ];
}

const customTags = (tags: Tags): Tags => [legacyOctal, ...tags, ...markerTags('!reset'), ...markerTags('!override')];

const RESET_TAG = '!reset';
const OVERRIDE_TAG = '!override';
const MERGE_TAG = 'tag:yaml.org,2002:merge';

/**
 * Parse compose YAML text. Multi-document files give one entry per document; an empty file gives
 * one document with `data: null`. Documents are checked and built one after the other, so the
 * first failing document decides the error.
 *
 * @throws {LoaderError} `file:line:col: <reason>` on syntax errors, duplicate keys, unknown or
 *   cyclic aliases, too many node visits, excessive aliasing, bad merge keys and non-string keys.
 */
export function parseYaml(source: string, file: string, options: ParseYamlOptions = {}): ParsedYaml[] {
  return parseYamlFast(source, file, options) ?? parseYamlPositioned(source, file, options);
}

/**
 * The positioned parse: the `yaml` package's node tree, then scan and build (see the module
 * comment). Reads every file and words every error; about five times slower than
 * {@link parseYamlFast}. Exported for the differential tests.
 *
 * @internal
 */
export function parseYamlPositioned(source: string, file: string, options: ParseYamlOptions): ParsedYaml[] {
  const { LineCounter, parseAllDocuments } = loadYamlPackage();
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    // uniqueKeys: false — the `yaml` check is quadratic in a mapping's size; the scan does it in O(1) a key.
    docs = parseAllDocuments(source, {
      merge: false,
      uniqueKeys: false,
      customTags,
      lineCounter,
      prettyErrors: false,
    }) as Document.Parsed[];
  } catch (err) {
    if (err instanceof RangeError) throw new LoaderError(TOO_DEEP, { file });
    throw err;
  }
  const maxVisits = options.maxNodeVisits && options.maxNodeVisits > 0 ? options.maxNodeVisits : DEFAULT_MAX_NODE_VISITS;
  const out: ParsedYaml[] = [];
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first) {
      const pos = lineCounter.linePos(first.pos[0]);
      throw new LoaderError(syntaxReason(first), { file, line: pos.line, column: pos.col });
    }
    out.push(buildDocument(doc, file, lineCounter, maxVisits));
  }
  if (out.length === 0) out.push({ file, data: null, locate: () => undefined });
  return out;
}

// ---- fast path ------------------------------------------------------------------------------------
//
// Most compose files use none of what needs the node tree: no anchors, aliases, merge keys or
// tags, only string keys, no duplicates. Those are read with js-yaml, which builds the plain data
// directly (about four times faster than the `yaml` document model), on a schema that resolves
// plain scalars exactly as the positioned parse does. Anything else, and every error, goes to the
// positioned parse, which gives the message and the position. Positions of a fast-parsed file are
// needed only to report something: `locate` runs the positioned parse on first use.

/** Plain scalars as the positioned parse reads them: legacy octal, then the `yaml` package's 1.2 core schema. */
const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const LEGACY_OCTAL = /^[-+]?0[0-7]+$/;
const CORE_INT = /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/;
const CORE_FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const CORE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Whether the `yaml` package's 1.2 core schema reads plain `s` as something other than a string. */
export function isCoreNonString(s: string): boolean {
  return coreFirstChar(s) && (CORE_NULL.test(s) || CORE_BOOL.test(s) || CORE_INT.test(s) || CORE_FLOAT_SPECIAL.test(s) || CORE_FLOAT.test(s));
}

/** Whether `s` may be a null, boolean or number: empty, or starting with a digit, `+ - . ~ n N t T f F`. */
function coreFirstChar(s: string): boolean {
  const c = s.charCodeAt(0);
  return s === '' || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;
}

/**
 * A plain scalar as the positioned parse reads it when it is not a string: legacy octal, then the
 * `yaml` package's core schema in its order; `undefined` for a string. Most plain scalars are
 * keys and words, turned away by their first character.
 */
function coreScalar(s: string): unknown {
  if (!coreFirstChar(s)) return undefined;
  const c = s.charCodeAt(0);
  if (LEGACY_OCTAL.test(s)) return parseInt(s, 8);
  if (CORE_NULL.test(s)) return null;
  if (CORE_BOOL.test(s)) return c === 116 || c === 84;
  if (CORE_INT.test(s)) return s[1] === 'o' ? parseInt(s.substring(2), 8) : s[1] === 'x' ? parseInt(s.substring(2), 16) : parseInt(s, 10);
  if (CORE_FLOAT_SPECIAL.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : c === 45 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (CORE_FLOAT.test(s)) return parseFloat(s);
  return undefined;
}

/** js-yaml's schema for the fast path: its failsafe schema plus {@link coreScalar} for plain scalars. */
const FAST_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:capstan.fast:core', {
      kind: 'scalar',
      resolve: (s: unknown) => typeof s === 'string' && coreScalar(s) !== undefined,
      construct: (s: string) => coreScalar(s),
    }),
  ],
});

/** Thrown out of js-yaml to leave the fast path. */
const NEEDS_POSITIONED = new Error('needs the positioned parse');

/**
 * Text left to the positioned parse without trying, where js-yaml reads differently or accepts
 * what the positioned parse rejects (found by differential fuzzing): tabs (indentation rules),
 * directives (`%YAML 1.1` changes the schema) and other lines starting with `%`, `---` indented or
 * with content on its line, `...`, a `-` with nothing after it (an empty sequence entry), tags
 * and anchors (`!` or `&` where a node may start: without anchors, aliases fail), explicit
 * `?` keys and flow collections used as keys (js-yaml makes strings of those), block scalar
 * indentation indicators, keep chomping (`|+`) and leading empty lines, a comment right after a
 * quote, bracket or comma, a carriage return alone, YAML 1.1 line breaks and byte order marks.
 */
const FAST_GUARD =
  /\t|^[ ]*%|^---(?!(?:[ ]+#.*)?[ ]*\r?$)|^[ ]*\.\.\.|^[ ]+---|(?:^|[ ])-[ ]*(?:#.*)?\r?$|(?:^|[:?,[{-])[ ]*[!&]|[\]}][ ]*:|[{,]\s*[{[]|(?:^|[\s[\]{},])\?(?:\s|$)|[|>](?:[+-]?[0-9]|\+)|[|>]-?[ ]*(?:#.*)?\r?\n[ ]*\r?\n|["'[\]{},]#|\r(?!\n)|[\u0085\u2028\u2029\uFEFF]/m;

/**
 * A key js-yaml may have made from something other than a string (it stringifies null, booleans
 * and numbers), a merge key, or one longer than an implicit key may be.
 */
function suspectKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 /* - */) return String(Number(k)) === k || k === '-Infinity' || k.length > 1000;
  return k === 'null' || k === 'true' || k === 'false' || k === 'NaN' || k === 'Infinity' || k === '<<' || k.length > 1000;
}

/** compose-go's node visits of a plain tree without aliases (keys are not counted); throws on a suspect key. */
function fastVisits(data: unknown): number {
  let visits = 0;
  const walk = (v: unknown): void => {
    visits++;
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i]);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (suspectKey(k)) throw NEEDS_POSITIONED;
      walk(o[k]);
    }
  };
  walk(data);
  return visits;
}

/**
 * The fast parse, or `undefined` when the file needs the positioned one (which then also gives
 * the error, if any). Exported for the differential tests.
 *
 * @internal
 */
export function parseYamlFast(source: string, file: string, options: ParseYamlOptions): ParsedYaml[] | undefined {
  if (FAST_GUARD.test(source)) return undefined;
  const maxVisits = options.maxNodeVisits && options.maxNodeVisits > 0 ? options.maxNodeVisits : DEFAULT_MAX_NODE_VISITS;
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(source, null, {
      schema: FAST_SCHEMA,
      onWarning: () => {
        throw NEEDS_POSITIONED;
      },
    });
    for (const data of docs) {
      // a document that is not a mapping is an error: the positioned parse words it
      if (data !== null && (typeof data !== 'object' || Array.isArray(data))) return undefined;
      if (fastVisits(data) > maxVisits) return undefined;
    }
  } catch {
    return undefined;
  }
  let positioned: ParsedYaml[] | null | undefined;
  const positionedDoc = (i: number): ParsedYaml | undefined => {
    if (positioned === undefined) {
      try {
        positioned = parseYamlPositioned(source, file, options);
      } catch {
        positioned = null;
      }
    }
    return positioned?.[i];
  };
  const out: ParsedYaml[] = docs.map((data, i) => ({ file, data, locate: (p, o) => positionedDoc(i)?.locate(p, o) }));
  if (out.length === 0) out.push({ file, data: null, locate: () => undefined });
  return out;
}

const TOO_DEEP = 'document is nested too deeply (resource exhaustion protection)';

/** The `yaml` package's message, in go-yaml's words where users (and tests) know those. */
function syntaxReason(e: YAMLError): string {
  switch (e.code) {
    case 'TAB_AS_INDENT':
      return 'found a tab character that violates indentation';
    case 'RESOURCE_EXHAUSTION':
      return TOO_DEEP;
    default:
      return e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  }
}

type Container = YAMLMap<unknown, unknown> | YAMLSeq<unknown>;

function isContainer(n: unknown): n is Container {
  return isMap(n) || isSeq(n);
}

function tagOf(n: unknown): string | undefined {
  return (n as { tag?: string } | null)?.tag;
}

/** A plain `<<` key (or `!!merge <<`); a quoted `"<<"` is an ordinary key. */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key) || key.value !== '<<') return false;
  return key.tag === MERGE_TAG || (key.tag === undefined && key.type === 'PLAIN');
}

/** go-yaml's share of a decode that alias expansion may take (`allowedAliasRatio`). */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decodeCount - 400_000)) / 3_600_000;
}

/** Go's `%#v` of a decoded YAML scalar, as in compose-go's "non-string key" message. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  }
  return String(v);
}

/** Sets `o[k]`, also for a key named `__proto__` (which must stay data, not a prototype). */
function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Deep copy of a plain tree, markers included, so aliased values never share objects. */
function clonePlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clonePlain(v[i]);
    return out;
  }
  if (v instanceof ResetMarker) return new ResetMarker();
  if (v instanceof OverrideMarker) return new OverrideMarker(clonePlain(v.value));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setKey(out, k, clonePlain((v as Record<string, unknown>)[k]));
  return out;
}

function buildDocument(doc: Document.Parsed, file: string, lc: LineCounter, maxVisits: number): ParsedYaml {
  const posOf = (node: unknown): { line?: number; column?: number } => {
    const start = (node as YamlNode | null)?.range?.[0];
    if (start === undefined) return {};
    const p = lc.linePos(start);
    return { line: p.line, column: p.col };
  };
  const fail = (reason: string, node: unknown, keyPath?: string): never => {
    throw new LoaderError(reason, { file, ...posOf(node), ...(keyPath ? { keyPath } : {}) });
  };

  // ---- 1. scan: anchors, duplicate keys, cycles, node visits ------------------------------------
  const targets = new Map<Alias, YamlNode>();
  const anchors = new Map<string, YamlNode>();
  /** compose-go's path of the node being scanned (merge keys add no segment). */
  const path: PathSegment[] = [];
  /** Containers being scanned → `path.length` when they were entered. */
  const active = new Map<YamlNode, number>();
  let visits = 0;

  const scan = (node: unknown, counted: boolean): void => {
    if (counted && ++visits > maxVisits) {
      fail(`compose file exceeds maximum node visit limit (${maxVisits})`, node, formatKeyPath(path));
    }
    if (node === null || node === undefined) return;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) return fail(`unknown anchor '${node.source}' referenced`, node, formatKeyPath(path));
      targets.set(node, target);
      const entered = active.get(target);
      if (entered !== undefined) {
        // compose-go walks the target again from the alias and meets this alias once more.
        const again = [...path, ...path.slice(entered)];
        fail(`cycle detected: node at path ${again.join('.')} references node at path ${path.join('.')}`, node);
      }
      return;
    }
    const n = node as YamlNode;
    if (n.anchor) anchors.set(n.anchor, n);
    if (!isContainer(n)) return;
    const tag = n.tag;
    const inner = counted && tag !== RESET_TAG && tag !== OVERRIDE_TAG;
    active.set(n, path.length);
    if (isSeq(n)) {
      const items = n.items;
      for (let i = 0; i < items.length; i++) {
        path.push(i);
        scan(items[i], inner);
        path.pop();
      }
    } else {
      const seen = new Map<string, unknown>();
      for (const pair of n.items as Pair<unknown, unknown>[]) {
        const key = pair.key;
        scan(key, false);
        let name: string | undefined;
        if (isScalar(key)) {
          name = key.source ?? String(key.value);
          const before = seen.get(name);
          if (before !== undefined) {
            const line = posOf(before).line ?? 0;
            fail(`mapping key ${JSON.stringify(name)} already defined at line ${line}`, key, formatKeyPath([...path, name]));
          }
          seen.set(name, key);
        }
        const merge = isMergeKey(key);
        if (!merge) path.push(name ?? '?');
        scan(pair.value, inner);
        if (!merge) path.pop();
      }
    }
    active.delete(n);
  };

  // ---- 2. build: plain tree, go-yaml's alias ratio, merge keys ----------------------------------
  const targetOf = (n: unknown): unknown => (isAlias(n) ? targets.get(n) : n);
  const isReset = (n: unknown): boolean => tagOf(targetOf(n)) === RESET_TAG;

  /** [decoded nodes, of which under an alias] when `n` is decoded outside any alias; memoised. */
  const costs = new Map<YamlNode, [number, number]>();
  const cost = (n: unknown): [number, number] => {
    if (isAlias(n)) {
      const s = cost(targets.get(n))[0];
      return [1 + s, s];
    }
    if (!isContainer(n)) return [1, 0];
    const memo = costs.get(n);
    if (memo) return memo;
    let total = 1;
    let aliased = 0;
    const add = (c: [number, number]): void => {
      total += c[0];
      aliased += c[1];
    };
    if (isSeq(n)) {
      for (const item of n.items) if (!isReset(item)) add(cost(item));
    } else {
      let merge: unknown;
      for (const pair of n.items as Pair<unknown, unknown>[]) {
        if (isMergeKey(pair.key)) merge = pair.value;
        else if (!isReset(pair.value)) {
          add(cost(pair.key));
          add(cost(pair.value));
        }
      }
      if (merge !== undefined && !isReset(merge)) {
        total += n.items.length; // go-yaml decodes the keys again to know which ones the merge may not set
        for (const source of mergeSources(merge, n)) add(cost(source));
      }
    }
    const res: [number, number] = [total, aliased];
    costs.set(n, res);
    return res;
  };

  /**
   * The nodes a `<<` value merges, in order. Like compose-go, an alias directly under `<<` stands
   * for its target (so it may name a sequence of mappings); items of a sequence stay aliases.
   */
  const mergeSources = (value: unknown, owner: unknown): unknown[] => {
    const src = targetOf(value);
    if (isMap(src)) return [src];
    if (isSeq(src)) {
      for (const item of src.items) if (!isMap(targetOf(item))) fail(MERGE_NEEDS_MAP, item ?? owner);
      return src.items.filter((item) => !isReset(item));
    }
    return fail(MERGE_NEEDS_MAP, value ?? owner);
  };

  let decoded = 0;
  let aliased = 0;
  const count = (n: number, underAlias: number, at: unknown): void => {
    decoded += n;
    aliased += underAlias;
    if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedAliasRatio(decoded)) {
      fail('document contains excessive aliasing', at);
    }
  };

  /** Built values of anchored nodes, copied at each alias. */
  const built = new Map<YamlNode, unknown>();
  /** False while building an anchor met first through an alias (already counted by `cost`). */
  let counting = true;
  /** Key path of the node being built, for the non-string key message. */
  const keyPath: PathSegment[] = [];
  let nonStringKey: { reason: string; node: unknown } | undefined;

  const valueOfAnchor = (target: YamlNode): unknown => {
    if (built.has(target)) return built.get(target);
    const was = counting;
    counting = false;
    try {
      return build(target);
    } finally {
      counting = was;
    }
  };

  const build = (node: unknown): unknown => {
    if (isAlias(node)) {
      const target = targets.get(node)!;
      if (counting) {
        const s = cost(target)[0];
        count(1 + s, s, node);
      }
      return clonePlain(valueOfAnchor(target));
    }
    if (counting) count(1, 0, node);
    if (node === null || node === undefined) return null;
    const n = node as YamlNode;
    let value: unknown;
    if (n.tag === RESET_TAG) value = new ResetMarker();
    else {
      value = isSeq(n) ? buildSeq(n.items) : isMap(n) ? buildMap(n as YAMLMap<unknown, unknown>) : scalarValue(n);
      if (n.tag === OVERRIDE_TAG) value = new OverrideMarker(value);
    }
    if (n.anchor) built.set(n, value);
    return value;
  };

  const scalarValue = (n: unknown): unknown => {
    if (!isScalar(n)) return null;
    const v = n.value;
    return typeof v === 'bigint' ? Number(v) : v;
  };

  const buildSeq = (items: unknown[]): unknown[] => {
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (isReset(item)) {
        out[i] = new ResetMarker();
        continue;
      }
      keyPath.push(i);
      out[i] = build(item);
      keyPath.pop();
    }
    return out;
  };

  /** The string form of a mapping key; a non-string key is remembered (for `check`) and reported last. */
  const keyName = (key: unknown, check: boolean): string => {
    const k = targetOf(key);
    if (isScalar(k)) {
      const v = k.value;
      if (typeof v === 'string') return v;
      if (check && !nonStringKey) {
        const where = keyPath.length ? `in ${formatKeyPath(keyPath)}` : 'at top level';
        nonStringKey = { reason: `non-string key ${where}: ${goValue(v)}`, node: key };
      }
      return v === null ? 'null' : String(v);
    }
    if (k === null || k === undefined) return 'null';
    return fail('invalid map key: mapping keys must be scalars', key, formatKeyPath(keyPath));
  };

  const buildMap = (n: YAMLMap<unknown, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    let merge: unknown;
    for (const pair of n.items) {
      const key = pair.key;
      if (isMergeKey(key)) {
        merge = pair.value;
        continue;
      }
      // compose-go drops a `!reset` entry before decoding: its key is neither counted nor checked.
      if (isReset(pair.value)) {
        setKey(out, keyName(key, false), new ResetMarker());
        continue;
      }
      if (counting) {
        const [t, a] = cost(key);
        count(t, a, key);
      }
      const name = keyName(key, true);
      keyPath.push(name);
      setKey(out, name, build(pair.value));
      keyPath.pop();
    }
    if (merge !== undefined && !isReset(merge)) mergeInto(out, merge, n);
    return out;
  };

  /** Adds the keys of the `<<` sources that `out` does not set yet (earlier sources win). */
  const mergeInto = (out: Record<string, unknown>, value: unknown, owner: YAMLMap<unknown, unknown>): void => {
    const sources = mergeSources(value, owner);
    if (counting) count(owner.items.length, 0, value);
    const viaAlias = isAlias(value);
    for (const source of sources) {
      let plain: unknown;
      let shared: boolean;
      if (isAlias(source)) {
        plain = build(source); // already a copy
        shared = false;
      } else if (viaAlias) {
        // `<<: *anchor`: decoded in place by go-yaml, i.e. not as alias expansion.
        if (counting) {
          const [t, a] = cost(source);
          count(t, a, value);
        }
        plain = valueOfAnchor(source as YamlNode);
        shared = true;
      } else {
        plain = build(source);
        shared = false;
      }
      if (plain instanceof OverrideMarker) plain = plain.value;
      const obj = plain as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        if (!Object.hasOwn(out, k)) setKey(out, k, shared ? clonePlain(obj[k]) : obj[k]);
      }
    }
  };

  const root = doc.contents;
  scan(root, true);
  const data = root === null ? null : build(root);
  if (nonStringKey) fail(nonStringKey.reason, nonStringKey.node);

  // ---- locate -----------------------------------------------------------------------------------
  const pairIndex = new Map<YAMLMap<unknown, unknown>, Map<string, Pair<unknown, unknown>>>();
  const ownPair = (map: YAMLMap<unknown, unknown>, k: string): Pair<unknown, unknown> | undefined => {
    let index = pairIndex.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        if (isMergeKey(pair.key)) continue;
        const key = targetOf(pair.key);
        const name = isScalar(key) ? (key.value === null ? 'null' : String(key.value)) : undefined;
        if (name !== undefined && !index.has(name)) index.set(name, pair);
      }
      pairIndex.set(map, index);
    }
    return index.get(k);
  };
  const findPair = (map: unknown, k: string, depth = 0): { key: unknown; value: unknown } | undefined => {
    if (!isMap(map) || depth > 50) return undefined;
    const m = map as YAMLMap<unknown, unknown>;
    const own = ownPair(m, k);
    if (own) return { key: own.key, value: own.value };
    for (const pair of m.items) {
      if (!isMergeKey(pair.key)) continue;
      const src = targetOf(pair.value);
      const sources = isSeq(src) ? src.items.map(targetOf) : [src];
      for (const s of sources) {
        const hit = findPair(s, k, depth + 1);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  /** Find the node (and key node) at `path`, following aliases and merge keys. */
  const find = (p: readonly PathSegment[]): { node: unknown; key: unknown } | undefined => {
    let node: unknown = root;
    let key: unknown = undefined;
    for (const seg of p) {
      node = targetOf(node);
      if (isSeq(node) && typeof seg === 'number') {
        key = undefined;
        node = node.items[seg];
      } else if (isMap(node)) {
        const hit = findPair(node, String(seg));
        if (!hit) return undefined;
        key = hit.key;
        node = hit.value;
      } else {
        return undefined;
      }
      if (node === undefined) return undefined;
    }
    return { node, key };
  };

  return {
    file,
    data,
    locate(p, opts = {}) {
      const hit = find(p);
      if (!hit) return undefined;
      const target = (opts.key && hit.key) || hit.node || hit.key;
      const pos = posOf(target);
      if (pos.line === undefined) {
        const kp = posOf(hit.key);
        return kp.line === undefined ? undefined : { line: kp.line, column: kp.column! };
      }
      return { line: pos.line, column: pos.column! };
    },
  };
}

const MERGE_NEEDS_MAP = 'map merge requires map or sequence of maps as the value';

/**
 * Locate a key path across several parsed documents: the last document that defines the full
 * path wins; failing that, the deepest prefix found in any document (so merged models still point
 * at a real line).
 */
export function locateIn(
  docs: readonly ParsedYaml[],
  path: readonly PathSegment[],
  opts: { key?: boolean } = {},
): { file: string; line?: number; column?: number } | undefined {
  for (let len = path.length; len >= 0; len--) {
    const prefix = path.slice(0, len);
    for (let d = docs.length - 1; d >= 0; d--) {
      const doc = docs[d]!;
      const pos = doc.locate(prefix, len === path.length ? opts : { key: true });
      if (pos) return { file: doc.file, line: pos.line, column: pos.column };
    }
  }
  return docs.length ? { file: docs[docs.length - 1]!.file } : undefined;
}
