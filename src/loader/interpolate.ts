/**
 * Compose variable interpolation (compose-behaviour.md §3.3).
 *
 * Syntax: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
 * `${VAR:+alt}`, `${VAR+alt}` and `$$` for a literal `$`. Names match `[_A-Za-z][_A-Za-z0-9]*`.
 * Defaults, alternates and error messages are themselves templates, substituted lazily (only when
 * used). The closing brace of `${…}` is found by counting braces, so `${A:-{"json":1}}` works.
 */
import { LoaderError } from '../errors.js';
import { ResetMarker, OverrideMarker } from './yaml.js';

/** Resolves a variable name to its value; `undefined` means unset. */
export type Lookup = (name: string) => string | undefined;

/** Why a template failed: malformed (`invalid`) or a `:?`/`?` variable without value (`required`). */
export type TemplateErrorKind = 'invalid' | 'required';

/**
 * A template could not be substituted. `message` is compose's own text:
 * `Invalid template: "${foo!}"` or `required variable VAR is missing a value: err`.
 * Tree interpolation wraps it into a {@link LoaderError} with the file position.
 */
export class TemplateError extends Error {
  readonly kind: TemplateErrorKind;
  /** For `required`: the variable name. */
  readonly variable: string | undefined;
  constructor(kind: TemplateErrorKind, message: string, variable?: string) {
    super(message);
    this.name = 'TemplateError';
    this.kind = kind;
    this.variable = variable;
  }
}

/** Options of {@link interpolate}. */
export interface InterpolateOptions {
  /** Called for each plain `$V`/`${V}` whose variable is unset (once per occurrence). */
  onUnset?: (name: string) => void;
}

const NAME_START = /[_A-Za-z]/;
const NAME_CHAR = /[_A-Za-z0-9]/;

/**
 * Substitute every variable reference in `template`.
 *
 * @returns the substituted string.
 * @throws {TemplateError} `invalid` for `${` without a valid name or closing brace, or an unknown
 *   operator; `required` when a `:?`/`?` variable is missing.
 */
export function interpolate(template: string, lookup: Lookup, options: InterpolateOptions = {}): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  const n = template.length;
  while (i < n) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const next = template[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = findClosingBrace(template, dollar + 2);
      if (close < 0) throw invalid(template);
      out += substituteBraced(template.slice(dollar + 2, close), template, lookup, options);
      i = close + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      let end = dollar + 2;
      while (end < n && NAME_CHAR.test(template[end]!)) end++;
      const name = template.slice(dollar + 1, end);
      const value = lookup(name);
      if (value === undefined) options.onUnset?.(name);
      out += value ?? '';
      i = end;
    } else {
      // `$` followed by a non-name character (or at the end) is literal.
      out += '$';
      i = dollar + 1;
    }
  }
  return out;
}

/** Index of the `}` closing a `${` whose content starts at `from`, or -1. */
export function findClosingBrace(s: string, from: number): number {
  let depth = 1;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function invalid(template: string): TemplateError {
  return new TemplateError('invalid', `Invalid template: ${JSON.stringify(template)}`);
}

/** The six operators; the one directly after the name is used (which is the first in the text). */
type Operator = ':-' | '-' | ':?' | '?' | ':+' | '+';

function substituteBraced(content: string, template: string, lookup: Lookup, options: InterpolateOptions): string {
  let end = 0;
  if (!NAME_START.test(content[0] ?? '')) throw invalid(template);
  while (end < content.length && NAME_CHAR.test(content[end]!)) end++;
  const name = content.slice(0, end);
  const rest = content.slice(end);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) options.onUnset?.(name);
    return value ?? '';
  }
  let op: Operator;
  if (rest.startsWith(':-') || rest.startsWith(':?') || rest.startsWith(':+')) op = rest.slice(0, 2) as Operator;
  else if (rest[0] === '-' || rest[0] === '?' || rest[0] === '+') op = rest[0] as Operator;
  else throw invalid(template);
  const arg = rest.slice(op.length);
  const sub = (): string => interpolate(arg, lookup, options);
  const empty = value === undefined || value === '';
  switch (op) {
    case ':-':
      return empty ? sub() : value!;
    case '-':
      return value === undefined ? sub() : value;
    case ':?':
      if (empty) throw required(name, sub());
      return value!;
    case '?':
      if (value === undefined) throw required(name, sub());
      return value;
    case ':+':
      return empty ? '' : sub();
    case '+':
      return value === undefined ? '' : sub();
  }
}

function required(name: string, reason: string): TemplateError {
  const msg = `required variable ${name} is missing a value${reason ? `: ${reason}` : ''}`;
  return new TemplateError('required', msg, name);
}

/** A key path segment: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Render a key path the way error messages show it: `services.web.ports[0]`. */
export function formatKeyPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s === '' ? seg : `.${seg}`;
  }
  return s;
}

