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
 */

/** Options of `wait`. */
export interface WaitOptions {
  /** The services whose containers to wait for; all when absent or empty. */
  services?: string[];
  /** `--down-project`: stop waiting when the first container stops, then the caller tears the project down. */
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

/** Result of `wait`: the containers that stopped, in order, and the exit code `wait` ends with (the first one's). */
export interface WaitResult {
  exits: ContainerExit[];
  exitCode: number;
  /** With `downProject`: the plan of the teardown (run, or with `dryRun` only planned). */
  down?: Plan;
}

/**
 * Waits for the running containers of `options.services`: all of them, or with `downProject`
 * the first one only. The exit code is that of the first container to stop.
 *
 * @throws CapstanError USAGE `no such service: x`; NOT_FOUND `no containers for project "x"`
 *   when none runs; CANCELLED when `signal` aborts; EngineError from the daemon
 */
export async function waitForContainers(engine: Engine, project: Project, options: WaitOptions = {}): Promise<WaitResult> {
  checkServices(project, options.services);
  const containers = (await listProjectContainers(engine, project.name, { all: false, oneoff: true, services: options.services }))
    .filter((c) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused');
  if (!containers.length) throw new CapstanError('NOT_FOUND', `no containers for project "${project.name}"`);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exits: ContainerExit[] = [];
  try {
    const waits = containers.map(async (c) => {
      const exitCode = await engine.waitContainer(c.id, 'not-running', stop.signal);
      const exit = { id: c.id, name: c.name, service: c.service, exitCode };
      exits.push(exit);
      options.onExit?.(exit);
    });
    if (options.downProject) {
      await Promise.race(waits);
      stop.abort(); // the others are no longer waited for
      await Promise.allSettled(waits);
    } else {
      await Promise.all(waits);
    }
  } catch (err) {
    if (options.signal?.aborted) throw new CapstanError('CANCELLED', 'cancelled');
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return { exits, exitCode: exits[0]!.exitCode };
}
