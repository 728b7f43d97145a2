/**
 * `watch` (compose-behaviour.md §4): watches the `develop.watch` paths of the selected services
 * and, per batch of changes (500 ms quiet period), in compose's order: rebuilds the services of
 * `rebuild` rules (force-recreating only them, then restarting their `restart: true` dependents),
 * syncs files into the containers of `sync*` rules, restarts the services of `restart` /
 * `sync+restart` rules, and runs the `sync+exec` hooks once per rule in every container.
 * Messages go to `onMessage` (the CLI prints them under a `⦿` pseudo-service).
 */
import { CapstanError } from '../../errors.js';
import type { Engine, LogChunk } from '../../engine/types.js';
import type { Project } from '../../model/types.js';
import type { EventSink } from '../events.js';
import { runHook } from '../hooks.js';
import type { LogLine } from '../logs.js';
import { listProjectContainers, type ObservedContainer } from '../observed.js';
import { serviceImage } from '../naming.js';
import { Debouncer, LARGE_BATCH, QUIET_PERIOD_MS, systemClock, type Clock } from '../watch/batch.js';
import { compileRules, matchRules, verdict, type CompiledRule, type RuleVerdict } from '../watch/rules.js';
import { inParallel, preparePayload, syncContainers, SYNC_PARALLELISM, type PathMapping } from '../watch/sync.js';
import { parcelWatcher, type StartWatcher } from '../watch/watcher.js';
import { restartSelection } from './lifecycle.js';

/** What the watch loop needs from the Compose object. */
export interface WatchContext {
  engine: Engine;
  emit: EventSink;
  /** `build` of these services only (no dependencies). */
  build(project: Project, services: string[], signal?: AbortSignal): Promise<void>;
  /** Force-recreate these services (inheriting volumes), detached, without touching dependencies or building. */
  recreate(project: Project, services: string[], signal?: AbortSignal): Promise<void>;
  /** `restart` of these services (with their `restart: true` dependents unless `noDeps`). */
  restart(project: Project, services: string[], noDeps: boolean, signal?: AbortSignal): Promise<void>;
}

/** One rule's verdict on a changed path (`watch --dry-run`). */
export interface DryRunVerdict {
  service: string;
  /** Index in the service's `develop.watch`. */
  index: number;
  action: CompiledRule['action'];
  verdict: RuleVerdict;
}

/** Options of {@link watchProject}. */
export interface WatchOptions {
  /** Services to watch (all with `develop` when empty). */
  services?: string[];
  /** `--no-build`: refused when a rule rebuilds. */
  noBuild?: boolean;
  /** `--prune`: remove the image a rebuild replaced when it is left dangling. */
  prune?: boolean;
  /** `--dry-run`: report which rule each changed path triggers (to `onDryRun`); change nothing. */
  dryRun?: boolean;
  /** Ends the watch (Ctrl+C): resolves once the watcher is closed and the batch in hand is done. */
  signal?: AbortSignal;
  /** The `⦿ watch` lines: "Watch enabled", "Syncing service "web" after 3 changes were detected", … */
  onMessage?: (text: string) => void;
  /** Output of `sync+exec` hooks, as container log lines. */
  onLog?: (line: LogLine) => void;
  /** `dryRun`: a changed path and each rule whose path contains it (empty: no rule's path does). */
  onDryRun?: (path: string, verdicts: DryRunVerdict[]) => void;
  /** Called once the watches are in place (after the initial syncs). */
  onReady?: () => void;
  /** Quiet period before a batch is handled, ms (default 500). */
  quietPeriodMs?: number;
  /** Timers (tests). */
  clock?: Clock;
  /** The watcher (tests); @parcel/watcher by default. */
  startWatcher?: StartWatcher;
}

/** What one batch triggers, by service. */
export interface BatchActions {
  rebuild: Set<string>;
  sync: Map<string, { mappings: PathMapping[]; rules: Set<CompiledRule> }>;
  restart: Set<string>;
  /** Service → the `sync+exec` rules to run (each once). */
  exec: Map<string, CompiledRule[]>;
}