/** Source position of a key path, as given by the YAML stage. */
export type Locate = (path: readonly PathSegment[]) => { line: number; column: number } | undefined;

/** Options of {@link interpolateTree}. */
export interface InterpolateTreeOptions extends InterpolateOptions {
  /** The file the tree came from, for error messages. */
  file?: string;
  /** Maps a key path to its `line:col` in `file`. */
  locate?: Locate;
}

/**
 * Interpolate every string **value** of a parsed YAML tree (plain objects, arrays, scalars and the
 * `!reset`/`!override` markers of `./yaml.js`); mapping keys are never touched (§3.3 "Scope").
 * The input is not modified; the result shares what interpolation leaves as it is.
 *
 * @throws {LoaderError} with `file:line:col: key.path: <template error>` on the first failure.
 */
export function interpolateTree(tree: unknown, lookup: Lookup, options: InterpolateTreeOptions = {}): unknown {
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('$')) return node;
      try {
        return interpolate(node, lookup, options);
      } catch (err) {
        if (err instanceof TemplateError) {
          const pos = options.locate?.(path);
          throw new LoaderError(err.message, {
            file: options.file,
            line: pos?.line,
            column: pos?.column,
            keyPath: formatKeyPath(path),
          });
        }
        throw err;
      }
    }
    if (Array.isArray(node)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        const v = walk(node[i], path);
        path.pop();
        if (v !== node[i]) (out ??= node.slice())[i] = v;
      }
      return out ?? node;
    }
    if (node instanceof OverrideMarker) {
      const v = walk(node.value, path);
      return v === node.value ? node : new OverrideMarker(v);
    }
    if (node instanceof ResetMarker) return node;
    if (node !== null && typeof node === 'object') {
      let out: Record<string, unknown> | undefined;
      for (const k of Object.keys(node)) {
        const before = (node as Record<string, unknown>)[k];
        path.push(k);
        const v = walk(before, path);
        path.pop();
        if (v === before) continue;
        out = withKey(out, node, k, v);
      }
      return out ?? node;
    }
    return node;
  };
  return walk(tree, []);
}

/** Copy-on-write assignment: the first change copies `node`; `__proto__` stays a plain data key. */
function withKey(out: Record<string, unknown> | undefined, node: object, k: string, v: unknown): Record<string, unknown> {
  const o = out ?? { ...(node as Record<string, unknown>) };
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
  return o;
}

// ───────────────────────────── cast stage ─────────────────────────────

/** The scalar type a string value is cast to (compose-behaviour.md §3.3, last point). */
export type CastKind = 'int' | 'float' | 'bool';

/**
 * Where compose casts interpolated strings, as key-path patterns: `*` is any mapping key, `[]`
 * any sequence index. Mirrors the attributes compose-go's interpolation casts.
 */
