import { createHash, randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapstanError } from '../errors.js';
import { sleep } from './wait.js';

/**
 * One Capstan at a time changes a project's resources on one engine (issue 13: two `up` at once
 * created two `<project>_default` networks).
 *
 * Why a lock file in the OS temp dir, not an engine-side marker: the engine offers no atomic
 * "create if absent" for a marker that carries an owner and goes away with it — network and
 * volume creation are not exclusive (that is the bug), and a marker container needs an image and
 * outlives a killed Capstan with no way to tell it is stale. A file created with `O_EXCL` is
 * atomic, holds the owner's PID, and a holder killed with SIGKILL is detected because that PID
 * no longer runs. Its limit: it serialises the Capstans of one host (one temp dir); runs on
 * other hosts against the same engine are not serialised — for those, `up` and `down` repair
 * what concurrency leaves (duplicate networks, see planner.ts `duplicateNetworks`).
 *
 * The second run waits (it does not refuse): `up` and `down` are idempotent, so once the first
 * is done the second converges from what the first left, with one container per service.
 */

/** Who holds a lock: what the lock file contains. */
export interface LockHolder {
  pid: number;
  project: string;
  engine: string;
  /** When it was taken, ms since the epoch. */
  since: number;
  /** Distinguishes two locks of one process. */
  token: string;
}

/** Options of {@link acquireProjectLock}. */
export interface ProjectLockOptions {
  /** Directory of the lock files; default the OS temp dir. */
  dir?: string;
  /** Aborting stops waiting (CANCELLED). */
  signal?: AbortSignal;
  /** Called once when the lock is held by another live process and this one starts waiting. */
  onWait?: (holder: LockHolder) => void;
  /** Poll interval while waiting, ms; default 100. */
  pollMs?: number;
}

/** The lock file of `project` on the engine `engine` (its endpoint URL). */
export function lockPath(engine: string, project: string, dir = tmpdir()): string {
  const key = createHash('sha256').update(`${engine}\n${project}`).digest('hex').slice(0, 16);
  return join(dir, `capstan-${key}.lock`);
}

/**
 * Take the lock of `project` on `engine`, waiting while another live process holds it. A lock
 * whose holder no longer runs (killed, crashed), or that is unreadable for more than 5 s, is
 * stale and taken over. Resolves a function releasing it (idempotent).
 *
 * @throws CapstanError CANCELLED when `signal` aborts while waiting; the file system's error when
 *   the lock file cannot be created (other than it existing).
 */
export async function acquireProjectLock(engine: string, project: string, options: ProjectLockOptions = {}): Promise<() => void> {
  const path = lockPath(engine, project, options.dir);
  const me: LockHolder = { pid: process.pid, project, engine, since: Date.now(), token: randomBytes(8).toString('hex') };
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new CapstanError('CANCELLED', 'cancelled');
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return release(path, me.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (holder === undefined ? olderThan(path, 5000) : !alive(holder.pid)) {
      breakStale(path, holder);
      continue;
    }
    if (!told && holder) {
      told = true;
      options.onWait?.(holder);
    }
    await sleep(options.pollMs ?? 100, options.signal);
  }
}

/** Remove the lock file if it is still ours. */
function release(path: string, token: string): () => void {
  let done = false;
  const unlock = (): void => {
    if (done) return;
    done = true;
    process.off('exit', unlock);
    const holder = readHolder(path);
    if (holder && holder !== 'gone' && holder.token === token) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  // a normal exit (an error, Ctrl+C) releases it; SIGKILL leaves it to the stale check
  process.on('exit', unlock);
  return unlock;
}

/** The holder, `undefined` when the file is unreadable (being written), `'gone'` when it vanished. */
function readHolder(path: string): LockHolder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this PID runs (EPERM: it runs as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

/**
 * Take a stale lock file out of the way: renamed aside (atomic: of two waiters that both found it
 * stale only one moves it), then dropped; when what was moved is no longer the stale holder (a
 * live process took the lock meanwhile), it is put back.
 */
function breakStale(path: string, stale: LockHolder | undefined): void {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another waiter moved it first
  }
  const moved = readHolder(aside);
  if (moved && moved !== 'gone' && stale && moved.token !== stale.token && alive(moved.pid)) {
    try {
      linkSync(aside, path); // never over a lock taken meanwhile (EEXIST)
    } catch {
      // a lock exists again: drop the moved one (its holder waits on ours, then converges)
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone
  }
}
