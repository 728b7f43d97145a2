/**
 * The file watcher: @parcel/watcher (native; inotify on Linux, FSEvents on macOS,
 * ReadDirectoryChangesW on Windows). It holds one watch per directory, not per file, and walks a
 * 20 000-file tree in about 0.2 s (bench/watch.mjs; chokidar 4 took 3.3 s and one watch per file).
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';

/** A running watch. */
export interface FileWatcher {
  /** Stops watching (releases every inotify watch). */
  close(): Promise<void>;
}

/** Starts a watcher: `start(roots, onPaths, onError)`. Injected in tests. */
export type StartWatcher = (roots: string[], onPaths: (paths: string[]) => void, onError: (error: Error) => void) => Promise<FileWatcher>;

const within = (root: string, p: string): boolean => {
  if (p === root) return true;
  const rel = relative(root, p);
  return Boolean(rel) && !rel.startsWith('..') && !isAbsolute(rel);
};

/** The directory to subscribe to for `path`: itself when a directory, else its nearest existing parent directory. */
function watchableDir(path: string): string {
  let p = path;
  for (;;) {
    try {
      if (statSync(p).isDirectory()) return p;
    } catch {
      // missing: try the parent
    }
    const parent = dirname(p);
    if (parent === p) return p;
    p = parent;
  }
}

/**
 * Watches `roots` (absolute directories or files, missing ones through their nearest existing
 * parent) and reports the changed paths (created, updated or deleted) under them. `.git`
 * directories are not watched. Resolves once every watch is in place.
 *
 * @throws the watcher's error when a directory cannot be watched (e.g. inotify limits).
 */
export const parcelWatcher: StartWatcher = async (roots, onPaths, onError) => {
  const { subscribe } = await import('@parcel/watcher');
  const dirs = [...new Set(roots.map(watchableDir))];
  const subscriptions = await Promise.all(
    dirs.map((dir) =>
      subscribe(
        dir,
        (err, events) => {
          if (err) return onError(err);
          const paths = events.map((e) => e.path).filter((p) => roots.some((r) => within(r, p)));
          if (paths.length) onPaths(paths);
        },
        { ignore: ['**/.git'] },
      ),
    ),
  );
  return {
    close: async () => {
      await Promise.all(subscriptions.map((s) => s.unsubscribe().catch(() => undefined)));
    },
  };
};
