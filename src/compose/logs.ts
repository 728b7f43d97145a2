import { setMaxListeners } from 'node:events';
import { CapstanError, EngineError } from '../errors.js';
import type { Engine } from '../engine/types.js';
import { Label } from './labels.js';
import { listProjectContainers } from './observed.js';
import { sleep } from './wait.js';

/**
 * Container output as whole lines, for `logs` and attached `up`. A line is never split: partial
 * lines are buffered per container and stream until the newline arrives (or the stream ends).
 */
export interface LogLine {
  /** Container name, e.g. `shop-web-1`. */
  container: string;
  service: string;
  stream: 'stdout' | 'stderr';
  /** The line without its trailing newline. With timestamps, starts with the RFC 3339 stamp. */
  text: string;
}

/** A container to read logs from. */
export interface LogSource {
  id: string;
  name: string;
  service: string;
  tty: boolean;
  /** The replica number (`com.docker.compose.container-number`), when known. */
  number?: number;
}

/** Options of {@link streamLogs}: `logs -f`, `--tail`, `-t`, `--since`, `--until`. */
export interface FollowOptions {
  follow?: boolean;
  tail?: number | 'all';
  timestamps?: boolean;
  /** Unix seconds (fractions allowed), or an RFC 3339 date, as the Engine API takes it. */
  since?: number | string;
  /** Only lines before this time: Unix seconds (fractions allowed) or an RFC 3339 date. */
  until?: number | string;
  signal?: AbortSignal;
}

/**
 * Stream one container's logs as lines into `onLine`. Resolves when the stream ends (the
 * container stopped, or `follow` is off and everything was read) or `signal` aborts.
 */
export async function streamLogs(
  engine: Engine,
  source: LogSource,
  onLine: (line: LogLine) => void,
  options: FollowOptions,
): Promise<void> {
  const partial = { stdout: '', stderr: '' };
  const emit = (stream: 'stdout' | 'stderr', text: string): void =>
    onLine({ container: source.name, service: source.service, stream, text: text.replace(/\r$/, '') });
  try {
    for await (const chunk of engine.containerLogs(source.id, {
      follow: options.follow,
      tail: options.tail,
      timestamps: options.timestamps,
      since: options.since,
      until: options.until,
      tty: source.tty,
      signal: options.signal,
    })) {
      const text = partial[chunk.stream] + chunk.data.toString('utf8');
      const lines = text.split('\n');
      partial[chunk.stream] = lines.pop() ?? '';
      for (const line of lines) emit(chunk.stream, line);
    }
  } catch (err) {
    if (!options.signal?.aborted) throw err;
  }
  for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) emit(stream, partial[stream]);
}

/** The project's service containers (not one-offs), optionally only some services, with their TTY flag. */
export async function projectContainers(
  engine: Engine,
  project: string,
  options: { services?: string[]; all?: boolean } = {},
): Promise<LogSource[]> {
  const containers = await listProjectContainers(engine, project, options);
  // The list entry does not say whether a container has a TTY, which decides how logs are framed.
  return Promise.all(
    containers.map(async (c) => ({
      id: c.id,
      name: c.name,
      service: c.service,
      number: c.number,
      tty: Boolean((await engine.inspectContainer(c.id)).Config?.Tty),
    })),
  );
}

/** Options of {@link projectLogs}: {@link FollowOptions} plus which containers. */
export interface ProjectLogsOptions extends FollowOptions {
  /** Only these services' containers; all when absent or empty. */
  services?: string[];
  /** `--index`: only replica #index of the one service in `services`. */
  index?: number;
  /**
   * With `follow`: a followed container stopped (its `die` event), as compose's `logs -f` prints
   * `web-1 exited with code N`, with ` (restarting)` when the engine is starting it again (an
   * inspection after the event says running or restarting, as compose's monitor decides).
   */
  onExit?: (exit: LogExit) => void;
}

/** A container that stopped while `logs -f` followed it (see {@link ProjectLogsOptions.onExit}). */
export interface LogExit {
  /** Container name, e.g. `shop-web-1`. */
  container: string;
  service: string;
  exitCode: number;
  /** The engine is restarting it (restart policy, or `restart`): its logs go on. */
  restarting: boolean;
}

/**
 * `logs`: the lines of the project's service containers (not one-off `run` ones) into `onLine`.
 *
 * With `follow`, it also follows the containers of the selected services that start, or start
 * again, after it began (found on the project's engine events, `GET /events`, asked from just
 * before the listing so none is missed; a restarted container is read from its last `die`
 * event's time, so no line is shown twice or lost), and it ends when the project is gone —
 * every container of those services removed (compose's own `logs -f` ends once they all
 * stopped; the issue asks for removed) — or when `signal` aborts. The events stream and every
 * log stream are closed on each of those paths. Without `follow`, it ends once every
 * container's logs are read. `since`/`until` are the Engine API's (Unix seconds; compose.ts
 * reads the CLI's forms).
 *
 * @throws CapstanError USAGE when `index` is given without exactly one service; NOT_FOUND when
 *   that service has no container #index; EngineError from the daemon
 */
