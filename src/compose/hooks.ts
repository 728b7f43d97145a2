/**
 * `post_start` / `pre_stop` lifecycle hooks (compose-behaviour.md §3.22): each hook is one
 * `docker exec` in the service's container — `post_start` right after the container starts,
 * `pre_stop` right before it is stopped. A non-zero exit fails the step with
 * `service "x" hook exited with status N`.
 */
import { CapstanError } from '../errors.js';
import type { Engine, LogChunk } from '../engine/types.js';
import type { ServiceConfig, ServiceHookConfig } from '../model/types.js';

/** One hook ready to run: the exec's command and settings. */
export interface ContainerHook {
  /** The command, split into words. */
  command: string[];
  user?: string;
  privileged?: boolean;
  working_dir?: string;
  /** `KEY=value` entries added to the container's environment for this process. */
  environment?: string[];
}

/** A service's hooks, in the order they run. */
export interface ContainerHooks {
  post_start: ContainerHook[];
  pre_stop: ContainerHook[];
}

/**
 * Normalises a service's `post_start` and `pre_stop` lists. A string command is shell-split, as
 * `command:` is; an environment list entry without `=` takes its value from `environment`
 * (the project's interpolation environment) and is dropped when unset there.
 * Returns `undefined` when the service has no hooks.
 *
 * @throws CapstanError VALIDATION for a hook without a command.
 */
export function serviceHooks(service: ServiceConfig, environment: Record<string, string> = {}): ContainerHooks | undefined {
  const post = hookList(service, 'post_start', environment);
  const pre = hookList(service, 'pre_stop', environment);
  if (!post.length && !pre.length) return undefined;
  return { post_start: post, pre_stop: pre };
}

function hookList(service: ServiceConfig, key: 'post_start' | 'pre_stop', environment: Record<string, string>): ContainerHook[] {
  const raw = service[key];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new CapstanError('VALIDATION', `service "${service.name}": ${key} must be a list of hooks`);
  return raw.map((item: ServiceHookConfig, i) => {
    const where = `service "${service.name}": ${key}[${i}]`;
    const command = Array.isArray(item?.command) ? item.command.map(String) : [];
    if (!command.length) throw new CapstanError('VALIDATION', `${where}: a hook needs a command`);
    const hook: ContainerHook = { command };
    if (item.user !== undefined && item.user !== null) hook.user = String(item.user);
    if (item.privileged === true) hook.privileged = true; // a boolean after loading
    if (item.working_dir) hook.working_dir = String(item.working_dir);
    const env = hookEnvironment(item.environment, environment);
    if (env.length) hook.environment = env;
    return hook;
  });
}

/**
 * A hook's `environment` as `KEY=value` entries; a bare `KEY` (or null value) takes its value from
 * `environment` (the project's) and is dropped when unset there.
 */
export function hookEnvironment(raw: ServiceHookConfig['environment'], environment: Record<string, string>): string[] {
  if (!raw) return [];
  const out: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === null || value === undefined) {
      if (Object.hasOwn(environment, key)) out.push(`${key}=${environment[key]}`);
    } else {
      out.push(`${key}=${typeof value === 'string' ? value : String(value)}`);
    }
  };
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq < 0) add(text, null);
      else out.push(text);
    }
  } else {
    for (const [k, v] of Object.entries(raw)) add(k, v);
  }
  return out;
}

/** The last bytes of a hook's output kept for error messages. */
const OUTPUT_TAIL_BYTES = 4096;
/** How long to wait for the exec to report its exit after its stream ended, in milliseconds. */
const EXIT_WAIT_MS = 5000;

/**
 * Runs one hook in `container` (`POST /containers/{id}/exec`, `POST /exec/{id}/start`,
 * `GET /exec/{id}/json`) and resolves with its output once it exited with status 0.
 * `onOutput`, when given, receives the output as it comes.
 *
 * @throws CapstanError ENGINE `service "x" hook exited with status N` (with the output's last
 *   lines as details); EngineError when the exec cannot be created (e.g. 409, not running).
 */
export async function runHook(
  engine: Engine,
  container: string,
  service: string,
  hook: ContainerHook,
  options: { signal?: AbortSignal; onOutput?: (chunk: LogChunk) => void } = {},
): Promise<string> {
  const execId = await engine.createExec(container, {
    cmd: hook.command,
    ...(hook.user ? { user: hook.user } : {}),
    ...(hook.privileged ? { privileged: true } : {}),
    ...(hook.working_dir ? { workingDir: hook.working_dir } : {}),
    ...(hook.environment ? { env: hook.environment } : {}),
    tty: false,
  });
  let tail = Buffer.alloc(0);
  for await (const chunk of engine.startExec(execId, { tty: false, ...(options.signal ? { signal: options.signal } : {}) })) {
    options.onOutput?.(chunk);
    tail = Buffer.concat([tail, chunk.data]);
    if (tail.length > OUTPUT_TAIL_BYTES) tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
  }
  let info = await engine.inspectExec(execId);
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (info.Running && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    info = await engine.inspectExec(execId);
  }
  const output = tail.toString('utf8');
  const code = info.ExitCode ?? 0;
  if (info.Running || code !== 0) {
    const lines = output.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(-3);
    throw new CapstanError('ENGINE', `service "${service}" hook exited with status ${info.Running ? 'unknown (still running)' : code}`, {
      details: lines,
      hint: `the hook ran: ${hook.command.join(' ')}`,
    });
  }
  return output;
}

/** Runs `hooks` one after the other in `container`; the first failure stops the rest. */
export async function runHooks(
  engine: Engine,
  container: string,
  service: string,
  hooks: readonly ContainerHook[],
  options: { signal?: AbortSignal; onOutput?: (chunk: LogChunk) => void } = {},
): Promise<void> {
  for (const hook of hooks) await runHook(engine, container, service, hook, options);
}
