import type { Engine } from '../engine/types.js';
import { listProjectContainers } from './observed.js';

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
}

/** Options of {@link streamLogs}: `logs -f`, `--tail`, `-t`, `--since` (Unix seconds). */
export interface FollowOptions {
  follow?: boolean;
  tail?: number | 'all';
  timestamps?: boolean;
  /** Unix seconds. */
  since?: number;
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
      tty: Boolean((await engine.inspectContainer(c.id)).Config?.Tty),
    })),
  );
}
