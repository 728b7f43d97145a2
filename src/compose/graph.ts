import { CapstanError } from '../errors.js';
import { implicitDependencies } from '../model/dependencies.js';
import type { DependsOnConfig, Project, ServiceConfig } from '../model/types.js';

/**
 * The service dependency graph: `depends_on`, plus the implicit dependencies Compose adds
 * (compose-behaviour.md §3.9): `links`, `network_mode`/`ipc`/`pid: service:X` and
 * `volumes_from: X` order X first with condition `service_started`.
 */

/**
 * The check every verb that takes service names makes first.
 * @throws CapstanError USAGE `no such service: x` for the first name the project has not (enabled)
 */
export function checkServices(project: Project, services: readonly string[] | undefined): void {
  for (const s of services ?? []) {
    if (!Object.hasOwn(project.services, s)) throw new CapstanError('USAGE', `no such service: ${s}`);
  }
}

/** One edge: `service` depends on `on` with this config. */
export interface Dependency extends DependsOnConfig {
  on: string;
}

/**
 * The dependencies of one service, explicit first, then the implicit ones not declared (the
 * loader has already written those into `depends_on`; a project built by hand may not have).
 */
export function dependenciesOf(service: ServiceConfig): Dependency[] {
  const deps = new Map<string, Dependency>();
  for (const [on, config] of Object.entries(service.depends_on ?? {})) deps.set(on, { ...config, on });
  for (const { on, restart } of implicitDependencies(service)) {
    if (!deps.has(on)) deps.set(on, { on, condition: 'service_started', required: true, restart });
  }
  return [...deps.values()];
}

/**
 * Services in dependency order (dependencies first), deterministic (alphabetical among equals).
 * Dependencies on services that are not in `project.services` are ignored here (the loader
 * rejects unknown ones; disabled `required: false` ones are legitimately absent).
 *
 * @throws CapstanError VALIDATION naming the cycle, e.g. `dependency cycle: a → b → a`.
 */
export function dependencyOrder(project: Project): string[] {
  const names = Object.keys(project.services).sort();
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw new CapstanError('VALIDATION', `dependency cycle between services: ${cycle.join(' → ')}`);
    }
    state.set(name, 'visiting');
    stack.push(name);
    const deps = dependenciesOf(project.services[name]!)
      .map((d) => d.on)
      .filter((d) => d in project.services)
      .sort();
    for (const dep of deps) visit(dep);
    stack.pop();
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name);
  return order;
}

/**
 * The selected services plus everything they depend on (transitively), for `up web` without
 * `--no-deps`. Unknown names throw a USAGE error.
 */
export function withDependencies(project: Project, selected: string[]): Set<string> {
  const out = new Set<string>();
  const add = (name: string): void => {
    if (out.has(name)) return;
    const service = project.services[name];
    if (!service) throw new CapstanError('USAGE', `no such service: ${name}`);
    out.add(name);
    for (const dep of dependenciesOf(service)) if (dep.on in project.services) add(dep.on);
  };
  for (const name of selected) add(name);
  return out;
}

/** Services that depend (transitively) on any of `names`: `down web` also takes its dependents. */
export function withDependents(project: Project, names: string[]): Set<string> {
  const out = new Set(names);
  let grew = true;
  while (grew) {
    grew = false;
    for (const service of Object.values(project.services)) {
      if (out.has(service.name)) continue;
      if (dependenciesOf(service).some((d) => out.has(d.on))) {
        out.add(service.name);
        grew = true;
      }
    }
  }
  return out;
}
