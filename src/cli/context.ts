import { CapstanError } from '../errors.js';
import type { LoadOptions } from '../loader/index.js';
import type { Project } from '../model/types.js';
import { EngineClient } from '../engine/client.js';
import { Compose } from '../compose/index.js';
import { colorsFor } from '../ui/colors.js';
import { createProgress, type ProgressRenderer } from '../ui/progress.js';
import { loadFromGlobals, type GlobalOptions } from './globals.js';

export type { GlobalOptions } from './globals.js';
export { loadFromGlobals } from './globals.js';

/**
 * The project for commands that also work without a compose file (`down`, `ps`, `logs`):
 * loaded from files when there are some; with `-p` and no file, rebuilt from labels.
 */
export async function loadOrLabels(g: GlobalOptions, compose: Compose, overrides: Partial<LoadOptions> = {}): Promise<Project> {
  try {
    return await loadFromGlobals(g, overrides);
  } catch (err) {
    const projectName = g.projectName ?? process.env.COMPOSE_PROJECT_NAME;
    if (projectName && !g.file?.length && err instanceof CapstanError && err.code === 'NO_CONFIG_FILE') {
      return compose.projectFromLabels(projectName);
    }
    throw err;
  }
}

/**
 * The service-name check of the read-only verbs (`ps`, `top`, `port`, `images`, `volumes`): a name
 * of the project, enabled or in a disabled profile, passes.
 * @throws CapstanError USAGE `no such service: x` for the first other name
 */
export function checkServiceNames(project: Project, services: readonly string[]): void {
  for (const s of services) {
    if (!(s in project.services) && !(s in project.disabledServices)) throw new CapstanError('USAGE', `no such service: ${s}`);
  }
}

/**
 * When the project name is known before the compose file is read (`-p`, `COMPOSE_PROJECT_NAME`),
 * start observing it now: the engine round trips then overlap with loading the file.
 */
export function prefetchFor(g: GlobalOptions, compose: Compose): void {
  const name = g.projectName ?? process.env.COMPOSE_PROJECT_NAME;
  if (name) compose.prefetch(name);
}

/** What a command needs to talk to the engine: a Compose object and its progress renderer. */
export interface Session {
  compose: Compose;
  progress: ProgressRenderer;
}

/** An engine client, a Compose object, and the progress renderer on stderr. */
export function session(g: GlobalOptions, title = 'Running'): Session {
  const colors = colorsFor(process.stderr, g.ansi);
  const progress = createProgress(g.progress ?? 'auto', process.stderr, colors, title);
  const compose = new Compose({ engine: EngineClient.fromEnvironment(), events: progress, concurrency: g.parallel });
  return { compose, progress };
}

/**
 * Ctrl+C handling (compose-behaviour.md §3.16): the first SIGINT/SIGTERM aborts `signal`
 * (graceful), the second aborts `force`, the third exits at once with 130.
 */
export function interruptSignals(): { signal: AbortSignal; force: AbortSignal; dispose: () => void } {
  const graceful = new AbortController();
  const force = new AbortController();
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) graceful.abort();
    else if (count === 2) force.abort();
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: graceful.signal,
    force: force.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** A boolean environment variable set to `1` or `true`. */
const isOn = (value: string | undefined): boolean => /^(1|true)$/i.test(value ?? '');

/**
 * `up`/`create`: `--remove-orphans` and the orphan variables, read from the project's environment
 * (the OS environment plus `.env`, as compose exports `COMPOSE_*` from `.env`; compose-behaviour.md
 * §3.13).
 * @throws CapstanError USAGE when `COMPOSE_IGNORE_ORPHANS` meets removal (compose's up RunE).
 */
export function orphanOptions(project: Project, removeOrphansFlag: boolean | undefined): { removeOrphans: boolean; ignoreOrphans: boolean } {
  // a project rebuilt from labels (no compose file) has no environment of its own
  const on = (name: string): boolean => isOn(project.environment[name] ?? process.env[name]);
  const ignoreOrphans = on('COMPOSE_IGNORE_ORPHANS');
  const removeOrphans = Boolean(removeOrphansFlag) || on('COMPOSE_REMOVE_ORPHANS');
  if (ignoreOrphans && removeOrphans) {
    throw new CapstanError('USAGE', 'cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans', {
      hint: 'unset COMPOSE_IGNORE_ORPHANS to remove orphans, or drop --remove-orphans (and COMPOSE_REMOVE_ORPHANS)',
    });
  }
  return { removeOrphans, ignoreOrphans };
}

/**
 * `down`: `--remove-orphans`, its default from `COMPOSE_REMOVE_ORPHANS` in the OS environment (compose
 * reads it when it builds the command, before `.env` is exported: cmd/compose/down.go). `down`
 * never warns about orphans, so `COMPOSE_IGNORE_ORPHANS` plays no part (and is never refused).
 */
export function downOrphanOptions(removeOrphansFlag: boolean | undefined): { removeOrphans: boolean } {
  return { removeOrphans: Boolean(removeOrphansFlag) || isOn(process.env.COMPOSE_REMOVE_ORPHANS) };
}
