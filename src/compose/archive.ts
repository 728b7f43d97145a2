/**
 * Tar archives for `cp` (Engine API `GET`/`PUT /containers/{id}/archive`): reading one into
 * entries, checking that an archive from a container cannot write outside the destination,
 * extracting it, and packing a local path. Archives coming out of a container are untrusted:
 * {@link checkArchive} refuses absolute entry names, `..` components, entries outside the copied
 * path, and symbolic or hard links whose target leaves the destination — before anything is
 * written; {@link extractArchive} then checks again, against the real filesystem, each directory
 * it writes into. Uncompressed POSIX/PAX tar only (what the engine speaks).
 */
import { lstat, mkdir, readdir, readFile, readlink, realpath, stat, symlink, link, unlink, utimes, writeFile, chmod, lutimes } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { Header, Parser, Pax } from 'tar';
import { CapstanError } from '../errors.js';

/** The kinds of entry `cp` handles; anything else (devices, FIFOs) is `other` and skipped. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One archive member. `path` as written in the archive (`/`-separated); `data` for files. */
export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Permission bits (`0o755`). */
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  /** Symlink target, or (hard link) the archive path of the linked member. */
  linkpath?: string;
  data?: Buffer;
}

/** An entry of a checked archive: `rel` is its path below the destination (`''`: the destination itself). */
export interface CheckedEntry extends TarEntry {
  rel: string;
}

const TYPES: Record<string, TarEntryType> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

/**
 * Reads a whole tar (buffer or byte stream) into entries, file contents in memory (so memory
 * grows with the archive: {@link checkArchive} needs every entry before the first write).
 * Names are as node-tar reports them after PAX and GNU long-name headers (a NUL ends a name).
 * @throws CapstanError ENGINE when the archive is malformed.
 */
export async function readTar(source: Buffer | AsyncIterable<Buffer | Uint8Array>): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const parser = new Parser({ strict: true });
  parser.on('entry', (e) => {
    const chunks: Buffer[] = [];
    const entry: TarEntry = {
      path: e.path,
      type: TYPES[e.type] ?? 'other',
      mode: (e.mode ?? 0o644) & 0o7777,
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? new Date(0),
      ...(e.linkpath ? { linkpath: e.linkpath } : {}),
    };
    entries.push(entry);
    e.on('data', (c: Buffer) => chunks.push(c));
    e.on('end', () => {
      if (entry.type === 'file') entry.data = Buffer.concat(chunks);
    });
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : Readable.from(source);
    parser.on('error', (err: Error) => {
      input.destroy(); // stop reading (and close) the source
      reject(new CapstanError('ENGINE', `bad tar archive: ${err.message}`, { cause: err }));
    });
    input.on('error', (err) => reject(err));
    input.pipe(parser);
  });
  return entries;
}

/** Writes entries as an uncompressed tar (PAX headers for long names), ending with the two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type === 'file' ? 'File' : e.type === 'directory' ? 'Directory' : e.type === 'symlink' ? 'SymbolicLink' : 'Link';
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const fields = {
      path: e.type === 'directory' && !e.path.endsWith('/') ? `${e.path}/` : e.path,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: data.length,
      mtime: e.mtime,
      type,
      ...(e.linkpath !== undefined ? { linkpath: e.linkpath } : {}),
    } as const;
    const header = new Header(fields);
    if (header.encode()) blocks.push(new Pax(fields).encode());
    blocks.push(header.block!);
    if (data.length) {
      blocks.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The `/`-separated components of a relative path, without empty and `.` components. */
function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** Before anything is written ({@link checkArchive}). */
const NOTHING_WRITTEN = 'the archive came from the container and is not trusted; nothing was written';
/** Refused during {@link extractArchive}: earlier entries are already in DEST. */
const PARTLY_WRITTEN = 'the archive came from the container and is not trusted; entries before this one were written inside DEST, nothing outside it';
/** An absolute symlink target: what the user can do instead. */
const ABSOLUTE_LINK_HINT =
  'nothing was written; an absolute link target would point outside DEST once copied: copy the file the link ' +
  'points to (its path, or `-L` when SRC itself is the link), or take the raw tar with `cp SERVICE:SRC -` (written unchecked)';

function refuse(entry: string, why: string, hint = NOTHING_WRITTEN): CapstanError {
  return new CapstanError('VALIDATION', `refusing to extract archive entry "${entry}": ${why}`, { hint });
}

/**
 * Resolves `path` starting in directory `base` (components below the destination) the way the
 * filesystem would after extraction, following the archive's own symlinks (`links`: their
 * rel path → target); `follow` also follows a symlink in the last component. Resolves the
 * components reached, or `undefined` when the path leaves the destination (an absolute target,
 * `..` above it, or more than 40 hops).
 */
