import type { Plan } from '../plan.js';
import { CapstanError } from '../../errors.js';
import type { Engine } from '../../engine/types.js';
import type { Project } from '../../model/types.js';
import { checkServices } from '../graph.js';
import { listProjectContainers } from '../observed.js';

/**
 * `wait SERVICE... [--down-project]` (docker compose's pkg/compose/wait.go): block until the
 * running containers of the services (one-off `run` containers included) stop, each through
 * `POST /containers/{id}/wait?condition=not-running`.
 *
 * As compose's code does (whatever its `--down-project` help says, "when the first container
 * stops"), the wait always lasts until every selected container stopped; `--down-project` then
 * takes the project down; the exit code is that of the container that stopped last (compose
 * keeps the status of each container as it stops, so the last one wins). With one container —
 * the usual `wait SERVICE` — it is that container's exit code.
 */

/** Options of `wait`. */
export interface WaitOptions {
  /** The services whose containers to wait for; all when absent or empty. */
  services?: string[];
  /** `--down-project`: once the containers stopped, the caller takes the project down (`down --remove-orphans`). */
  downProject?: boolean;
  /** Called as each container stops (compose prints `container "ID" exited with status code N`). */
  onExit?: (exit: ContainerExit) => void;
  /** Ctrl+C: stop waiting (CANCELLED). */
  signal?: AbortSignal;
  /** `--dry-run`: with `downProject`, the wait is real but the teardown is only planned ({@link WaitResult.down}). */
  dryRun?: boolean;
}

/** A container that stopped. */
export interface ContainerExit {
  id: string;
  name: string;
  service: string;
  exitCode: number;
}

/** Result of `wait`: the containers that stopped, in order, and the exit code `wait` ends with (the last one's). */
export interface WaitResult {
  exits: ContainerExit[];
  exitCode: number;
  /** With `downProject`: the plan of the teardown (run, or with `dryRun` only planned). */
  down?: Plan;
}

/**
 * Waits until every running container of `options.services` stopped. The exit code is that of
 * the last one to stop, as compose's.
 *
 * @throws CapstanError USAGE `no such service: x`; NOT_FOUND `no containers for project "x"`
 *   when none runs; CANCELLED when `signal` aborts; EngineError from the daemon
 */
export async function waitForContainers(engine: Engine, project: Project, options: WaitOptions = {}): Promise<WaitResult> {
  checkServices(project, options.services);
  const containers = (await listProjectContainers(engine, project.name, { all: false, oneoff: true, services: options.services }))
    .filter((c) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused');
  if (!containers.length) throw new CapstanError('NOT_FOUND', `no containers for project "${project.name}"`);
  // one failed wait ends the others (their requests are closed), as compose's errgroup
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const exits: ContainerExit[] = [];
  try {
    await Promise.all(
      containers.map(async (c) => {
        const exitCode = await engine.waitContainer(c.id, 'not-running', stop.signal);
        const exit = { id: c.id, name: c.name, service: c.service, exitCode };
        exits.push(exit);
        options.onExit?.(exit);
      }),
    );
  } catch (err) {
    stop.abort();
    if (options.signal?.aborted) throw new CapstanError('CANCELLED', 'cancelled');
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return { exits, exitCode: exits[exits.length - 1]!.exitCode };
}
