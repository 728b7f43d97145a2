/**
 * Helpers shared by the conformance runners: locating the shared data, placeholder expansion,
 * key-path lookup in a loaded model, and a comparison that follows compose-go's marshalling
 * conventions (see /work/shared/conformance/loader_cases/README.md "How to read expected.json").
 */
import { formatDuration, parseDuration } from '../../src/model/duration.js';
import { pullPolicyOf } from '../../src/model/units.js';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';

/** Root of the third-party conformance material; never copied into the repo. */
export const CONFORMANCE_DIR = process.env.CAPSTAN_CONFORMANCE_DIR ?? '/work/shared/conformance';

/** True when the conformance folder is present on this machine. */
export const HAVE_CONFORMANCE = existsSync(CONFORMANCE_DIR);

/** Replace `${PWD}`, `${TMPDIRn}`, `${HOME}` in every string of `value`. */
export function expandPlaceholders(value: unknown, vars: { pwd: string; base: string }): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/\$\{PWD\}/g, vars.pwd)
      .replace(/\$\{TMPDIR(\d+)\}/g, (_m, n: string) => `${vars.base}/tmpdir${n}`)
      .replace(/\$\{HOME\}/g, homedir());
  }
  if (Array.isArray(value)) return value.map((v) => expandPlaceholders(v, vars));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandPlaceholders(v, vars);
    return out;
  }
  return value;
}

/** Split `services.foo.ports[0].target`, `x.#extensions`, `a.@Get("k")` into segments. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '"') quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (!quoted && depth === 0 && (c === '.' || c === '[')) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    if (!quoted && depth === 0 && c === ']') continue;
    cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

const MISSING = Symbol('missing');

/** Value at `path` in `root`, or the MISSING symbol. Supports `#extensions` and a few `@Method()` forms. */
export function getPath(root: unknown, path: string): unknown {
  const segs = splitPath(path);
  const star = segs.indexOf('*');
  if (star >= 0) {
    // `services.*.environment`: every entry must have the same value; return the first one's.
    const parent = getPath(root, segs.slice(0, star).join('.'));
    if (isMissing(parent) || parent === null || typeof parent !== 'object') return MISSING;
    const values = Object.keys(parent as object).map((k) => getPath(root, [...segs.slice(0, star), k, ...segs.slice(star + 1)].join('.')));
    return values.every((v) => JSON.stringify(v) === JSON.stringify(values[0])) ? values[0] : MISSING;
  }
  let node: unknown = root;
  for (const seg of segs) {
    if (node === MISSING || node === null || node === undefined) return MISSING;
    if (seg === '#extensions') {
      // the model keeps an object's `x-*` keys in its `extensions` field (Project: top-level ones)
      const own = (node as { extensions?: unknown }).extensions;
      node = { ...Object.fromEntries(Object.entries(node as object).filter(([k]) => k.startsWith('x-'))), ...(own && typeof own === 'object' ? own : {}) };
      continue;
    }
    const m = /^@(\w+)\((.*)\)$/.exec(seg);
    if (m) {
      node = callMethod(node, m[1]!, m[2]!);
      continue;
    }
    // compose-go's UlimitsConfig{Single}: a bare number in the file (`nproc: 65535`)
    if (seg === 'single' && typeof node === 'number') continue;
    if (seg.startsWith('x-') && node && typeof node === 'object' && !Object.hasOwn(node, seg)) {
      // an `x-*` key of a typed object lives in its `extensions` field
      const own = (node as { extensions?: Record<string, unknown> }).extensions;
      node = own && Object.hasOwn(own, seg) ? own[seg] : MISSING;
      if (node === MISSING) return MISSING;
      continue;
    }
    if (Array.isArray(node) && /^\d+$/.test(seg)) node = node[Number(seg)];
    else if (typeof node === 'object' && Object.hasOwn(node as object, seg)) node = (node as Record<string, unknown>)[seg];
    else return MISSING;
    if (node === undefined) return MISSING;
  }
  return node;
}

