/**
 * `attach SERVICE` (compose's `pkg/compose/attach_service.go`, docker's `container attach`) and
 * the attached session `run` shares: `POST /containers/{id}/attach` on a hijacked connection
 * (stdin streamed, then half-closed), output to the caller's streams or captured, a TTY resized
 * through `POST /containers/{id}/resize`, then the container's exit status.
 */
import { Readable } from 'node:stream';
import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { Engine } from '../../engine/types.js';
import { checkServices } from '../graph.js';
import { listProjectContainers, type ObservedContainer } from '../observed.js';
import { sleep } from '../wait.js';

/** A container the caller is attached to: what signal forwarding (`--sig-proxy`) needs. */
export interface AttachedContainer {
  id: string;
  name: string;
  /** `POST /containers/{id}/kill?signal=…`: forward a signal (name such as `SIGINT`, or number). */
  kill(signal: string): Promise<void>;
}

/** Where an attached container's streams go, and the hooks a terminal needs (`run`, `attach`). */
export interface AttachStreams {
  /** Sent to the container's stdin (when it is attached); its end half-closes it. None: EOF at once. */
  stdin?: string | Buffer | NodeJS.ReadableStream;
  /** Where stdout goes (with a TTY: everything); when absent it is captured into the result. */
  stdout?: NodeJS.WritableStream;
  /** Where stderr goes; when absent it is captured into the result. */
  stderr?: NodeJS.WritableStream;
  /** Called once attached to a TTY: resize it (characters) as the local terminal changes. */
  onTty?: (resize: (size: { height: number; width: number }) => Promise<void>) => void;
  /** Called once the container runs attached: forward signals through `kill` (sig-proxy). */
  onAttached?: (container: AttachedContainer) => void;
  /** `--detach-keys`: the key sequence that detaches (the engine's `ctrl-p,ctrl-q` by default). */
  detachKeys?: string;
  /** Aborting closes the connection (CANCELLED). */
  signal?: AbortSignal;
}

/** Options of {@link attachToService} (`docker compose attach`'s flags). */
export interface AttachOptions extends AttachStreams {
  /** `--index`: which replica (`com.docker.compose.container-number`); default the lowest number. */
  index?: number;
  /** `--no-stdin`: do not attach stdin. */
  noStdin?: boolean;
}

/** What an attached session ended with (`run`, `attach`). */
export interface AttachResult {
  /** The container's name. */
  container: string;
  /** The container's exit status; 0 when detached. */
  exitCode: number;
  /** Captured output (UTF-8) when no stream was given. */
  stdout: string;
  stderr: string;
  /** The detach keys were typed: the container still runs. */
  detached: boolean;
}

/** How {@link attachedSession} runs: the container, its TTY, and what starts it (run). */
export interface SessionOptions extends AttachStreams {
  id: string;
  name: string;
  /** The container's `Config.Tty`. */
  tty: boolean;
  /** Attach stdin (the container has `OpenStdin`). */
  attachStdin: boolean;
  /** `run`: starts the container once attached (attach-then-start loses no output). */
  start?: () => Promise<void>;
  /** `run`: the exit status, asked for before the start (`wait?condition=next-exit|removed`). */
  exited?: Promise<number>;
}

/** How long after the output ended the exit status may take before a running container counts as detached. */
const DETACH_GRACE_MS = 1500;

/**
 * Attach to a container, start it (`run`), pass its output on until the engine closes the stream,
 * and resolve its exit status; a container still running then was detached from (exit 0).
 * @throws EngineError from the attach or the start; CapstanError CANCELLED when `signal` aborts.
 */