function resolveInside(links: ReadonlyMap<string, string>, base: readonly string[], path: string, follow: boolean): string[] | undefined {
  if (path.startsWith('/')) return undefined;
  const stack = [...base];
  const queue = path.split('/').filter((c) => c !== '' && c !== '.');
  let hops = 0;
  while (queue.length) {
    const c = queue.shift()!;
    if (c === '..') {
      if (!stack.length) return undefined;
      stack.pop();
      continue;
    }
    stack.push(c);
    const target = links.get(stack.join('/'));
    if (target !== undefined && (queue.length > 0 || follow)) {
      if (++hops > 40 || target.startsWith('/')) return undefined;
      stack.pop();
      queue.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
    }
  }
  return stack;
}

/**
 * Checks an archive of the container path whose base name is `top` before anything is written,
 * and resolves each entry's path below the destination (`top` itself becomes `''`; with `top`
 * `''` or `.`, entries are the destination's contents). Refused, naming the entry: an absolute
 * name; a `..` component; a name outside `top`; a symlink whose target is absolute or resolves
 * (through the archive's other symlinks) outside the destination; a hard link to such a place.
 * Links are judged against the archive's final state, so a later entry cannot re-point a path
 * an earlier one was checked through. A hard link to an earlier symlink is a copy of that link
 * (link(2) does not follow it), so it is returned and checked as a symlink from its own directory.
 * A NUL byte in a name or target is refused. When the archive's top is itself a symlink (SRC is
 * a link and `-L` was not given: docker cp copies the link), it must be the only entry and its
 * target relative, not climbing above the directory DEST is written in. An absolute symlink
 * target is always refused; the error's hint says what to do instead (`-L`, or `cp SERVICE:SRC -`).
 * @throws CapstanError VALIDATION naming the entry and the reason.
 */
export function checkArchive(entries: readonly TarEntry[], top: string): CheckedEntry[] {
  const topParts = components(top);
  const checked: CheckedEntry[] = [];
  /** The last entry seen at each rel path so far (a hard link names an earlier entry). */
  const seen = new Map<string, CheckedEntry>();
  for (const e of entries) {
    if (e.path.includes('\0') || e.linkpath?.includes('\0')) throw refuse(e.path.replaceAll('\0', '\\0'), 'a NUL byte in its name or link target');
    if (e.path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(e.path)) throw refuse(e.path, 'absolute path');
    const parts = e.path.split(/[\\/]/);
    if (parts.includes('..')) throw refuse(e.path, 'path contains ".."');
    const clean = components(e.path);
    if (topParts.some((p, i) => clean[i] !== p)) throw refuse(e.path, `outside the copied path "${top}"`);
    const rel = clean.slice(topParts.length).join('/');
    if (e.type === 'hardlink' && e.linkpath !== undefined) {
      const target = e.linkpath;
      if (target.startsWith('/') || target.split(/[\\/]/).includes('..')) throw refuse(e.path, `hard link to "${target}" leaves the destination`);
      const t = components(target);
      if (topParts.some((p, i) => t[i] !== p)) throw refuse(e.path, `hard link to "${target}" leaves the destination`);
      const linked = seen.get(t.slice(topParts.length).join('/'));
      // a hard link to a symlink is that symlink again, resolved from its new directory: check it as one
      const entry: CheckedEntry = linked?.type === 'symlink' ? { ...e, rel, type: 'symlink', linkpath: linked.linkpath ?? '' } : { ...e, rel, linkpath: t.slice(topParts.length).join('/') };
      checked.push(entry);
      seen.set(rel, entry);
    } else {
      checked.push({ ...e, rel });
      seen.set(rel, checked.at(-1)!);
    }
  }
  const topLink = checked.find((e) => e.rel === '' && e.type === 'symlink');
  if (topLink) {
    // SRC is itself a link (no -L): docker copies the link; DEST becomes it, nothing may be written through it
    const below = checked.find((e) => e.rel !== '');
    if (below) throw refuse(below.path, `"${topLink.path}" is a symbolic link; nothing can be extracted below it`);
    const target = topLink.linkpath ?? '';
    if (target.startsWith('/')) throw refuse(topLink.path, `symbolic link to the absolute path "${target}" would point outside DEST`, ABSOLUTE_LINK_HINT);
    if (!resolveInside(new Map(), [], target, true)) throw refuse(topLink.path, `symbolic link to "${target}" leaves the directory DEST is written in`, 'copy with `-L` to get the file the link points to');
    return checked;
  }
  const links = new Map<string, string>();
  for (const e of checked) {
    if (e.type === 'symlink') links.set(e.rel, e.linkpath ?? '');
    else links.delete(e.rel);
  }
  for (const e of checked) {
    const dir = e.rel === '' ? [] : components(e.rel).slice(0, -1);
    const parent = resolveInside(links, [], dir.join('/'), true);
    if (!parent) throw refuse(e.path, 'its directory is a symbolic link leaving the destination');
    if (e.type === 'symlink') {
      const target = e.linkpath ?? '';
      if (target.startsWith('/')) throw refuse(e.path, `symbolic link to the absolute path "${target}" leaves the destination`, ABSOLUTE_LINK_HINT);
      if (!resolveInside(links, parent, target, true)) throw refuse(e.path, `symbolic link to "${target}" leaves the destination`);
    }
    if (e.type === 'hardlink' && !resolveInside(links, [], e.linkpath ?? '', true)) {
      throw refuse(e.path, `hard link to "${e.linkpath}" leaves the destination`);
    }
  }
  return checked;
}

