/**
 * `attach SERVICE` (compose's `pkg/compose/attach_service.go`, docker's `container attach`) and
 * the attached session `run` shares: `POST /containers/{id}/attach` on a hijacked connection
 * (stdin streamed, then half-closed), output to the caller's streams or captured, a TTY resized
 * through `POST /containers/{id}/resize`, then the container's exit status.
 */
import { Readable, Transform } from 'node:stream';
import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { Engine } from '../../engine/types.js';
import { checkServices } from '../graph.js';
import { listProjectContainers, type ObservedContainer } from '../observed.js';
import { outputSink, stdinStream } from './exec.js';

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
  /**
   * `--detach-keys`: the key sequence (docker's syntax, see {@link detachKeyBytes}) that, typed on
   * `stdin` with a TTY, detaches; default {@link DEFAULT_DETACH_KEYS}. Also sent to dockerd.
   */
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

/** The engine's and the docker CLI's detach keys when none are given: ctrl-p then ctrl-q. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** `ctrl-@`, `ctrl-a` … `ctrl-z`, `ctrl-[`, `ctrl-\\`, `ctrl-]`, `ctrl-^`, `ctrl-_`: the control codes 0 … 31. */
const CTRL_KEYS = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/**
 * A detach-keys value as bytes, in docker's syntax (`docker attach --detach-keys`, the
 * `detachKeys` query of `POST /containers/{id}/attach`): comma-separated keys, each a single
 * character or `ctrl-` with one of `a`–`z`, `@`, `[`, `\`, `]`, `^`, `_`.
 * @throws CapstanError USAGE `invalid detach keys "x": unknown key "y"…` (dockerd refuses them too).
 */
export function detachKeyBytes(keys: string): Buffer {
  const bytes = keys.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const ctrl = key.startsWith('ctrl-') && key.length === 6 ? CTRL_KEYS.indexOf(key[5]!) : -1;
    if (ctrl < 0) {
      throw new CapstanError('USAGE', `invalid detach keys "${keys}": unknown key "${key}" (a character, or ctrl- with a-z, @, [, \\, ], ^ or _)`);
    }
    return ctrl;
  });
  return Buffer.from(bytes);
}

/**
 * Passes `input` on, less the detach key sequence (docker's escape proxy): bytes that may begin
 * it are held back until the sequence completes (then `onDetach` is called once, on the next turn
 * of the event loop so that the bytes before it are passed on first, and nothing more is read) or breaks (then they are passed on). At the end of `input` held bytes are passed on.
 */
export function escapeProxy(input: NodeJS.ReadableStream, keys: Buffer, onDetach: () => void): Readable {
  let matched = 0;
  let done = false;
  const proxy = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      if (done) return callback();
      const out: number[] = [];
      for (const byte of Buffer.from(chunk)) {
        if (byte === keys[matched]) {
          if (++matched < keys.length) continue;
          done = true;
          input.unpipe(proxy);
          if (out.length) this.push(Buffer.from(out));
          // once what came before the sequence went on
          setImmediate(onDetach);
          return callback();
        }
        if (matched) out.push(...keys.subarray(0, matched));
        matched = byte === keys[0] ? 1 : 0;
        if (!matched) out.push(byte);
      }
      callback(null, out.length ? Buffer.from(out) : undefined);
    },
    flush(callback) {
      callback(null, matched && !done ? keys.subarray(0, matched) : undefined);
    },
  });
  input.pipe(proxy);
  return proxy;
}

/**
 * Attach to a container, start it (`run`), pass its output on, and resolve its exit status once
 * it stopped (asked for before the start: `options.exited`, else `POST /containers/{id}/wait`
 * before the attach) — also when the output ended earlier (a container that closed its stdout
 * runs on). With a TTY and stdin attached, the detach keys (`detachKeys`, default
 * {@link DEFAULT_DETACH_KEYS}) typed on stdin are not passed on: the connection is closed there
 * and then, and the result is `detached` (exit 0) while the container runs on.
 * @throws CapstanError USAGE for invalid `detachKeys`; EngineError from the attach, the start or
 *   the wait; CapstanError CANCELLED when `signal` aborts.
 */
export async function attachedSession(engine: Engine, options: SessionOptions): Promise<AttachResult> {
  if (!engine.attachContainer) throw new CapstanError('UNSUPPORTED', 'this engine cannot attach to a container');
  const keys = detachKeyBytes(options.detachKeys ?? DEFAULT_DETACH_KEYS);
  const connection = new AbortController();
  const waitAbort = new AbortController();
  const onAbort = (): void => {
    connection.abort(options.signal?.reason);
    waitAbort.abort(options.signal?.reason);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let detached = false;
  let onDetach!: () => void;
  const detach = new Promise<void>((resolve) => {
    onDetach = () => {
      detached = true;
      resolve();
      connection.abort();
    };
  });
  try {
    const exited = options.exited ?? engine.waitContainer(options.id, 'not-running', waitAbort.signal);
    exited.catch(() => undefined);
    let stdin: NodeJS.ReadableStream | undefined;
    if (options.attachStdin) {
      stdin = stdinStream(options.stdin) ?? Readable.from([]);
      // docker detaches on a TTY only (dockerd's own escape proxy is for TTYs too): a pipe's bytes pass as they are
      if (options.tty) stdin = escapeProxy(stdin, keys, onDetach);
    }
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

    const out = outputSink(options);
    const ended = (async () => {
      for (let next = await first; !next.done; next = await iterator.next()) out.write(next.value);
      return exited;
    })();
    // once detached, the closed connection's error is expected
    const quiet = ended.catch((err: unknown) => {
      if (detached) return undefined;
      throw err;
    });
    const code = await Promise.race([quiet, detach.then(() => undefined)]);
    return {
      container: options.name,
      exitCode: detached || code === undefined ? 0 : code,
      ...out.text(),
      detached,
    };
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
