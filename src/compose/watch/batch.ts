/**
 * Batching of file events (compose-behaviour.md §4 "Batching"): events are deduplicated by path
 * and handed over once nothing happened for a quiet period (500 ms), so an editor saving many
 * files, or a `git checkout`, is one batch.
 */

/** Compose's quiet period, in milliseconds. */
export const QUIET_PERIOD_MS = 500;
/** Batches larger than this (paths) are warned about. */
export const LARGE_BATCH = 1000;

/** A timer source (injected in tests). */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers. */
export const systemClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Collects changed paths; `onBatch` receives them (sorted, each once) after `quietMs` without a
 * new one. {@link flush} hands over what is pending at once; {@link close} drops it.
 */
export class Debouncer {
  private pending = new Set<string>();
  private timer: unknown;
  private closed = false;

  constructor(
    private readonly onBatch: (paths: string[]) => void,
    private readonly quietMs: number = QUIET_PERIOD_MS,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Adds changed paths and restarts the quiet period. */
  add(paths: Iterable<string>): void {
    if (this.closed) return;
    let added = false;
    for (const p of paths) {
      this.pending.add(p);
      added = true;
    }
    if (!added) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.flush(), this.quietMs);
  }

  /** Hands the pending paths to `onBatch` now (nothing when none). */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.size || this.closed) return;
    const batch = [...this.pending].sort();
    this.pending = new Set();
    this.onBatch(batch);
  }

  /** Stops: pending paths are dropped, later ones ignored. */
  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.closed = true;
  }
}