/** `path`, or its closest ancestor that exists. */
async function nearestExisting(path: string): Promise<string> {
  for (let p = path; ; p = join(p, '..')) {
    if (await lstat(p).then(() => true, () => false)) return p;
    if (p === join(p, '..')) return p;
  }
}

/** Whether `path` is `root` or below it (both real, absolute paths). */
function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Writes checked entries to `destination` (an entry with `rel` `''` is the destination itself;
 * its parent must exist). Before each write, the real path of the directory written into must be
 * inside the destination (defence in depth over {@link checkArchive}); an existing file or
 * symlink at an entry's path is replaced, never written through; DEST itself, when a symlink not
 * replaced by the archive's top entry, is refused rather than followed. Owners are not changed.
 * Devices and FIFOs are skipped.
 * @throws CapstanError VALIDATION when a write would land outside; Node errors from the filesystem.
 */
export async function extractArchive(entries: readonly CheckedEntry[], destination: string): Promise<void> {
  const parentReal = await realpath(join(destination, '..'));
  const dest = join(parentReal, basename(destination));
  let rootReal: string | undefined;
  /** DEST's real path, once it must exist; a symlink there (not replaced by the archive's top entry) is not followed. */
  const root = async (entry: string): Promise<string> => {
    if (rootReal === undefined) {
      if ((await lstat(dest).catch(() => undefined))?.isSymbolicLink()) throw refuse(entry, `"${dest}" is a symbolic link; it would be written through it`, PARTLY_WRITTEN);
      rootReal = await realpath(dest);
    }
    return rootReal;
  };
  const dirTimes: Array<[string, Date]> = [];
  for (const e of entries) {
    if (e.type === 'other') continue;
    const target = e.rel === '' ? dest : join(dest, ...components(e.rel));
    const dir = join(target, '..');
    if (e.rel !== '') {
      const real = await root(e.path);
      if (!within(real, await realpath(await nearestExisting(dir)))) throw refuse(e.path, 'it would be written outside the destination', PARTLY_WRITTEN);
      await mkdir(dir, { recursive: true });
      if (!within(real, await realpath(dir))) throw refuse(e.path, 'it would be written outside the destination', PARTLY_WRITTEN);
    }
    const existing = await lstat(target).catch(() => undefined);
    if (e.type === 'directory') {
      if (existing && !existing.isDirectory()) await unlink(target);
      if (!existing?.isDirectory()) await mkdir(target);
      await chmod(target, e.mode & 0o777);
      dirTimes.push([target, e.mtime]);
      continue;
    }
    if (existing?.isDirectory()) throw new CapstanError('CONFLICT', `cannot overwrite directory "${target}" with a non-directory`);
    if (existing) await unlink(target);
    if (e.type === 'file') {
      await writeFile(target, e.data ?? Buffer.alloc(0), { mode: e.mode & 0o777, flag: 'wx' });
      await chmod(target, e.mode & 0o777);
      await utimes(target, e.mtime, e.mtime);
    } else if (e.type === 'symlink') {
      await symlink(e.linkpath ?? '', target);
      await lutimes(target, e.mtime, e.mtime).catch(() => undefined);
    } else {
      const source = e.linkpath ? join(dest, ...components(e.linkpath)) : dest;
      if (!within(await root(e.path), await realpath(source))) throw refuse(e.path, `hard link to "${e.linkpath}" leaves the destination`, PARTLY_WRITTEN);
      await link(source, target);
    }
  }
  // directories last, deepest first: writing into them changed their times
  for (const [dir, mtime] of dirTimes.reverse()) await utimes(dir, mtime, mtime).catch(() => undefined);
}

/**
 * Entries for the local path `source`, named `name` at the top of the archive (`''`: the
 * contents of a directory at the top). Symlinks inside are kept as links; `followLink` follows
 * `source` itself when it is one (`cp -L`). Files are read into memory.
 * @throws Node errors (ENOENT) when `source` does not exist.
 */
export async function packLocal(source: string, name: string, followLink: boolean): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const walk = async (path: string, archivePath: string, top: boolean): Promise<void> => {
    const st = top && followLink ? await stat(path) : await lstat(path);
    const common = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      if (archivePath !== '') entries.push({ path: archivePath, type: 'directory', ...common });
      for (const child of (await readdir(path)).sort()) await walk(join(path, child), archivePath === '' ? child : `${archivePath}/${child}`, false);
    } else if (st.isSymbolicLink()) {
      entries.push({ path: archivePath, type: 'symlink', linkpath: await readlink(path), ...common });
    } else if (st.isFile()) {
      entries.push({ path: archivePath, type: 'file', data: await readFile(path), ...common });
    }
  };
  await walk(source, name, true);
  return entries;
}