export const CAST_PATHS: readonly (readonly [string, CastKind])[] = [
  ['services.*.cpu_count', 'int'],
  ['services.*.cpu_percent', 'float'],
  ['services.*.cpu_period', 'int'],
  ['services.*.cpu_quota', 'int'],
  ['services.*.cpu_rt_period', 'int'],
  ['services.*.cpu_rt_runtime', 'int'],
  ['services.*.cpus', 'float'],
  ['services.*.cpu_shares', 'int'],
  ['services.*.init', 'bool'],
  ['services.*.depends_on.*.required', 'bool'],
  ['services.*.depends_on.*.restart', 'bool'],
  ['services.*.deploy.replicas', 'int'],
  ['services.*.deploy.update_config.parallelism', 'int'],
  ['services.*.deploy.update_config.max_failure_ratio', 'float'],
  ['services.*.deploy.rollback_config.parallelism', 'int'],
  ['services.*.deploy.rollback_config.max_failure_ratio', 'float'],
  ['services.*.deploy.restart_policy.max_attempts', 'int'],
  ['services.*.deploy.placement.max_replicas_per_node', 'int'],
  ['services.*.healthcheck.retries', 'int'],
  ['services.*.healthcheck.disable', 'bool'],
  ['services.*.oom_kill_disable', 'bool'],
  ['services.*.oom_score_adj', 'int'],
  ['services.*.pids_limit', 'int'],
  ['services.*.ports.[].target', 'int'],
  ['services.*.privileged', 'bool'],
  ['services.*.read_only', 'bool'],
  ['services.*.scale', 'int'],
  ['services.*.stdin_open', 'bool'],
  ['services.*.tty', 'bool'],
  ['services.*.ulimits.*', 'int'],
  ['services.*.ulimits.*.hard', 'int'],
  ['services.*.ulimits.*.soft', 'int'],
  ['services.*.volumes.[].read_only', 'bool'],
  ['services.*.volumes.[].volume.nocopy', 'bool'],
  ['networks.*.external', 'bool'],
  ['networks.*.internal', 'bool'],
  ['networks.*.attachable', 'bool'],
  ['networks.*.enable_ipv4', 'bool'],
  ['networks.*.enable_ipv6', 'bool'],
  ['volumes.*.external', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
];

/** {@link CAST_PATHS} as a tree of path segments, so that only those paths are walked. */
interface CastTrie {
  /** Named mapping keys. */
  keys: Map<string, CastTrie>;
  /** `*`: any mapping key (no node has both named keys and `*`, so the first match is the only one). */
  anyKey?: CastTrie;
  /** `[]`: any sequence index. */
  index?: CastTrie;
  /** The kind of a string at this path. */
  kind?: CastKind;
}

const CAST_TRIE: CastTrie = (() => {
  const node = (): CastTrie => ({ keys: new Map() });
  const root = node();
  for (const [pattern, kind] of CAST_PATHS) {
    let at = root;
    for (const seg of pattern.split('.')) {
      if (seg === '[]') at = at.index ??= node();
      else if (seg === '*') at = at.anyKey ??= node();
      else {
        let next = at.keys.get(seg);
        if (!next) at.keys.set(seg, (next = node()));
        at = next;
      }
      if (at.keys.size > 0 && at.anyKey) throw new Error(`CAST_PATHS: both named keys and * under ${pattern}`);
    }
    at.kind ??= kind;
  }
  return root;
})();

/**
 * Cast one string to `kind`. Booleans accept `true`/`false` and, with a warning, the YAML 1.1
 * forms `y yes on n no off` (any case).
 *
 * @throws {LoaderError} without position (`failed to cast to expected type: invalid boolean: "maybe"`).
 */
export function castScalar(text: string, kind: CastKind, onWarning?: (m: string) => void): number | boolean {
  const fail = (what: string): never => {
    throw new LoaderError(`failed to cast to expected type: invalid ${what}: ${JSON.stringify(text)}`);
  };
  switch (kind) {
    case 'int':
      return /^[-+]?\d+$/.test(text) ? Number(text) : fail('integer');
    case 'float':
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : fail('number');
    case 'bool': {
      const t = text.toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      const legacy = ['y', 'yes', 'on'].includes(t) ? true : ['n', 'no', 'off'].includes(t) ? false : undefined;
      if (legacy === undefined) return fail('boolean');
      onWarning?.(`"${text}" is a YAML 1.1 boolean; Compose reads it as ${String(legacy)}, write ${String(legacy)} instead`);
      return legacy;
    }
  }
}

/** Options of {@link castTree}. */
export interface CastTreeOptions {
  /** Positions for error messages (file, line, column of a key path). */
  locate?: (path: readonly PathSegment[]) => { file?: string; line?: number; column?: number } | undefined;
  onWarning?: (message: string) => void;
}

/**
 * The cast stage: after interpolation, string values at the attributes of {@link CAST_PATHS}
 * become the integer, number or boolean the attribute takes (`replicas: "$N"` → `3`). Values
 * already of another type are kept; a string that still holds a `$` template (interpolation
 * turned off) is kept as written. The input is not modified; the result shares what is not cast.
 *
 * @throws {LoaderError} `file:line:col: key.path: failed to cast to expected type: …`.
 */
export function castTree(tree: unknown, options: CastTreeOptions = {}): unknown {
  const path: PathSegment[] = [];
  const walk = (node: unknown, trie: CastTrie): unknown => {
    if (typeof node === 'string') {
      const kind = trie.kind;
      if (kind === undefined || /\$[{_A-Za-z]/.test(node)) return node;
      try {
        return castScalar(node.trim(), kind, options.onWarning && ((m) => options.onWarning!(`${formatKeyPath(path)}: ${m}`)));
      } catch (err) {
        if (err instanceof LoaderError) {
          throw new LoaderError(err.reason, { ...options.locate?.(path), keyPath: formatKeyPath(path) });
        }
        throw err;
      }
    }
    if (Array.isArray(node)) {
      const sub = trie.index;
      if (!sub) return node;
      let out: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        const v = walk(node[i], sub);
        path.pop();
        if (v !== node[i]) (out ??= node.slice())[i] = v;
      }
      return out ?? node;
    }
    if (node !== null && typeof node === 'object' && !(node instanceof OverrideMarker) && !(node instanceof ResetMarker)) {
      let out: Record<string, unknown> | undefined;
      for (const k of Object.keys(node)) {
        const sub = trie.keys.get(k) ?? trie.anyKey;
        if (!sub) continue;
        const before = (node as Record<string, unknown>)[k];
        path.push(k);
        const v = walk(before, sub);
        path.pop();
        if (v === before) continue;
        out = withKey(out, node, k, v);
      }
      return out ?? node;
    }
    return node;
  };
  return walk(tree, CAST_TRIE);
}