export async function projectLogs(
  engine: Engine,
  project: string,
  onLine: (line: LogLine) => void,
  options: ProjectLogsOptions = {},
): Promise<void> {
  const services = options.services ?? [];
  if (options.index !== undefined && services.length !== 1) {
    throw new CapstanError('USAGE', '--index requires one service to be selected');
  }
  const wanted = (service: string, number: number | undefined): boolean =>
    (!services.length || services.includes(service)) && (options.index === undefined || number === options.index);
  // events from before the listing: a container that starts in between is not missed
  const eventsSince = (Date.now() / 1000).toFixed(3);
  const sources = (await projectContainers(engine, project, { services })).filter((s) => wanted(s.service, s.number));
  if (options.index !== undefined && !sources.length) {
    throw new CapstanError('NOT_FOUND', `service "${services[0]}" has no container #${options.index}`);
  }
  if (!options.follow) {
    // each stream listens on the signal: more than 10 of them would make Node warn of a leak
    if (options.signal && sources.length > 5) setMaxListeners(0, options.signal);
    await Promise.all(sources.map((s) => streamLogs(engine, s, onLine, options)));
    return;
  }
  if (!sources.length) return; // nothing to follow: the project is gone already

  const stop = new AbortController();
  // the events stream and every follower listen on it (Node warns past 10 listeners)
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const existing = new Set(sources.map((s) => s.id));
  const followers = new Map<string, { kicked: boolean }>();
  /** The followers still running (each removes itself when it ends: a long `-f` does not accumulate them). */
  const running = new Set<Promise<void>>();
  let failure: unknown;

  /**
   * Where a container's next run starts in its log, by ID: the daemon's time of its last `die`
   * event (or of the listing, for a container known then). `StartedAt` would not do: a process
   * prints before the daemon records it. A container created after `logs` began has no entry:
   * its whole log is new.
   */
  const resumeFrom = new Map<string, string>(sources.map((s) => [s.id, eventsSince]));

  /**
   * Follows one container until it stops for good. A start event that arrives while it is being
   * read ("kicked") is followed, once the stream of the previous run has ended, from the previous
   * run's end; `StartedAt` tells a new run from the one just read.
   */
  const follow = (id: string, initial: LogSource | undefined): void => {
    const known = followers.get(id);
    if (known) {
      known.kicked = true;
      return;
    }
    const state = { kicked: false };
    followers.set(id, state);
    const task: Promise<void> = (async () => {
      try {
        let info = await engine.inspectContainer(id);
        const source: LogSource = initial ?? {
          id,
          name: (info.Name ?? id).replace(/^\//, ''),
          service: info.Config?.Labels?.[Label.service] ?? '',
          tty: Boolean(info.Config?.Tty),
        };
        let from: FollowOptions = initial ? options : { ...options, since: resumeFrom.get(id) };
        for (;;) {
          const streamed = info.State?.StartedAt;
          state.kicked = false;
          await streamLogs(engine, source, onLine, { ...from, follow: true, signal: stop.signal });
          if (stop.signal.aborted) return;
          info = await engine.inspectContainer(id);
          // a start event for a run not visible yet: look again, briefly (a replayed start of
          // the run just read never shows a new StartedAt)
          for (let i = 0; i < 10 && state.kicked && info.State?.StartedAt === streamed && !stop.signal.aborted; i++) {
            await sleep(50, stop.signal);
            info = await engine.inspectContainer(id);
          }
          if (!state.kicked || info.State?.StartedAt === streamed) return;
          from = { ...options, since: resumeFrom.get(id) };
        }
      } catch (err) {
        // a container removed while we looked is simply gone
        if (!stop.signal.aborted && !(err instanceof EngineError && err.statusCode === 404)) throw err;
      } finally {
        followers.delete(id);
      }
    })().catch((err: unknown) => {
      if (stop.signal.aborted || (err instanceof EngineError && err.statusCode === 404)) return;
      failure ??= err;
      stop.abort();
    }).finally(() => running.delete(task));
    running.add(task);
  };

  try {
    for (const s of sources) follow(s.id, s);
    const events = engine.events({
      filters: { label: [`${Label.project}=${project}`], type: ['container'] },
      since: eventsSince,
      signal: stop.signal,
    });
    for await (const e of events) {
      const attrs = e.Actor?.Attributes ?? {};
      const id = e.Actor?.ID;
      if (!id || attrs[Label.oneoff] === 'True') continue;
      if (!wanted(attrs[Label.service] ?? '', Number(attrs[Label.containerNumber] ?? 0))) continue;
      if (e.Action === 'create') {
        existing.add(id);
        resumeFrom.delete(id);
      } else if (e.Action === 'die') {
        const nano = e.timeNano ?? (e.time ?? 0) * 1e9;
        if (nano) resumeFrom.set(id, (nano / 1e9).toFixed(9));
        if (options.onExit) options.onExit(await exitOf(engine, id, attrs));
      } else if (e.Action === 'start') {
        existing.add(id);
        follow(id, undefined);
      } else if (e.Action === 'destroy') {
        existing.delete(id);
        if (!existing.size) stop.abort(); // the project is gone
      }
      if (stop.signal.aborted) break;
    }
    // the followers end on their own once their containers are gone
    while (running.size) await Promise.all([...running]);
    if (failure) throw failure;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await Promise.allSettled([...running]);
  }
}

/** A `die` event as {@link LogExit}: name, service and exit code from its attributes; restarting from an inspection. */
async function exitOf(engine: Engine, id: string, attrs: Record<string, string>): Promise<LogExit> {
  let restarting = false;
  try {
    const state = (await engine.inspectContainer(id)).State;
    restarting = Boolean(state?.Restarting || state?.Running);
  } catch (err) {
    if (!(err instanceof EngineError && err.statusCode === 404)) throw err; // removed: not restarting
  }
  return { container: attrs.name ?? id, service: attrs[Label.service] ?? '', exitCode: Number(attrs.exitCode ?? 0), restarting };
}
