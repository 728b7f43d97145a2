/**
 * `cp SERVICE:SRC DEST` and `cp SRC SERVICE:DEST` (compose's `pkg/compose/cp.go`, with docker
 * cp's path rules): `GET /containers/{id}/archive` out of the service's first container, or
 * `PUT /containers/{id}/archive` into every container of the service (or container `index`).
 * `-` stands for a tar stream on stdout / stdin. An archive out of a container is checked
 * (../archive.ts) before anything is written: nothing lands outside DEST.
 *
 * Memory: an archive copied out of a container to a local path is held whole in memory (file
 * contents included) so that every entry and link can be checked against the archive's final
 * state before the first write; a copy into a container packs the local tree in memory, and
 * `-` as SRC reads all of stdin first (it is sent to each container). Only `SERVICE:SRC -`
 * streams. Copy very large trees through `-` (`capstan cp web:/data - | tar -x`), at your own risk.
 */
import { once } from 'node:events';
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, posix, resolve } from 'node:path';
import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { ContainerPathStat, Engine } from '../../engine/types.js';
import type { EventSink } from '../events.js';
import { checkArchive, extractArchive, packLocal, readTar, writeTar } from '../archive.js';
import { checkServices } from '../graph.js';
import { listProjectContainers, type ObservedContainer } from '../observed.js';

/** Options of {@link copyFiles} (`docker compose cp`'s flags, and where `-` reads and writes). */
export interface CopyOptions {
  /** `--index`: only container #N of the service (one-off containers excluded). */
  index?: number;
  /** `--all`: one-off `run` containers too. */
  all?: boolean;
  /** `-L`: follow SRC when it is a symbolic link (copy what it points to). */
  followLink?: boolean;
  /** `-a`: keep the uid/gid of copied files (copying into a container). */
  archive?: boolean;
  /** What `-` as SRC reads: a tar stream (required then). */
  stdin?: NodeJS.ReadableStream | Buffer;
  /** Where `-` as DEST writes the tar stream (required then). */
  stdout?: NodeJS.WritableStream;
  /** `--dry-run`: read and check everything, write nothing (neither locally nor into a container). */
  dryRun?: boolean;
  /** Directory relative local paths are resolved against; default `process.cwd()`. */
  cwd?: string;
  /** Aborts the archive download (GET /containers/{id}/archive); uploads are not interrupted. */
  signal?: AbortSignal;
}

/** What {@link copyFiles} did: the direction and the containers copied from or to. */
export interface CopyResult {
  direction: 'from-container' | 'to-container';
  containers: string[];
}

/** Go's `os.FileMode` bits in `X-Docker-Container-Path-Stat`. */
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const isDir = (s: ContainerPathStat | undefined): boolean => !!s && Math.floor(s.mode / MODE_DIR) % 2 === 1;
const isSymlink = (s: ContainerPathStat | undefined): boolean => !!s && Math.floor(s.mode / MODE_SYMLINK) % 2 === 1;

/**
 * Splits a `cp` operand: `SERVICE:PATH` names a service's path; an absolute path, one without
 * `:`, or one starting with `.` (`./a:b`) is local (docker compose's splitCpArg).
 */
