/**
 * Rebasing of relative paths in a raw (not yet normalised) compose tree, for services and
 * resources pulled in from another directory by `extends: {file}` or `include`
 * (compose-behaviour.md §3.7: "relative paths are resolved against the base file's directory").
 *
 * A relative path written in `fromDir` is rewritten so that it means the same file when read
 * from `toDir`: absolute when `absolute` is set, else relative (`./x`, `../x`).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { isPlainObject } from './merge.js';

type Plain = Record<string, unknown>;

/** How {@link rebaseService} and {@link rebaseModel} rewrite paths. */
export interface RebaseOptions {
  fromDir: string;
  toDir: string;
  /** Produce absolute paths instead of paths relative to `toDir`. */
  absolute?: boolean;
}

/** A remote build context or path (`https://…`, `git@…`, `github.com/…`): never rebased or resolved. */
export function isRemote(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@') || p.startsWith('github.com/');
}

/** Rewrite one path (untouched when absolute, `~`-relative, remote or containing a variable). */
export function rebasePath(p: string, o: RebaseOptions): string {
  if (p === '' || isAbsolute(p) || p.startsWith('~') || isRemote(p) || /^[A-Za-z]:[\\/]/.test(p)) return p;
  const abs = resolve(o.fromDir, p);
  if (o.absolute) return abs;
  const rel = relative(o.toDir, abs);
  return rel === '' ? '.' : rel;
}

/** A build context: local paths are rebased; `docker-image://`, URLs and git references are kept. */
function rebaseContext(p: string, o: RebaseOptions): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(p) && !/^[A-Za-z]:[\\/]/.test(p) ? p : rebasePath(p, o);
}

/** `id=path` (build.ssh): the path is rebased; a bare `id` (agent socket) is kept. */
function rebaseKeyValuePath(e: string, o: RebaseOptions): string {
  const eq = e.indexOf('=');
  return eq < 0 ? e : `${e.slice(0, eq)}=${rebasePath(e.slice(eq + 1), o)}`;
}

/** Like {@link rebasePath}, but a relative result keeps a leading `./` (short volume syntax needs it). */
function rebaseBindSource(p: string, o: RebaseOptions): string {
  const out = rebasePath(p, o);
  return out.startsWith('.') || out.startsWith('/') ? out : `./${out}`;
}

function rebaseVolume(v: unknown, o: RebaseOptions): unknown {
  if (typeof v === 'string') {
    const first = v.indexOf(':');
    if (first <= 0) return v;
    const src = v.slice(0, first);
    if (!src.startsWith('.')) return v;
    return rebaseBindSource(src, o) + v.slice(first);
  }
  if (isPlainObject(v) && v.type === 'bind' && typeof v.source === 'string') return { ...v, source: rebaseBindSource(v.source, o) };
  return v;
}

function rebaseEnvFile(e: unknown, o: RebaseOptions): unknown {
  if (typeof e === 'string') return rebasePath(e, o);
  if (isPlainObject(e) && typeof e.path === 'string') return { ...e, path: rebasePath(e.path, o) };
  return e;
}

