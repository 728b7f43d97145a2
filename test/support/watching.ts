import type { Compose } from '../../src/compose/compose.js';
import type { LogLine } from '../../src/compose/logs.js';
import type { DryRunVerdict, WatchOptions } from '../../src/compose/verbs/watch.js';
import type { StartWatcher } from '../../src/compose/watch/watcher.js';
import type { Project } from '../../src/model/types.js';

/** A fake watcher for `Compose.watch`: `change(paths)` reports changes as @parcel/watcher would. */
export function fakeWatcher(): { start: StartWatcher; change: (paths: string[]) => void; roots: string[][]; closed: () => boolean } {
  let report: (paths: string[]) => void = () => {};
  const roots: string[][] = [];
  let closed = false;
  return {
    start: async (r, onPaths) => {
      roots.push(r);
      report = onPaths;
      return { close: async () => void (closed = true) };
    },
    change: (paths) => report(paths),
    roots,
    closed: () => closed,
  };
}

/** Resolves once `cond()` holds, polling every 5 ms; throws after `ms` milliseconds. */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Starts `compose.watch` on `p` with a fake watcher and a 5 ms quiet period, collecting its
 * messages, log lines and dry-run verdicts; `stop()` ends it and resolves its promise.
 */
export function watching(compose: Compose, p: Project, options: WatchOptions = {}) {
  const watcher = fakeWatcher();
  const messages: string[] = [];
  const logs: LogLine[] = [];
  const dry: [string, DryRunVerdict[]][] = [];
  const stop = new AbortController();
  let ready = false;
  const done = compose.watch(p, {
    quietPeriodMs: 5,
    startWatcher: watcher.start,
    signal: stop.signal,
    onMessage: (m) => messages.push(m),
    onLog: (l) => logs.push(l),
    onDryRun: (path, v) => dry.push([path, v]),
    onReady: () => (ready = true),
    ...options,
  });
  return { watcher, messages, logs, dry, done, stop: () => (stop.abort(), done), ready: () => until(() => ready) };
}
