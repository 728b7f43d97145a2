import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import { checkServices } from '../graph.js';
import type { UpPlanOptions } from '../planner.js';

/**
 * `scale SVC=N... [--no-deps]` (docker compose's pkg/compose/scale.go): set replica counts, then
 * create and start as `up -d` does for those services — the same planner and executor, so the
 * plan has causes (`scale 1 → 3`) and `--dry-run` prints it. As compose's (its create runs with
 * the default `diverged` recreate policy, no `--no-recreate`), a replica whose configuration
 * changed is recreated, and the dependencies converge too unless `--no-deps`.
 */

/** Options of `scale`. */
export interface ScaleOptions {
  /** The new replica count of each service (`web=3` → `{ web: 3 }`), non-negative integers. */
  replicas: Record<string, number>;
  /** `--no-deps`: do not create or start the services' dependencies. */
  noDeps?: boolean;
  /** Plan only (the caller prints the returned plan); change nothing. */
  dryRun?: boolean;
  /** Ctrl+C: stop starting new steps. */
  signal?: AbortSignal;
}

/**
 * The options `Compose.up` runs `scale` with (a subset of its `UpOptions`, declared here so that
 * verbs do not depend on compose.ts): the planner's, plus detached, dry run and Ctrl+C.
 */
export interface ScaleUpOptions extends UpPlanOptions {
  detach: true;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/**
 * The `up` options `scale` runs with: the named services, detached, with `--scale` overrides.
 * @throws CapstanError USAGE `scale: no service given`, `no such service: x`, or a count that is
 *   not a non-negative integer
 */
export function scaleUpOptions(project: Project, options: ScaleOptions): ScaleUpOptions {
  const services = Object.keys(options.replicas);
  if (!services.length) throw new CapstanError('USAGE', 'scale: no service given', { hint: 'use SERVICE=REPLICAS, e.g. web=3' });
  checkServices(project, services);
  for (const [service, n] of Object.entries(options.replicas)) {
    if (!Number.isInteger(n) || n < 0) throw new CapstanError('USAGE', `invalid scale specifier: ${service}=${n}`);
  }
  return {
    services,
    scale: { ...options.replicas },
    noDeps: options.noDeps,
    detach: true,
    dryRun: options.dryRun,
    signal: options.signal,
  };
}

/**
 * `SVC=N` command-line operands as replica counts (a later one for a service wins), as compose's
 * `parseServicesReplicasArgs`.
 * @throws CapstanError USAGE `invalid scale specifier: x` for an operand without `=`, an empty
 *   side, or a count that is not a non-negative integer
 */
export function parseReplicas(operands: readonly string[]): Record<string, number> {
  const replicas: Record<string, number> = {};
  for (const arg of operands) {
    const at = arg.indexOf('=');
    const service = at < 0 ? '' : arg.slice(0, at);
    const value = at < 0 ? '' : arg.slice(at + 1);
    if (!service || !value) throw new CapstanError('USAGE', `invalid scale specifier: ${arg}`, { hint: 'use SERVICE=REPLICAS, e.g. web=3' });
    if (!/^\+?\d+$/.test(value)) {
      throw new CapstanError('USAGE', `invalid scale specifier: can't parse replica value as int: ${arg}`, { hint: 'the replica count is a whole number, e.g. web=3' });
    }
    replicas[service] = Number.parseInt(value, 10);
  }
  return replicas;
}