/** Rebase the file references of one raw service: build context, volumes, env_file, label_file, extends.file. */
export function rebaseService(svc: unknown, o: RebaseOptions): unknown {
  if (!isPlainObject(svc)) return svc;
  const out: Plain = { ...svc };
  if (typeof out.build === 'string') out.build = rebasePath(out.build, o);
  else if (isPlainObject(out.build)) {
    const b: Plain = { ...out.build };
    // An absent context stays absent: it defaults to the project directory later, as in compose-go.
    if (typeof b.context === 'string') b.context = rebasePath(b.context, o);
    if (isPlainObject(b.additional_contexts)) {
      const ac: Plain = {};
      for (const [k, v] of Object.entries(b.additional_contexts)) ac[k] = typeof v === 'string' ? rebaseContext(v, o) : v;
      b.additional_contexts = ac;
    } else if (Array.isArray(b.additional_contexts)) {
      b.additional_contexts = b.additional_contexts.map((e) => {
        if (typeof e !== 'string' || !e.includes('=')) return e;
        const eq = e.indexOf('=');
        return `${e.slice(0, eq)}=${rebaseContext(e.slice(eq + 1), o)}`;
      });
    }
    if (Array.isArray(b.ssh)) b.ssh = b.ssh.map((e) => (typeof e === 'string' ? rebaseKeyValuePath(e, o) : e));
    else if (isPlainObject(b.ssh)) {
      const ssh: Plain = {};
      for (const [k, v] of Object.entries(b.ssh)) ssh[k] = typeof v === 'string' && v !== '' ? rebasePath(v, o) : v;
      b.ssh = ssh;
    }
    out.build = b;
  }
  if (isPlainObject(out.develop) && Array.isArray(out.develop.watch)) {
    out.develop = {
      ...out.develop,
      watch: out.develop.watch.map((w) => (isPlainObject(w) && typeof w.path === 'string' ? { ...w, path: rebasePath(w.path, o) } : w)),
    };
  }
  if (Array.isArray(out.volumes)) out.volumes = out.volumes.map((v) => rebaseVolume(v, o));
  if (out.env_file !== undefined && out.env_file !== null) {
    out.env_file = Array.isArray(out.env_file) ? out.env_file.map((e) => rebaseEnvFile(e, o)) : rebaseEnvFile(out.env_file, o);
  }
  if (typeof out.label_file === 'string') out.label_file = rebasePath(out.label_file, o);
  else if (Array.isArray(out.label_file)) out.label_file = out.label_file.map((f) => (typeof f === 'string' ? rebasePath(f, o) : f));
  if (isPlainObject(out.extends) && typeof out.extends.file === 'string') {
    out.extends = { ...out.extends, file: rebasePath(out.extends.file, o) };
  }
  return out;
}

/**
 * True when a top-level volume is a local bind in disguise (`driver: local` or no driver, with
 * `driver_opts.o` listing `bind`/`rbind`), so that `driver_opts.device` is a host path.
 */
function isLocalBindVolume(v: Plain): v is Plain & { driver_opts: Plain & { device: string } } {
  if (v.driver !== undefined && v.driver !== null && v.driver !== 'local') return false;
  const opts = v.driver_opts;
  if (!isPlainObject(opts) || typeof opts.device !== 'string' || typeof opts.o !== 'string') return false;
  return opts.o.split(',').some((x) => x.trim() === 'bind' || x.trim() === 'rbind');
}

/**
 * The host path of a local bind volume (`driver_opts: {o: bind, device: ./data}`) resolved
 * against `dir`, as compose-go does; any other volume is returned unchanged.
 *
 * @param volume a raw top-level volume definition.
 * @param dir the directory its relative `device` is written from (the project directory).
 */
export function resolveVolumeDevice<T>(volume: T, dir: string): T {
  if (!isPlainObject(volume) || !isLocalBindVolume(volume)) return volume;
  const device = rebasePath(volume.driver_opts.device, { fromDir: dir, toDir: dir, absolute: true });
  return { ...volume, driver_opts: { ...volume.driver_opts, device } } as T;
}

/**
 * Rebase a whole (included) project: every service, the `file:` of top-level secrets and configs
 * and the `device` of local bind volumes. A `build` mapping without `context` first gets `.`,
 * the included project's own directory (compose-go sets defaults before resolving the paths of
 * an included project; `extends` bases, see {@link rebaseService}, get no such default).
 */
export function rebaseModel(model: Plain, o: RebaseOptions): Plain {
  const out: Plain = { ...model };
  if (isPlainObject(model.services)) {
    const s: Plain = {};
    for (const [k, v] of Object.entries(model.services)) {
      const svc = isPlainObject(v) && isPlainObject(v.build) && (v.build.context === undefined || v.build.context === null) ? { ...v, build: { ...v.build, context: '.' } } : v;
      s[k] = rebaseService(svc, o);
    }
    out.services = s;
  }
  if (isPlainObject(model.volumes)) {
    const vols: Plain = {};
    for (const [k, v] of Object.entries(model.volumes)) {
      vols[k] = isPlainObject(v) && isLocalBindVolume(v) ? { ...v, driver_opts: { ...v.driver_opts, device: rebasePath(v.driver_opts.device, o) } } : v;
    }
    out.volumes = vols;
  }
  for (const section of ['secrets', 'configs'] as const) {
    if (!isPlainObject(model[section])) continue;
    const m: Plain = {};
    for (const [k, v] of Object.entries(model[section] as Plain)) {
      m[k] = isPlainObject(v) && typeof v.file === 'string' ? { ...v, file: rebasePath(v.file, o) } : v;
    }
    out[section] = m;
  }
  return out;
}