function callMethod(node: unknown, method: string, args: string): unknown {
  const obj = node as Record<string, unknown>;
  const keys = (section: string) => Object.keys((obj[section] as object) ?? {}).sort();
  switch (method) {
    case 'ServiceNames':
      return keys('services');
    case 'SecretNames':
      return keys('secrets');
    case 'VolumeNames':
      return keys('volumes');
    case 'ConfigNames':
      return keys('configs');
    case 'NetworkNames':
      return keys('networks');
    case 'Get': {
      const key = JSON.parse(args) as string;
      if (Array.isArray(node)) {
        for (const e of node) {
          const s = String(e);
          const eq = s.indexOf('=');
          if ((eq < 0 ? s : s.slice(0, eq)) === key) return eq < 0 ? '' : s.slice(eq + 1);
        }
        return MISSING;
      }
      return obj && Object.hasOwn(obj, key) ? obj[key] : MISSING;
    }
    case 'IsAbs':
      return typeof node === 'string' && node.startsWith('/');
    case 'GetPullPolicy': {
      // ServiceConfig.GetPullPolicy() returns (policy, refresh duration)
      const p = pullPolicyOf(obj.pull_policy as string | undefined);
      return p ? [p.policy, p.refreshAfter === undefined ? '0s' : formatDuration(p.refreshAfter)] : MISSING;
    }
    default:
      return MISSING;
  }
}

/** Is `v` Go's zero value (absent, null, "", 0, false, empty list/map)? */
export function isEmpty(v: unknown): boolean {
  if (v === MISSING || v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** True for the MISSING sentinel returned by {@link getPath}. */
export function isMissing(v: unknown): boolean {
  return v === MISSING;
}

/**
 * Compare an actual model value with an expected one written in compose-go's marshalled form:
 * objects compare on the expected keys (other actual keys must be zero values), numbers equal
 * their decimal strings, a missing actual equals an expected zero value.
 */
export function looseEqual(actual: unknown, expected: unknown): boolean {
  if (isMissing(actual) || actual === undefined || actual === null) return isEmpty(expected);
  if (expected === null || expected === undefined) return isEmpty(actual);
  if (typeof expected === 'string' || typeof expected === 'number' || typeof expected === 'boolean') {
    if (typeof actual === 'object') return false;
    if (actual === expected) return true;
    return String(actual) === String(expected) || scalarAlias(actual, expected);
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      return typeof actual === 'string' && expected.length === 1 && looseEqual(actual, expected[0]);
    }
    if (actual.length !== expected.length) return false;
    return expected.every((e, i) => looseEqual(actual[i], e));
  }
  if (typeof actual !== 'object' || Array.isArray(actual)) {
    // A K=V list against a mapping.
    if (Array.isArray(actual)) return looseEqual(kvListToMap(actual), expected);
    return false;
  }
  const a = withInlineExtensions(actual as Record<string, unknown>);
  const e = expected as Record<string, unknown>;
  for (const [k, v] of Object.entries(e)) if (!looseEqual(Object.hasOwn(a, k) ? a[k] : MISSING, v)) return false;
  for (const [k, v] of Object.entries(a)) if (!Object.hasOwn(e, k) && !isEmpty(v) && !ZERO_DEFAULTS.has(k)) return false;
  return true;
}

/** The model's `extensions` field put back among the keys, as compose-go's structs marshal them. */
function withInlineExtensions(o: Record<string, unknown>): Record<string, unknown> {
  const x = o.extensions;
  if (!x || typeof x !== 'object' || Array.isArray(x)) return o;
  const { extensions: _x, ...rest } = o;
  return { ...rest, ...(x as Record<string, unknown>) };
}

/** Fields Capstan fills with defaults where compose-go's struct literal leaves them zero. */
const ZERO_DEFAULTS = new Set<string>(['name', '$Name', '$ComposeFiles']);

function scalarAlias(actual: unknown, expected: unknown): boolean {
  // Durations: Capstan keeps "90s"; compose-go prints "1m30s".
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  const da = parseDuration(actual);
  return da !== undefined && da === parseDuration(expected);
}

function kvListToMap(list: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const s = String(item);
    const eq = s.indexOf('=');
    if (eq < 0) out[s] = null;
    else out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

/**
 * The forms under which a Capstan error can match compose-go's text: the full message, the
 * bare reason, and `key.path reason` with list indexes written `.0` (compose-go's path style;
 * Capstan prints `file:line:col: key.path[0]: reason`).
 */
export function errorForms(err: { message: string; reason?: string; keyPath?: string }): string[] {
  const forms = [err.message];
  if (err.reason !== undefined) forms.push(err.reason);
  if (err.keyPath) {
    const dotted = err.keyPath.replace(/\[(\d+)\]/g, '.$1');
    forms.push(`${err.keyPath} ${err.reason}`, `${dotted} ${err.reason}`, `${dotted}: ${err.reason}`);
  }
  return forms;
}
