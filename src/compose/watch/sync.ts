/**
 * Copying changed files into containers (compose-behaviour.md §4 "Per batch" step 2): paths
 * deleted on the host are removed with `exec rm -rf <paths>`, the others are sent as one tar
 * extracted at `/` (`PUT /containers/{id}/archive?path=/`), up to 16 containers at a time.
 */
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError, EngineError } from '../../errors.js';
import type { Engine } from '../../engine/types.js';
import { writeTar, type TarEntry } from '../archive.js';
import { runHook } from '../hooks.js';

/** A host path and where it goes in the container (absolute, `/`-separated). */
export interface PathMapping {
  hostPath: string;
  containerPath: string;
}

/** Containers synced at the same time. */
export const SYNC_PARALLELISM = 16;

/** What one service's sync sends: tar entries (paths relative to `/`) and container paths to delete. */
export interface SyncPayload {
  entries: TarEntry[];
  deletions: string[];
}

/**
 * Reads the host side of `mappings`: files, symlinks and directories (walked; a child is kept when
 * `accept(hostPath)` says so — the rule's ignore patterns) become tar entries named by their
 * container path; a path that no longer exists becomes a deletion.
 */
export async function preparePayload(mappings: readonly PathMapping[], accept: (hostPath: string) => boolean = () => true): Promise<SyncPayload> {
  const entries: TarEntry[] = [];
  const deletions: string[] = [];
  const seen = new Set<string>();
  const add = async (host: string, container: string, top: boolean): Promise<void> => {
    if (seen.has(container)) return;
    let st;
    try {
      st = await lstat(host);
    } catch {
      if (top) deletions.push(container);
      return;
    }
    seen.add(container);
    const name = container.replace(/^\/+/, '');
    const common = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      if (name) entries.push({ path: name, type: 'directory', ...common });
      for (const child of (await readdir(host).catch(() => [] as string[])).sort()) {
        const childHost = join(host, child);
        if (!accept(childHost)) continue;
        await add(childHost, `${container.replace(/\/+$/, '')}/${child}`, false);
      }
    } else if (st.isSymbolicLink()) {
      entries.push({ path: name, type: 'symlink', linkpath: await readlink(host), ...common });
    } else if (st.isFile()) {
      const data = await readFile(host).catch(() => undefined);
      if (data === undefined) {
        if (top) deletions.push(container);
        return;
      }
      entries.push({ path: name, type: 'file', data, ...common });
    }
  };
  for (const m of mappings) await add(m.hostPath, m.containerPath, true);
  return { entries, deletions: [...new Set(deletions)].sort() };
}

/**
 * Applies `payload` to each of `containers` (IDs), {@link SYNC_PARALLELISM} at a time: the
 * deletions first (`exec rm -rf`), then the tar (`PUT /containers/{id}/archive?path=/`, owners
 * kept, as compose's `CopyUIDGID`); when the daemon refuses it, it is sent again without its
 * directory entries (a directory cannot replace a symlink to one).
 *
 * @throws CapstanError ENGINE when `rm` fails; the engine's error when the copy is refused.
 */
export async function syncContainers(engine: Engine, service: string, containers: readonly string[], payload: SyncPayload, signal?: AbortSignal): Promise<void> {
  const tar = payload.entries.length ? writeTar(payload.entries) : undefined;
  // without directory entries: the daemon refuses a directory over a symlink to one (noOverwriteDirNonDir)
  const withoutDirs = payload.entries.some((e) => e.type === 'directory') ? payload.entries.filter((e) => e.type !== 'directory') : undefined;
  const copy = async (id: string, archive: Buffer): Promise<void> => {
    if (engine.copyToContainer) await engine.copyToContainer(id, '/', archive, { copyUIDGID: true });
    else await engine.putArchive(id, '/', archive);
  };
  const one = async (id: string): Promise<void> => {
    // a failed removal does not stop the copy (compose collects both errors)
    let removal: CapstanError | undefined;
    if (payload.deletions.length) {
      await runHook(engine, id, service, { command: ['rm', '-rf', ...payload.deletions] }, signal ? { signal } : {}).catch((e: unknown) => {
        removal = new CapstanError('ENGINE', `service "${service}": removing deleted files failed`, { details: [e instanceof Error ? e.message : String(e)] });
      });
    }
    if (tar) {
      try {
        await copy(id, tar);
      } catch (e) {
        if (!withoutDirs || !(e instanceof EngineError) || e.statusCode === 404) throw e;
        if (withoutDirs.length) await copy(id, writeTar(withoutDirs));
      }
    }
    if (removal) throw removal;
  };
  await inParallel(containers, SYNC_PARALLELISM, one);
}

/** Runs `fn` over `items`, at most `limit` at a time; the first failure rejects (after the others settle). */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
