/**
 * Small value readers shared by the normalisation stage: each turns one "as written" value into
 * its canonical model form or throws a {@link LoaderError} without position (the caller's `at`
 * adds file, line, column and key path). Messages quote the bad value.
 */
import { LoaderError } from '../../errors.js';
import { parseDuration } from '../../model/duration.js';
import { parseByteSize } from '../../model/units.js';
import { isPlainObject, toKeyValueMap } from '../merge.js';

/** A mapping as the loader's earlier stages leave it (interpolated, merged, cast). */
export type Plain = Record<string, unknown>;

/** YAML-ish boolean: `true/yes/y/on/1` (any case) and non-zero numbers → true, anything else false. */
export function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return /^(true|yes|y|on|1)$/i.test(String(v ?? ''));
}

/** A mapping, or `{}` for anything else. */
export function asMap(v: unknown): Plain {
  return isPlainObject(v) ? v : {};
}

/** A scalar as text; objects as JSON (never reached on schema-valid input). */
export function scalarString(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A string or a list of scalars → a list of strings (`null` → `[]`). */
export function toStringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(scalarString);
}

/** A map or `k=v` list → a string map; a `null` value becomes `nullAs`. */
export function stringMap(m: unknown, nullAs = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(toKeyValueMap(m))) out[k] = v === null || v === undefined ? nullAs : scalarString(v);
  return out;
}

/** An integer (a numeric string is read). @throws {LoaderError} `"x" is not an integer`. */
export function toInt(v: unknown, what?: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n)) {
    throw new LoaderError(what ? `${what} must be an integer, got ${JSON.stringify(v)}` : `${JSON.stringify(v)} is not an integer`);
  }
  return n;
}

/** A finite number. @throws {LoaderError} `what must be a number, got "x"`. */
export function toNumber(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n)) throw new LoaderError(`${what} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** A byte size → bytes (compose's `UnitBytes`). @throws {LoaderError} `invalid size: "x"`. */
export function toBytes(v: unknown): number {
  const n = typeof v === 'number' || typeof v === 'string' ? parseByteSize(v) : undefined;
  if (n === undefined) throw new LoaderError(`invalid size: ${JSON.stringify(v)}`, {}, { hint: 'use a number of bytes or a number with a unit: 512m, 1gb' });
  return n;
}

/**
 * A Compose duration, checked and kept as written (the model keeps duration strings; `config`
 * prints them in Go's form). @throws {LoaderError} `"x" is not a duration`.
 */
export function checkDuration(v: unknown): string {
  const text = scalarString(v);
  if (parseDuration(text) === undefined) {
    throw new LoaderError(`${JSON.stringify(text)} is not a duration`, {}, { hint: 'use Go duration syntax, e.g. 30s, 1m30s, 500ms' });
  }
  return text;
}

/**
 * CFS/RT periods and quotas: an integer number of microseconds, or a duration (`"400ms"`)
 * converted to microseconds. @throws {LoaderError} when it is neither.
 */
export function toMicroseconds(v: unknown): number {
  if (typeof v === 'number' || /^\s*[-+]?\d+\s*$/.test(String(v))) return toInt(v);
  const nanos = parseDuration(scalarString(v));
  if (nanos === undefined) {
    throw new LoaderError(`${JSON.stringify(v)} is neither a number of microseconds nor a duration`, {}, { hint: 'e.g. 50000 or 400ms' });
  }
  return Math.round(nanos / 1e3);
}

/**
 * Split `x-*` keys off an object: returns the other keys and, when there are any, the extensions.
 */
export function splitExtensions(o: Plain): { rest: Plain; extensions?: Record<string, unknown> } {
  let extensions: Record<string, unknown> | undefined;
  const rest: Plain = {};
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-')) (extensions ??= {})[k] = v;
    else rest[k] = v;
  }
  return extensions ? { rest, extensions } : { rest };
}

/** A copy of `o` with its `x-*` keys moved into an `extensions` field (absent when none). */
export function withExtensionsField(o: Plain): Plain {
  const { rest, extensions } = splitExtensions(o);
  if (extensions) rest.extensions = extensions;
  return rest;
}
