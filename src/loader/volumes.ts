/**
 * Service `volumes:` parsing (compose-behaviour.md §2.2 "volumes"): short syntax
 * `[SOURCE:]TARGET[:OPTIONS]` and the long form, into {@link ServiceVolumeConfig}.
 */
import { posix, isAbsolute, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import type { ServiceVolumeConfig } from '../model/types.js';
import { parseByteSize } from '../model/units.js';
import { splitExtensions, toBool } from './normalize/values.js';

const PROPAGATION = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated']);

/** Where relative bind sources resolve: the project directory and the user's home (`~`). */
export interface PathContext {
  workingDir: string;
  home?: string;
  /** Keep relative paths relative (`config --no-path-resolution`); `~` is still expanded. */
  keepRelative?: boolean;
}

/** True when a short-syntax source names a host path rather than a named volume. */
export function isPathLike(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~') || /^[A-Za-z]:[\\/]/.test(source);
}

/** Resolve a host path: `~` → home, relative → against the project directory. */
export function resolveHostPath(p: string, ctx: PathContext): string {
  let out = p;
  if (out === '~' || out.startsWith('~/')) out = (ctx.home ?? '~') + out.slice(1);
  if (ctx.keepRelative) return out;
  if (!isAbsolute(out)) out = resolve(ctx.workingDir, out);
  return out.length > 1 ? out.replace(/\/+$/, '') : out;
}

function cleanTarget(target: string): string {
  const c = posix.normalize(target);
  return c.length > 1 ? c.replace(/\/+$/, '') : c;
}

/**
 * Parse a short-syntax volume `[SOURCE:]TARGET[:OPTIONS]`, as compose-go's `ParseVolume` does.
 *
 * - A path-like source (`.`, `/`, `~`) gives a bind mount with `bind.create_host_path: true`;
 *   another source names a volume; no source gives an anonymous volume.
 * - `:` inside a `${…}` expression (nested braces included) does not separate sections, so
 *   `/src:/dst/${VAR:-a:b}:ro` keeps its variable whole.
 * - A single letter followed by `:` is a Windows drive (`C:\x`, `d:`), not a separator.
 * - Options, comma-separated: `ro`, `rw`, `z`, `Z`, `nocopy`, a propagation or a consistency
 *   value. Unknown options are ignored, as compose-go ignores them.
 * - An option that does not fit the mount type is accepted and kept, as compose-go keeps it:
 *   `z`/`Z`/a propagation on a named volume set `bind.selinux`/`bind.propagation` (and, as
 *   compose-go's default for any `bind:` mapping, `bind.create_host_path: true`); `nocopy` on a
 *   bind sets `volume.nocopy`. docker compose only warns about them when it creates the container
 *   (see `compose/mount-warnings.ts`).
 *
 * @throws {LoaderError} `invalid empty volume spec`; `invalid spec: SPEC: empty section between
 *   colons`; `invalid spec: SPEC: too many colons`; `invalid spec: SPEC: mount path must be
 *   absolute` (no position; the caller adds it).
 */
export function parseVolumeSpec(spec: string, ctx: PathContext): ServiceVolumeConfig {
  if (spec === '') throw new LoaderError('invalid empty volume spec');
  const bad = (why: string) => new LoaderError(`invalid spec: ${spec}: ${why}`);
  const parts = splitVolume(spec);
  // compose-go reads the sections left to right: an empty one is reported before a 4th one.
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '') throw bad('empty section between colons');
    if (i === 2 && parts.length > 3) throw bad('too many colons');
  }
  if (parts.length === 1) return { type: 'volume', target: cleanTarget(parts[0]!), volume: {} };
  const [source, target, opts] = parts as [string, string, string | undefined];
  if (!target.startsWith('/') && !DRIVE.test(target)) throw bad('mount path must be absolute');
  const bind = isPathLike(source);
  const vol: ServiceVolumeConfig = bind
    ? { type: 'bind', source: resolveHostPath(source, ctx), target: cleanTarget(target), bind: { create_host_path: true } }
    : { type: 'volume', source, target: cleanTarget(target), volume: {} };
  for (const opt of opts ? opts.split(',') : []) {
    if (opt === 'ro') vol.read_only = true;
    else if (opt === 'rw') vol.read_only = undefined;
    else if (opt === 'z' || opt === 'Z') vol.bind = { ...vol.bind, selinux: opt };
    else if (opt === 'nocopy') vol.volume = { ...vol.volume, nocopy: true };
    else if (PROPAGATION.has(opt)) vol.bind = { ...vol.bind, propagation: opt };
    else if (CONSISTENCY.has(opt)) {
      vol.consistency = opt;
    }
    // anything else is ignored (compose-go: "ignore unknown options")
  }
  if (vol.read_only === undefined) delete vol.read_only;
  // compose-go defaults `create_host_path` in every `bind:` mapping, whatever the mount type.
  if (vol.bind && vol.bind.create_host_path === undefined) vol.bind = { ...vol.bind, create_host_path: true };
  return vol;
}