export async function attachedSession(engine: Engine, options: SessionOptions): Promise<AttachResult> {
  if (!engine.attachContainer) throw new CapstanError('UNSUPPORTED', 'this engine cannot attach to a container');
  const connection = new AbortController();
  const onAbort = (): void => connection.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const waitAbort = new AbortController();
  try {
    const given = options.stdin;
    const stdin = options.attachStdin
      ? typeof given === 'string' || Buffer.isBuffer(given) ? Readable.from([Buffer.from(given)]) : (given ?? Readable.from([]))
      : undefined;
    const output = await engine.attachContainer(options.id, {
      tty: options.tty,
      ...(stdin ? { stdin } : {}),
      ...(options.detachKeys ? { detachKeys: options.detachKeys } : {}),
      signal: connection.signal,
    });
    const iterator = output[Symbol.asyncIterator]();
    // the connection is open: from here on, a failure must close it
    const first = iterator.next();
    first.catch(() => undefined);
    try {
      await options.start?.();
    } catch (err) {
      connection.abort(err);
      throw err;
    }
    if (options.tty && options.onTty && engine.resizeContainer) {
      const resize = engine.resizeContainer.bind(engine);
      options.onTty((size) => resize(options.id, size).catch(() => undefined));
    }
    options.onAttached?.({ id: options.id, name: options.name, kill: (signal) => engine.killContainer(options.id, signal) });

    const captured = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    for (let next = await first; !next.done; next = await iterator.next()) {
      const chunk = next.value;
      const sink = options[chunk.stream];
      if (sink) sink.write(chunk.data);
      else captured[chunk.stream].push(Buffer.from(chunk.data));
    }
    const result: AttachResult = {
      container: options.name,
      exitCode: 0,
      stdout: Buffer.concat(captured.stdout).toString('utf8'),
      stderr: Buffer.concat(captured.stderr).toString('utf8'),
      detached: false,
    };
    const exited = options.exited ?? engine.waitContainer(options.id, 'not-running', waitAbort.signal);
    exited.catch(() => undefined);
    // the stream closes a moment before the engine records the exit; still running after that: detached
    const code = await Promise.race([exited, sleep(DETACH_GRACE_MS, waitAbort.signal).then(() => undefined, () => undefined)]);
    if (code !== undefined) return { ...result, exitCode: code };
    const info = await engine.inspectContainer(options.id).catch(() => undefined);
    if (info?.State?.Running) return { ...result, detached: true };
    if (info) return { ...result, exitCode: info.State?.ExitCode ?? 0 };
    return { ...result, exitCode: await exited };
  } finally {
    waitAbort.abort();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The running container of `service` that `attach` picks: number `index`, or the lowest-numbered
 * one, service containers before one-off `run` containers (compose's `getSpecifiedContainer`).
 * @throws CapstanError NOT_FOUND `service "x" is not running [container #N]`.
 */
export async function runningContainer(engine: Engine, project: string, service: string, index?: number): Promise<ObservedContainer> {
  const running = await listProjectContainers(engine, project, { all: false, oneoff: true, services: [service] });
  const candidates = running
    .filter((c) => !index || (!c.oneoff && c.number === index))
    .sort((a, b) => Number(a.oneoff) - Number(b.oneoff) || a.number - b.number);
  const found = candidates[0];
  if (!found) throw new CapstanError('NOT_FOUND', index ? `service "${service}" is not running container #${index}` : `service "${service}" is not running`);
  return found;
}

/**
 * `attach SERVICE`: attaches to the service's running container (`--index`), stdin too unless
 * `noStdin` or the container was not created with `stdin_open`; resolves when it stops (its exit
 * status) or is detached from.
 * @throws CapstanError USAGE `no such service: x`; NOT_FOUND when it does not run; EngineError.
 */
export async function attachToService(engine: Engine, project: Project, service: string, options: AttachOptions = {}): Promise<AttachResult> {
  checkServices(project, [service]);
  const container = await runningContainer(engine, project.name, service, options.index);
  const info = await engine.inspectContainer(container.id);
  return attachedSession(engine, {
    ...options,
    id: container.id,
    name: container.name,
    tty: info.Config?.Tty === true,
    attachStdin: !options.noStdin && info.Config?.OpenStdin === true,
  });
}
