/**
 * `exec SERVICE CMD…` (compose's `pkg/compose/exec.go`): runs a command in one running container
 * of a service — `POST /containers/{id}/exec`, then `POST /exec/{id}/start` on a hijacked
 * connection (stdin streamed, then half-closed), then `GET /exec/{id}/json` for the exit code.
 * The library captures stdout/stderr into the result; the CLI passes streams instead.
 */
import { Readable } from 'node:stream';
import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { Engine, LogChunk } from '../../engine/types.js';
import { listProjectContainers } from '../observed.js';

/** Options of {@link execInService} (`docker compose exec`'s flags, and where the streams go). */
export interface ExecOptions {
  /** `--index`: which replica (`com.docker.compose.container-number`); default 1. */
  index?: number;
  /** `-d`: start the command and return at once (exit code 0, nothing captured). */
  detach?: boolean;
  /** `-e KEY=VAL` (or `KEY`: the value from `lookupEnv`, dropped when unset), added to the container's environment. */
  env?: string[];
  /** Where `-e KEY` values come from; default `process.env`. */
  lookupEnv?: Record<string, string | undefined>;
  /** `--privileged`. */
  privileged?: boolean;
  /** `-u`: `user[:group]`. */
  user?: string;
  /** `-w`: working directory inside the container. */
  workingDir?: string;
  /** Allocate a TTY (the CLI's default when stdout is a terminal; `-T` turns it off). Default false. */
  tty?: boolean;
  /** What the process reads; EOF when it ends (none: EOF at once). */
  stdin?: string | Buffer | NodeJS.ReadableStream;
  /** Where stdout goes; when absent it is captured into {@link ExecResult.stdout}. */
  stdout?: NodeJS.WritableStream;
  /** Where stderr goes; when absent it is captured into {@link ExecResult.stderr}. */
  stderr?: NodeJS.WritableStream;
  /** Called once the process runs with a TTY: resize it (characters) as the terminal changes. */
  onTty?: (resize: (size: { height: number; width: number }) => Promise<void>) => void;
  /** Aborting closes the connection (CANCELLED). */
  signal?: AbortSignal;
  /**
   * `--dry-run`: find the container (the same errors as a real run) and run nothing; the result
   * is exit code 0 with nothing captured (as compose's dry-run client, whose exec does nothing).
   */
  dryRun?: boolean;
}

/** What {@link execInService} resolves: the process's exit status and what was captured (UTF-8). */
export interface ExecResult {
  /** The container the command ran (or, with `dryRun`, would run) in. */
  container: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * `-e` values as the Engine API's `Env` (`KEY=value`): `KEY` alone takes its value from
 * `lookup` and is dropped when unset (compose resolves `-e` against the OS environment).
 */
export function execEnv(env: readonly string[], lookup: Record<string, string | undefined>): string[] {
  return env.flatMap((e) => {
    if (e.includes('=')) return [e];
    const value = lookup[e];
    return value === undefined ? [] : [`${e}=${value}`];
  });
}

/** What a caller gives as stdin, as a stream (a string or Buffer is its one chunk); none stays none. */
export function stdinStream(given: string | Buffer | NodeJS.ReadableStream | undefined): NodeJS.ReadableStream | undefined {
  return typeof given === 'string' || Buffer.isBuffer(given) ? Readable.from([Buffer.from(given)]) : given;
}

/**
 * Where a process's output chunks go (`exec`, `attach`): to `sinks.stdout`/`sinks.stderr`, or
 * captured for the streams without one; `text()` is what was captured so far (UTF-8).
 */
export function outputSink(sinks: { stdout?: NodeJS.WritableStream | undefined; stderr?: NodeJS.WritableStream | undefined }): {
  write(chunk: LogChunk): void;
  text(): { stdout: string; stderr: string };
} {
  const captured = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  return {
    write(chunk) {
      const sink = sinks[chunk.stream];
      if (sink) sink.write(chunk.data);
      else captured[chunk.stream].push(Buffer.from(chunk.data));
    },
    text: () => ({ stdout: Buffer.concat(captured.stdout).toString('utf8'), stderr: Buffer.concat(captured.stderr).toString('utf8') }),
  };
}

/**
 * Runs `command` in container #`index` of `service` in `project`.
 * A service of a profile not enabled now is accepted (as compose, which looks only for the running
 * container): `--profile debug up` then `exec debug-shell …` works without `--profile`.
 * @throws CapstanError USAGE `no such service: x` for a service the project lacks, enabled or
 *   not; NOT_FOUND
 *   `service "x" is not running container #N` when no such container runs; EngineError from
 *   the exec calls; UNSUPPORTED when the engine cannot attach stdin.
 */
export async function execInService(engine: Engine, project: Project, service: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
  if (!Object.hasOwn(project.services, service) && !Object.hasOwn(project.disabledServices, service)) {
    throw new CapstanError('USAGE', `no such service: ${service}`);
  }
  const index = options.index ?? 1;
  const running = await listProjectContainers(engine, project.name, { all: false, services: [service] });
  const container = running.find((c) => c.number === index);
  if (!container) throw new CapstanError('NOT_FOUND', `service "${service}" is not running container #${index}`);
  const result: ExecResult = { container: container.name, exitCode: 0, stdout: '', stderr: '' };
  if (options.dryRun) return result;
  const tty = options.tty ?? false;
  const execId = await engine.createExec(container.id, {
    cmd: command,
    attachStdin: !options.detach,
    tty,
    ...(options.user ? { user: options.user } : {}),
    ...(options.privileged ? { privileged: true } : {}),
    ...(options.workingDir ? { workingDir: options.workingDir } : {}),
    env: execEnv(options.env ?? [], options.lookupEnv ?? process.env),
  });
  if (options.detach) {
    if (!engine.startExecDetached) throw new CapstanError('UNSUPPORTED', 'this engine cannot start a detached exec');
    await engine.startExecDetached(execId, { tty });
    return result;
  }
  if (!engine.attachExec) throw new CapstanError('UNSUPPORTED', 'this engine cannot attach to an exec');
  const stdin = stdinStream(options.stdin);
  const output = engine.attachExec(execId, { tty, ...(stdin ? { stdin } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  if (tty && options.onTty && engine.resizeExec) {
    const resize = engine.resizeExec.bind(engine);
    options.onTty((size) => resize(execId, size).catch(() => undefined));
  }
  const out = outputSink(options);
  for await (const chunk of output) out.write(chunk);
  Object.assign(result, out.text());
  // the stream may end a moment before dockerd records the exit
  let info = await engine.inspectExec(execId);
  for (let i = 0; i < 100 && info.Running && info.ExitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await engine.inspectExec(execId);
  }
  result.exitCode = info.ExitCode ?? 0;
  return result;
}