/** A Windows drive at the start of a path: `C:`, `d:\x`, `c:/x`. */
const DRIVE = /^\p{L}:/u;

/**
 * Split a short-syntax spec into its `:`-separated sections. A `:` does not separate when it
 * closes a single-letter drive (`C:`), or when it sits inside a `${…}` expression (braces nest).
 */
function splitVolume(spec: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '$' && spec[i + 1] === '{') {
      depth++;
      cur += '${';
      i++;
    } else if (depth > 0) {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      cur += c;
    } else if (c === ':' && !(cur.length === 1 && /^\p{L}$/u.test(cur))) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const VOLUME_TYPES = new Set(['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image']);

/**
 * Normalise one `volumes:` entry (short string or long mapping): bind sources become absolute,
 * targets are path-cleaned, `read_only` becomes a boolean, `tmpfs.size` a number of bytes, and
 * `x-*` keys move into `extensions`.
 *
 * @throws {LoaderError} for malformed entries (no position; the caller adds it).
 */
export function normalizeVolumeEntry(item: unknown, ctx: PathContext): ServiceVolumeConfig {
  if (typeof item === 'string') return parseVolumeSpec(item, ctx);
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new LoaderError(`invalid volume ${JSON.stringify(item)}`);
  }
  const { rest: raw, extensions } = splitExtensions(item as Record<string, unknown>);
  const type = String(raw.type ?? '');
  if (!VOLUME_TYPES.has(type)) throw new LoaderError(`invalid volume type ${JSON.stringify(raw.type ?? null)}`);
  if (typeof raw.target !== 'string' || raw.target === '') throw new LoaderError('volume target is required');
  const out = { ...raw, type, target: cleanTarget(raw.target) } as ServiceVolumeConfig & Record<string, unknown>;
  if (type === 'bind') {
    if (typeof raw.source !== 'string' || raw.source === '') {
      throw new LoaderError('invalid mount config for type "bind": field Source must not be empty');
    }
    out.source = resolveHostPath(raw.source, ctx);
  }
  const b = raw.bind;
  if (b !== null && typeof b === 'object' && !Array.isArray(b)) {
    // A `bind:` mapping without `create_host_path` defaults it to true (compose-go's default for
    // `services.*.volumes.*.bind`, whatever the mount type); with no `bind:` mapping nothing is added.
    const cp = (b as Record<string, unknown>).create_host_path;
    out.bind = { ...b, create_host_path: cp === undefined ? true : toBool(cp) } as ServiceVolumeConfig['bind'];
  }
  if (type === 'tmpfs') {
    const t = raw.tmpfs;
    if (t !== null && typeof t === 'object' && !Array.isArray(t) && (t as Record<string, unknown>).size !== undefined) {
      out.tmpfs = { ...(t as Record<string, unknown>), size: tmpfsSize((t as Record<string, unknown>).size) };
    }
  }
  if (raw.read_only !== undefined) {
    if (toBool(raw.read_only)) out.read_only = true;
    else delete out.read_only;
  }
  if (extensions) out.extensions = extensions;
  return out;
}

/** `tmpfs.size` as a number of bytes (`1kb` → 1024), as compose-go's UnitBytes reads it. */
function tmpfsSize(v: unknown): number {
  const n = typeof v === 'number' || typeof v === 'string' ? parseByteSize(v) : undefined;
  if (n === undefined) throw new LoaderError(`invalid size: '${String(v)}'`);
  return n;
}

/**
 * Unify entries with the same target: the later one replaces the earlier one in place (§3.6).
 */
export function uniqueVolumes(list: readonly ServiceVolumeConfig[]): ServiceVolumeConfig[] {
  const out: ServiceVolumeConfig[] = [];
  const index = new Map<string, number>();
  for (const v of list) {
    const at = index.get(v.target);
    if (at === undefined) {
      index.set(v.target, out.length);
      out.push(v);
    } else out[at] = v;
  }
  return out;
}