/** Groups the rules a batch of paths triggers by action and service (compose's `handleWatchBatch`). */
export function batchActions(rules: readonly CompiledRule[], paths: readonly string[]): BatchActions {
  const out: BatchActions = { rebuild: new Set(), sync: new Map(), restart: new Set(), exec: new Map() };
  for (const path of paths) {
    for (const { rule, containerPath } of matchRules(rules, path)) {
      if (rule.action === 'rebuild') {
        out.rebuild.add(rule.service);
        continue;
      }
      if (rule.action === 'restart') {
        out.restart.add(rule.service);
        continue;
      }
      let sync = out.sync.get(rule.service);
      if (!sync) out.sync.set(rule.service, (sync = { mappings: [], rules: new Set() }));
      if (!sync.mappings.some((m) => m.hostPath === path && m.containerPath === containerPath)) sync.mappings.push({ hostPath: path, containerPath: containerPath! });
      sync.rules.add(rule);
      if (rule.action === 'sync+restart') out.restart.add(rule.service);
      if (rule.action === 'sync+exec') {
        const list = out.exec.get(rule.service) ?? [];
        if (!list.includes(rule)) list.push(rule);
        out.exec.set(rule.service, list);
      }
    }
  }
  return out;
}

/** `["a" "b"]`: a list of service names as compose prints it (Go's `%q` of a slice). */
const quoted = (names: Iterable<string>): string => `[${[...names].sort().map((n) => JSON.stringify(n)).join(' ')}]`;

/**
 * Watches until `options.signal` aborts. Setup checks the rules ({@link compileRules}: warnings
 * become `warning` events), runs the initial syncs, starts the watcher, then says "Watch enabled".
 * A failing batch is reported (warning) and the watch goes on.
 *
 * @throws CapstanError VALIDATION / USAGE from {@link compileRules}; the watcher's error when a
 *   path cannot be watched.
 */
export async function watchProject(ctx: WatchContext, project: Project, options: WatchOptions = {}): Promise<void> {
  const setup = compileRules(project, { ...(options.services ? { services: options.services } : {}), ...(options.noBuild ? { noBuild: true } : {}) });
  for (const message of setup.warnings) ctx.emit({ type: 'warning', message });
  const say = (text: string): void => options.onMessage?.(text);
  const signal = options.signal;
  if (signal?.aborted) return;

  if (!options.dryRun) {
    for (const rule of setup.rules) {
      if (!rule.initialSync || (rule.action !== 'sync' && rule.action !== 'sync+restart')) continue;
      const payload = await preparePayload([{ hostPath: rule.path, containerPath: rule.target! }], (p) => verdict(rule, p).match);
      const containers = await running(ctx.engine, project.name, rule.service);
      await syncContainers(ctx.engine, rule.service, containers.map((c) => c.id), payload, signal);
    }
  }

  let chain: Promise<void> = Promise.resolve();
  const handle = (paths: string[]): void => {
    chain = chain.then(async () => {
      if (signal?.aborted) return;
      if (options.dryRun) {
        for (const path of paths) {
          const verdicts = setup.rules
            .map((rule) => ({ service: rule.service, index: rule.index, action: rule.action, verdict: verdict(rule, path) }))
            .filter((v) => v.verdict.match || v.verdict.reason !== 'outside');
          options.onDryRun?.(path, verdicts);
        }
        return;
      }
      try {
        await handleBatch(ctx, project, setup.rules, paths, options);
      } catch (e) {
        if (signal?.aborted) return;
        const message = e instanceof Error ? e.message : String(e);
        ctx.emit({ type: 'warning', message: `Error handling changed files: ${message}` });
        say(`Error handling changed files: ${message}`);
      }
    });
  };
  const debouncer = new Debouncer(handle, options.quietPeriodMs ?? QUIET_PERIOD_MS, options.clock ?? systemClock);
  let failure: Error | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const watcher = await (options.startWatcher ?? parcelWatcher)(
    setup.roots,
    (paths) => debouncer.add(paths),
    (error) => {
      failure = error;
      wake();
    },
  );
  try {
    say('Watch enabled');
    options.onReady?.();
    if (!signal?.aborted) await stopped;
  } finally {
    debouncer.close();
    await watcher.close();
    await chain;
  }
  if (failure) throw new CapstanError('ENGINE', `Watch disabled with errors: ${failure.message}`);
  say('Watch disabled');
}

/** The running containers of `service` (not one-offs). */
async function running(engine: Engine, project: string, service: string): Promise<ObservedContainer[]> {
  return (await listProjectContainers(engine, project, { all: false, services: [service] })).filter((c) => c.state === 'running');
}

