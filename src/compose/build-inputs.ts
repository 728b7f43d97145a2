import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The inputs of a classic build, walked and digested: which context files are sent (after
 * `.dockerignore`, with Docker's semantics), and a digest of everything that shapes the image —
 * context files (path, mode, size, content hash), the Dockerfile, and the build options (args,
 * target, labels, network, …). The digest is written on the built image as a label, so a later
 * `up` can tell that an image is stale (its inputs changed) and rebuild it — Capstan's own
 * addition (docker/compose#1487); Docker Compose has no such label.
 *
 * Cost: walking is one `lstat` per entry; content hashes come from a stat cache
 * (`<cache dir>/build/stat-*.json`: path → mtime, ctime, size, inode, mode → hash), so an
 * unchanged context is hashed without reading its files (bench/build-digest.mjs).
 */

/** Label with the digest of a built image's inputs (`sha256:<hex>`). Capstan's namespace. */
export const BUILD_DIGEST_LABEL = 'dev.capstan.build.digest';
/** Label with the per-part digests: `context=<hex16>,dockerfile=<hex16>,options=<hex16>`. */
export const BUILD_PARTS_LABEL = 'dev.capstan.build.inputs';

/** One entry of a build context, as it goes into the tar. */
export interface ContextEntry {
  /** Path relative to the context, `/`-separated. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** `st_mode` permission bits (`& 0o7777`). */
  mode: number;
  /** Bytes (files only; 0 otherwise). */
  size: number;
  /** Content hash (files), link target (symlinks), '' (directories). */
  hash: string;
}

/** What {@link digestInputs} returns. */
export interface BuildInputs {
  entries: ContextEntry[];
  /** `sha256:<hex>` over the three parts. */
  digest: string;
  /** Per-part digests (16 hex digits each): the context files, the Dockerfile, the options. */
  parts: { context: string; dockerfile: string; options: string };
  /** The Dockerfile's path in the context, when it is one of the entries. */
  dockerfile?: string;
}

/** Options of a walk: the context, the Dockerfile path in it, the `.dockerignore` text. */
export interface WalkOptions {
  /** Absolute context directory. */
  context: string;
  /** Dockerfile path relative to the context (`/`-separated); always sent. */
  dockerfile: string;
  /** Cache directory (default {@link cacheDir}); `null` disables the stat cache. */
  cache?: string | null;
}

/**
 * Capstan's cache directory: `$CAPSTAN_CACHE_DIR`, else `$XDG_CACHE_HOME/capstan`, else
 * `~/.cache/capstan`.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAPSTAN_CACHE_DIR) return env.CAPSTAN_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'capstan');
}

type Ignorer = { ignores(path: string): boolean };

/**
 * The entries of `context` that a build sends, sorted by path, with their content hashes: the
 * files `.dockerignore` does not exclude (Docker's rules: patterns anchored at the context root,
 * `**`, `!` exceptions — an excluded directory is still walked when an exception could re-include
 * something below it), plus the Dockerfile and `.dockerignore` always. Symlinks are not followed.
 *
 * @throws the `fs` error when the context cannot be read
 */
export async function walkContext(options: WalkOptions): Promise<ContextEntry[]> {
  const { default: ignore } = await import('@balena/dockerignore');
  const text = readIgnoreFile(options.context);
  const ig: Ignorer = ignore().add(text);
  const hasExceptions = text.split(/\r?\n/).some((l) => l.trim().startsWith('!'));
  const keep = new Set([options.dockerfile.replace(/^\.\//, ''), '.dockerignore']);
  const cacheRoot = options.cache === undefined ? cacheDir() : options.cache;
  const cache = cacheRoot ? loadStatCache(cacheRoot, options.context) : new Map<string, CacheEntry>();
  let cacheDirty = false;
  const fresh = new Map<string, CacheEntry>();
  const now = Date.now();
  const entries: ContextEntry[] = [];

  const visit = (rel: string): void => {
    const abs = rel ? join(options.context, rel) : options.context;
    for (const name of readdirSync(abs)) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(abs, name));
      const excluded = !keep.has(path) && ig.ignores(path);
      if (st.isDirectory()) {
        if (!excluded) entries.push({ path, type: 'dir', mode: st.mode & 0o7777, size: 0, hash: '' });
        if (!excluded || hasExceptions || [...keep].some((k) => k.startsWith(`${path}/`))) visit(path);
        continue;
      }
      if (excluded) continue;
      if (st.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', mode: st.mode & 0o7777, size: 0, hash: readlinkSync(join(abs, name)) });
      } else if (st.isFile()) {
        const key = statKey(st);
        const cached = cache.get(path);
        let hash: string;
        if (cached && cached[0] === key) hash = cached[1];
        else {
          hash = createHash('sha256').update(readFileSync(join(abs, name))).digest('hex').slice(0, 32);
          cacheDirty = true;
        }
        // a file modified in the last 2 s may change again within the same mtime tick: not cached
        if (now - st.mtimeMs > 2000 && now - st.ctimeMs > 2000) fresh.set(path, [key, hash]);
        else if (cached) cacheDirty = true;
        entries.push({ path, type: 'file', mode: st.mode & 0o7777, size: st.size, hash });
      }
      // sockets, FIFOs and devices are not sent (as docker's tar writer)
    }
  };
  visit('');
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (cacheRoot && (cacheDirty || fresh.size !== cache.size)) saveStatCache(cacheRoot, options.context, fresh);
  return entries;
}

/**
 * Digest of a build's inputs: `entries` (from {@link walkContext}; absent for a remote context,
 * then its URL is in `options`), the Dockerfile text, and the options that shape the image
 * (args, target, labels, network, …; not `no_cache`/`pull`, which change how, not what).
 */
export function digestInputs(entries: ContextEntry[], dockerfile: string, options: Record<string, unknown>): BuildInputs {
  const h = (s: string): string => createHash('sha256').update(s).digest('hex');
  const context = h(entries.map((e) => `${e.type} ${e.mode.toString(8)} ${e.size} ${e.hash} ${e.path}\n`).join(''));
  const parts = {
    context: context.slice(0, 16),
    dockerfile: h(dockerfile).slice(0, 16),
    options: h(stableJson(options)).slice(0, 16),
  };
  return { entries, parts, digest: `sha256:${h(`${context}\n${h(dockerfile)}\n${h(stableJson(options))}`)}` };
}

/** The {@link BUILD_PARTS_LABEL} value of `parts`. */
export function partsLabel(parts: BuildInputs['parts']): string {
  return `context=${parts.context},dockerfile=${parts.dockerfile},options=${parts.options}`;
}

/**
 * Why an image whose labels are `labels` is stale against `current`, or '' when it is not (or
 * when it carries no digest: built by another tool or an older Capstan). Names the changed
 * context files (at most 3, then "and N more") when the manifest saved at that build is in the
 * cache ({@link saveManifest}).
 */
export function staleReason(labels: Record<string, string> | undefined, current: BuildInputs, cache: string | null = cacheDir()): string {
  const recorded = labels?.[BUILD_DIGEST_LABEL];
  if (!recorded || recorded === current.digest) return '';
  const old = Object.fromEntries((labels?.[BUILD_PARTS_LABEL] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const reasons: string[] = [];
  if (old.dockerfile && old.dockerfile !== current.parts.dockerfile) reasons.push('Dockerfile changed');
  if (old.options && old.options !== current.parts.options) reasons.push('build options changed');
  if (old.context && old.context !== current.parts.context) {
    const before = cache ? loadManifest(cache, old.context) : undefined;
    const dockerfileChanged = reasons.includes('Dockerfile changed');
    const changed = before ? changedPaths(before, current.entries).filter((p) => !(dockerfileChanged && p === current.dockerfile)) : [];
    const named = changed.length > 3 ? `${changed.slice(0, 3).join(', ')} and ${changed.length - 3} more` : changed.join(', ');
    if (named) reasons.push(`build context changed: ${named}`);
    else if (!dockerfileChanged || !before) reasons.push('build context changed');
  }
  return reasons.length ? reasons.join('; ') : 'build inputs changed';
}

/** The paths added, removed or changed between a manifest and the current entries, sorted. */
export function changedPaths(before: Record<string, string>, entries: ContextEntry[]): string[] {
  const now = manifestOf(entries);
  const out = new Set<string>();
  for (const [p, v] of Object.entries(now)) if (before[p] !== v) out.add(p);
  for (const p of Object.keys(before)) if (!(p in now)) out.add(p);
  return [...out].sort();
}

/** Save the per-file manifest of a context under its context digest (to name changed files later). Never throws. */
export function saveManifest(cache: string | null, inputs: BuildInputs): void {
  if (!cache) return;
  try {
    const dir = join(cache, 'build', 'manifests');
    mkdirSync(dir, { recursive: true });
    atomicWrite(join(dir, `${inputs.parts.context}.json`), JSON.stringify(manifestOf(inputs.entries)));
  } catch {
    // a cache is optional
  }
}

function loadManifest(cache: string, context: string): Record<string, string> | undefined {
  try {
    return JSON.parse(readFileSync(join(cache, 'build', 'manifests', `${context}.json`), 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function manifestOf(entries: ContextEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) if (e.type !== 'dir') out[e.path] = `${e.mode.toString(8)}:${e.hash}`;
  return out;
}

function readIgnoreFile(context: string): string {
  try {
    return readFileSync(join(context, '.dockerignore'), 'utf8');
  } catch {
    return '';
  }
}

/** [stat key, content hash] */
type CacheEntry = [string, string];

function statKey(st: Stats): string {
  return `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}:${st.mode}`;
}

function statCacheFile(cache: string, context: string): string {
  return join(cache, 'build', `stat-${createHash('sha256').update(context).digest('hex').slice(0, 16)}.json`);
}

function loadStatCache(cache: string, context: string): Map<string, CacheEntry> {
  try {
    const data = JSON.parse(readFileSync(statCacheFile(cache, context), 'utf8')) as { v: number; files: Record<string, CacheEntry> };
    return data.v === 1 ? new Map(Object.entries(data.files)) : new Map();
  } catch {
    return new Map();
  }
}

function saveStatCache(cache: string, context: string, entries: Map<string, CacheEntry>): void {
  try {
    mkdirSync(join(cache, 'build'), { recursive: true });
    atomicWrite(statCacheFile(cache, context), JSON.stringify({ v: 1, context, files: Object.fromEntries(entries) }));
  } catch {
    // a cache is optional
  }
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** JSON with object keys sorted, so equal options give equal digests. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
