import type { ServiceConfig } from './types.js';

/** One dependency Compose adds without `depends_on`: on service `on`, restarting with it or not. */
export interface ImplicitDependency {
  on: string;
  /** `links` and `service:` namespaces restart with their target; `volumes_from` does not. */
  restart: boolean;
}

/**
 * The dependencies Compose adds to a service without `depends_on` (compose-behaviour.md §3.9):
 * `links` entries, `network_mode` / `ipc` / `pid` / `uts` / `cgroup: service:X`, and
 * `volumes_from: X` (not `container:X`), each with condition `service_started`. A service never
 * depends on itself. Reads the canonical model (`links` and `volumes_from` are lists).
 *
 * The loader writes them into `depends_on` (normalize); `compose/graph.ts` adds them for projects
 * built by hand. One rule for both.
 */
export function implicitDependencies(service: ServiceConfig): ImplicitDependency[] {
  const out: ImplicitDependency[] = [];
  const add = (on: string | undefined, restart: boolean): void => {
    if (on && on !== service.name) out.push({ on, restart });
  };
  for (const link of service.links ?? []) add(link.split(':')[0], true);
  for (const key of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'] as const) {
    const value = service[key];
    if (typeof value === 'string' && value.startsWith('service:')) add(value.slice('service:'.length), true);
  }
  for (const from of service.volumes_from ?? []) if (!from.startsWith('container:')) add(from.split(':')[0], false);
  return out;
}