/** One batch, in compose's order: rebuild, sync, restart, exec. */
async function handleBatch(ctx: WatchContext, project: Project, rules: readonly CompiledRule[], paths: string[], options: WatchOptions): Promise<void> {
  const say = (text: string): void => options.onMessage?.(text);
  const signal = options.signal;
  if (paths.length > LARGE_BATCH) {
    ctx.emit({ type: 'warning', message: `Very large batch of file changes detected: ${paths.length} files. This may impact performance.` });
    say('Large batch of file changes detected. If you just switched branches, this is expected.');
  }
  const actions = batchActions(rules, paths);

  if (actions.rebuild.size) {
    const services = [...actions.rebuild].sort();
    say(`Rebuilding service(s) ${quoted(services)} after changes were detected...`);
    const before = options.prune ? await imageIds(ctx.engine, project, services) : new Map<string, string>();
    try {
      await ctx.build(project, services, signal);
    } catch (e) {
      say(`Build failed. Error: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    say(`service(s) ${quoted(services)} successfully built`);
    await ctx.recreate(project, services, signal);
    // once the old containers are gone, their image is no longer in use
    if (options.prune) await pruneReplaced(ctx.engine, before, await imageIds(ctx.engine, project, services));
    const dependents = [...restartSelection(project, services).keys()].filter((s) => !actions.rebuild.has(s));
    if (dependents.length) await ctx.restart(project, dependents, true, signal);
  }

  for (const [service, { mappings, rules: used }] of [...actions.sync].sort(([a], [b]) => (a < b ? -1 : 1))) {
    say(`Syncing service "${service}" after ${mappings.length} changes were detected`);
    const accept = (host: string): boolean => [...used].some((r) => verdict(r, host).match);
    const payload = await preparePayload(mappings, accept);
    const containers = await running(ctx.engine, project.name, service);
    await syncContainers(ctx.engine, service, containers.map((c) => c.id), payload, signal);
  }

  if (actions.restart.size) {
    const services = [...actions.restart].sort();
    await ctx.restart(project, services, false, signal);
    say(`service(s) ${quoted(services)} restarted`);
  }

  const execs: { container: ObservedContainer; rule: CompiledRule }[] = [];
  for (const [service, list] of actions.exec) {
    const containers = await running(ctx.engine, project.name, service);
    for (const rule of list) for (const container of containers) execs.push({ container, rule });
  }
  await inParallel(execs, SYNC_PARALLELISM, async ({ container, rule }) => {
    const lines = lineSplitter((stream, text) => options.onLog?.({ container: container.name, service: container.service, stream, text }));
    try {
      await runHook(ctx.engine, container.id, rule.service, rule.exec!, { ...(signal ? { signal } : {}), onOutput: lines.push });
    } finally {
      lines.end();
    }
  });
}

/** Splits exec output into whole lines per stream. */
function lineSplitter(onLine: (stream: 'stdout' | 'stderr', text: string) => void): { push: (chunk: LogChunk) => void; end: () => void } {
  const partial = { stdout: '', stderr: '' };
  return {
    push: (chunk) => {
      const stream = chunk.stream === 'stderr' ? 'stderr' : 'stdout';
      const text = partial[stream] + chunk.data.toString('utf8');
      const parts = text.split('\n');
      partial[stream] = parts.pop() ?? '';
      for (const line of parts) onLine(stream, line.replace(/\r$/, ''));
    },
    end: () => {
      for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) onLine(stream, partial[stream]);
    },
  };
}

/** Image reference → image ID of these services' images (absent when missing). */
async function imageIds(engine: Engine, project: Project, services: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of services) {
    const ref = serviceImage(project.name, project.services[s]!);
    const id = (await engine.inspectImage(ref).catch(() => undefined))?.Id;
    if (id) out.set(ref, id);
  }
  return out;
}

/** `--prune`: removes the images a rebuild replaced, when nothing else tags them (dangling); errors are ignored (in use). */
async function pruneReplaced(engine: Engine, before: Map<string, string>, after: Map<string, string>): Promise<void> {
  for (const [ref, id] of before) {
    if (after.get(ref) === id) continue;
    const image = await engine.inspectImage(id).catch(() => undefined);
    if (!image || (image.RepoTags ?? []).length) continue;
    await engine.removeImage?.(id).catch(() => undefined);
  }
}
