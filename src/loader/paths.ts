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

function isRemote(p: string): boolean {
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
    b.context = rebasePath(typeof b.context === 'string' ? b.context : '.', o);
    if (isPlainObject(b.additional_contexts)) {
      const ac: Plain = {};
      for (const [k, v] of Object.entries(b.additional_contexts)) {
        ac[k] = typeof v === 'string' && !v.includes(':') ? rebasePath(v, o) : v;
      }
      b.additional_contexts = ac;
    }
    out.build = b;
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

/** Rebase every service and the `file:` of top-level secrets and configs of a raw model. */
export function rebaseModel(model: Plain, o: RebaseOptions): Plain {
  const out: Plain = { ...model };
  if (isPlainObject(model.services)) {
    const s: Plain = {};
    for (const [k, v] of Object.entries(model.services)) s[k] = rebaseService(v, o);
    out.services = s;
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
