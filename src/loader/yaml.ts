/**
 * YAML stage of the loader (ecosystem.md §2, compose-behaviour.md §3.1 step 1).
 *
 * Parses compose YAML with the `yaml` package on the 1.2 core schema plus:
 * - a legacy-octal int tag (`0755` → 493, as go-yaml reads it);
 * - `!reset` / `!override` tags on scalars, mappings and sequences, kept in the plain tree as
 *   {@link ResetMarker} / {@link OverrideMarker} for the merge stage;
 * - `<<` merge keys and duplicate-key rejection.
 *
 * The plain tree is built by our own walk over the document (so the markers survive and aliases
 * are not capped at yaml's default of 100 expansions; our own budget guards against alias bombs).
 * A `LineCounter` is kept so {@link ParsedYaml.locate} maps any key path to `line:col`.
 */
import {
  parseAllDocuments,
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type Node as YamlNode,
  type ScalarTag,
  type CollectionTag,
  type Tags,
} from 'yaml';
import { LoaderError } from '../errors.js';
import type { PathSegment } from './interpolate.js';

/** `!reset` in the plain tree: removes the attribute/entry from the merged result (§3.6). */
export class ResetMarker {
  readonly reset = true;
}

/** `!override value` in the plain tree: replaces the attribute wholesale, bypassing merge rules. */
export class OverrideMarker {
  constructor(readonly value: unknown) {}
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

/** Upper bound of nodes visited while expanding aliases (compose-go caps at a similar scale). */
const ALIAS_BUDGET = 10_000_000;

/**
 * Parse compose YAML text. Multi-document files give one entry per document; an empty file gives
 * one document with `data: null`.
 *
 * @throws {LoaderError} `file:line:col: <yaml message>` on syntax errors, duplicate keys, bad
 *   aliases or alias expansion beyond the budget.
 */
export function parseYaml(source: string, file: string): ParsedYaml[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(source, {
    merge: true,
    uniqueKeys: true,
    customTags,
    lineCounter,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ParsedYaml[] = [];
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      const pos = lineCounter.linePos(first.pos[0]);
      const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new LoaderError(reason, { file, line: pos.line, column: pos.col });
    }
    out.push(makeParsed(doc as Document.Parsed, file, lineCounter));
  }
  if (out.length === 0) out.push({ file, data: null, locate: () => undefined });
  return out;
}

function makeParsed(doc: Document.Parsed, file: string, lc: LineCounter): ParsedYaml {
  let budget = ALIAS_BUDGET;
  const resolveAlias = (node: unknown): unknown => {
    let n = node;
    let guard = 0;
    while (isAlias(n)) {
      n = n.resolve(doc);
      if (++guard > 1000 || n === undefined) {
        throw new LoaderError('unresolved or circular alias', { file, ...posOf(node as YamlNode) });
      }
    }
    return n;
  };
  const posOf = (node: YamlNode | null | undefined): { line?: number; column?: number } => {
    const start = node?.range?.[0];
    if (start === undefined) return {};
    const p = lc.linePos(start);
    return { line: p.line, column: p.col };
  };

  const toPlain = (node: unknown, inAlias: boolean): unknown => {
    if (inAlias && --budget < 0) {
      throw new LoaderError('excessive alias expansion (resource exhaustion protection)', { file });
    }
    if (isAlias(node)) return toPlain(resolveAlias(node), true);
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag === '!reset') return new ResetMarker();
    if (tag === '!override') return new OverrideMarker(toPlainUntagged(node, inAlias));
    return toPlainUntagged(node, inAlias);
  };
  const toPlainUntagged = (node: unknown, inAlias: boolean): unknown => {
    if (node === null || node === undefined) return null;
    if (isScalar(node)) {
      const v = node.value;
      return typeof v === 'bigint' ? Number(v) : v;
    }
    if (isSeq(node)) return node.items.map((item) => toPlain(item, inAlias));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const merges: unknown[] = [];
      for (const pair of node.items) {
        if (isMergeKey(pair.key)) {
          const src = resolveAlias(pair.value);
          if (isSeq(src)) merges.push(...src.items.map((it) => toPlain(it, true)));
          else merges.push(toPlain(pair.value, true));
          continue;
        }
        out[keyString(pair.key)] = toPlain(pair.value, inAlias);
      }
      // Merge sources fill only keys not set explicitly; earlier sources win over later ones.
      for (const m of merges) {
        if (m === null || typeof m !== 'object' || Array.isArray(m)) {
          throw new LoaderError('merge key << must refer to a mapping', { file, ...posOf(node) });
        }
        for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
      }
      return out;
    }
    return null;
  };
  const keyString = (key: unknown): string => {
    const k = isAlias(key) ? resolveAlias(key) : key;
    if (isScalar(k)) return k.value === null ? 'null' : String(k.value);
    if (k === null || k === undefined) return 'null';
    throw new LoaderError('mapping keys must be scalars', { file, ...posOf(k as YamlNode) });
  };

  const data = toPlain(doc.contents, false);

  /** Find the node (and key node) at `path`, following aliases and merge keys. */
  const find = (path: readonly PathSegment[]): { node: unknown; key: unknown } | undefined => {
    let node: unknown = doc.contents;
    let key: unknown = undefined;
    for (const seg of path) {
      node = resolveAlias(node);
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
  const findPair = (map: unknown, k: string, depth = 0): { key: unknown; value: unknown } | undefined => {
    if (!isMap(map) || depth > 50) return undefined;
    for (const pair of map.items) {
      if (!isMergeKey(pair.key) && keyString(pair.key) === k) return { key: pair.key, value: pair.value };
    }
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const src = resolveAlias(pair.value);
      const sources = isSeq(src) ? src.items.map(resolveAlias) : [src];
      for (const s of sources) {
        const hit = findPair(s, k, depth + 1);
        if (hit) return hit;
      }
    }
    return undefined;
  };

  return {
    file,
    data,
    locate(path, opts = {}) {
      const hit = find(path);
      if (!hit) return undefined;
      const target = (opts.key && hit.key) || hit.node || hit.key;
      const p = posOf(target as YamlNode);
      if (p.line === undefined) {
        const kp = posOf(hit.key as YamlNode);
        return kp.line === undefined ? undefined : { line: kp.line, column: kp.column! };
      }
      return { line: p.line, column: p.column! };
    },
  };
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || (key.value === '<<' && key.type === 'PLAIN'));
}

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