export function splitCopyArg(arg: string): { service?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { path: arg };
  return { service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/**
 * Copies between a service's container and the local filesystem (or a tar stream with `-`).
 * Out of a container: the first container of the service; into one: every container (or
 * `index`). A symlink SRC is copied as the link unless `followLink`; a DEST that is the user's
 * symlink is followed (docker cp); links inside the archive never are. Holds archives in
 * memory (see the module's note).
 * @throws CapstanError USAGE for empty operands, both or neither naming a service, an unknown
 *   service, `-` without the stream, a directory onto a file; NOT_FOUND when the service has no
 *   (such) container or a path is missing; VALIDATION when the container's archive is unsafe
 *   (absolute name, `..`, a link leaving DEST); EngineError from the archive calls.
 */
export async function copyFiles(engine: Engine, emit: EventSink, project: Project, source: string, destination: string, options: CopyOptions = {}): Promise<CopyResult> {
  if (source === '') throw new CapstanError('USAGE', 'source can not be empty');
  if (destination === '') throw new CapstanError('USAGE', 'destination can not be empty');
  const from = splitCopyArg(source);
  const to = splitCopyArg(destination);
  if (from.service !== undefined && to.service !== undefined) throw new CapstanError('USAGE', 'copying between services is not supported');
  if (from.service === undefined && to.service === undefined) throw new CapstanError('USAGE', 'unknown copy direction: name a container path as SERVICE:PATH');
  const service = (from.service ?? to.service)!;
  checkServices(project, [service]);
  const direction = from.service !== undefined ? 'from-container' : 'to-container';
  let targets = await copyTargets(engine, project.name, service, options);
  if (direction === 'from-container') targets = targets.slice(0, 1);
  const cwd = options.cwd ?? process.cwd();
  const stdinTar = direction === 'to-container' && from.path === '-' ? await readAll(options.stdin) : undefined;
  await Promise.all(
    targets.map(async (c) => {
      const details = direction === 'from-container' ? `${c.name}:${from.path} to ${to.path}` : `${from.path} to ${c.name}:${to.path}`;
      emit({ type: 'progress', resource: 'container', id: c.name, status: `Copying ${details}`, done: false });
      const started = Date.now();
      if (direction === 'from-container') await copyFromContainer(engine, c.id, from.path, to.path, cwd, options);
      else await copyToContainer(engine, c.id, from.path, to.path, cwd, options, stdinTar);
      emit({ type: 'progress', resource: 'container', id: c.name, status: `Copied ${details}`, done: true, elapsed: (Date.now() - started) / 1000 });
    }),
  );
  return { direction, containers: targets.map((c) => c.name) };
}

/** The containers `cp` works on: container `index` (one-offs excluded), else every one of the service. */
async function copyTargets(engine: Engine, project: string, service: string, options: CopyOptions): Promise<ObservedContainer[]> {
  const index = options.index ?? 0;
  const containers = await listProjectContainers(engine, project, { all: true, oneoff: options.all === true && index === 0, services: [service] });
  if (index > 0) {
    const c = containers.find((x) => x.number === index && !x.oneoff);
    if (!c) throw new CapstanError('NOT_FOUND', `service "${service}" has no container #${index}`);
    return [c];
  }
  if (!containers.length) throw new CapstanError('NOT_FOUND', `no container found for service "${service}"`);
  return containers;
}

async function readAll(stream: NodeJS.ReadableStream | Buffer | undefined): Promise<Buffer> {
  if (!stream) throw new CapstanError('USAGE', 'cp -: no tar stream to read');
  if (Buffer.isBuffer(stream)) return stream;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Ends an archive stream not (fully) read: the engine's is the HTTP response, destroyed to close the connection. */
function release(content: AsyncIterable<Buffer>): void {
  const stream = content as Partial<NodeJS.ReadableStream & { destroy(): void }>;
  if (typeof stream.destroy === 'function') stream.destroy();
}

/** A local path made absolute, keeping a trailing `/` or `/.` (they change what is copied). */
function localPath(cwd: string, path: string): string {
  const abs = resolve(cwd, path);
  if (path.endsWith('/.')) return `${abs}/.`;
  if (path.endsWith('/')) return `${abs}/`;
  return abs;
}

async function copyFromContainer(engine: Engine, id: string, srcPath: string, destPath: string, cwd: string, options: CopyOptions): Promise<void> {
  if (!engine.getArchive || !engine.statContainerPath) throw new CapstanError('UNSUPPORTED', 'this engine cannot copy files out of a container');
  let path = srcPath;
  let rename: string | undefined;
  if (options.followLink) {
    const st = await engine.statContainerPath(id, path);
    if (st && isSymlink(st)) {
      const target = st.linkTarget.startsWith('/') ? st.linkTarget : posix.join(posix.dirname(path), st.linkTarget);
      rename = posix.basename(path);
      path = target;
    }
  }
  const archive = await engine.getArchive(id, path, options.signal);
  if (destPath === '-') {
    try {
      if (options.dryRun) return;
      if (!options.stdout) throw new CapstanError('USAGE', 'cp: no stream to write the tar to');
      const out = options.stdout;
      for await (const chunk of archive.content) {
        if (!out.write(chunk)) await once(out, 'drain'); // a slow reader holds the download back
      }
    } finally {
      release(archive.content); // dry run, no stdout, or the writer failed: close the connection
    }
    return;
  }
  const entries = await readTar(archive.content);
  const top = archive.stat.name;
  const checked = checkArchive(entries, top);
  const sourceIsDir = isDir(archive.stat);
  const dest = localPath(cwd, destPath);
  let bare = dest.replace(/\/\.?$/, '');
  const existing = await stat(bare).catch(() => undefined);
  // DEST an existing symlink: docker cp follows it (the user's own link), the archive never does
  if (existing && (await lstat(bare)).isSymbolicLink()) bare = await realpath(bare);
  let target: string;
  if (existing?.isDirectory()) {
    target = sourceIsDir && srcPath.endsWith('/.') ? bare : resolve(bare, rename ?? basename(top));
  } else if (existing) {
    if (sourceIsDir) throw new CapstanError('USAGE', `cannot copy a directory to a file: ${destPath}`);
    target = bare;
  } else {
    if (dest.endsWith('/') && !sourceIsDir) throw new CapstanError('NOT_FOUND', `destination directory "${destPath}" does not exist`);
    const parent = await stat(resolve(bare, '..')).catch(() => undefined);
    if (!parent?.isDirectory()) throw new CapstanError('NOT_FOUND', `no such directory: ${resolve(bare, '..')}`);
    target = bare;
  }
  if (!options.dryRun) await extractArchive(checked, target);
}

async function copyToContainer(engine: Engine, id: string, srcPath: string, destPath: string, cwd: string, options: CopyOptions, stdinTar: Buffer | undefined): Promise<void> {
  if (!engine.copyToContainer || !engine.statContainerPath) throw new CapstanError('UNSUPPORTED', 'this engine cannot copy files into a container');
  let destInfo = await engine.statContainerPath(id, destPath);
  let dest = destPath;
  if (destInfo && isSymlink(destInfo)) {
    dest = destInfo.linkTarget.startsWith('/') ? destInfo.linkTarget : posix.join(posix.dirname(destPath), destInfo.linkTarget);
    destInfo = await engine.statContainerPath(id, dest);
  }
  const copyOptions = { copyUIDGID: options.archive === true };
  if (stdinTar) {
    if (!isDir(destInfo)) throw new CapstanError('USAGE', `destination "${destPath}" must be a directory`);
    if (!options.dryRun) await engine.copyToContainer(id, dest, stdinTar, copyOptions);
    return;
  }
  const src = localPath(cwd, srcPath);
  const bare = src.replace(/\/\.?$/, '');
  const local = await (options.followLink ? stat(bare) : lstat(bare)).catch(() => undefined);
  if (!local) throw new CapstanError('NOT_FOUND', `no such file or directory: ${srcPath}`);
  const sourceIsDir = local.isDirectory();
  let dir: string;
  let name: string;
  if (destInfo && isDir(destInfo)) {
    dir = dest;
    name = sourceIsDir && src.endsWith('/.') ? '' : basename(bare);
  } else if (destInfo) {
    if (sourceIsDir) throw new CapstanError('USAGE', `cannot copy a directory to a file: ${destPath}`);
    dir = posix.dirname(dest);
    name = posix.basename(dest);
  } else {
    if (dest.endsWith('/') && !sourceIsDir) throw new CapstanError('NOT_FOUND', `destination directory "${destPath}" does not exist`);
    const trimmed = dest.replace(/\/+$/, '') || '/';
    dir = posix.dirname(trimmed);
    name = posix.basename(trimmed);
  }
  const tar = writeTar(await packLocal(bare, name, options.followLink === true));
  if (!options.dryRun) await engine.copyToContainer(id, dir, tar, copyOptions);
}
