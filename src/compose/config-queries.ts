import { CapstanError } from '../errors.js';
import type { Project } from '../model/types.js';
import { checkServices, dependencyOrder } from './graph.js';
import { serviceHash } from './hash.js';
import { serviceImage } from './naming.js';

/**
 * What `config` lists about a loaded project besides the model itself (docker compose's
 * `config --services|--volumes|--networks|--profiles|--images|--environment|--hash`,
 * cmd/compose/config.go). Pure functions of the project; the CLI prints one item per line.
 */

/** A list `config` prints, one item per line (named after its flag). */
export type ConfigList = 'services' | 'volumes' | 'networks' | 'profiles' | 'images' | 'environment';

/**
 * The items of one `config` list:
 * - `services`: service names, dependencies first (compose's `ForEachService` order); in file order
 *   when the dependencies form a cycle (loaded with `--no-consistency`);
 * - `volumes`, `networks`: the keys of the top-level sections;
 * - `profiles`: every profile named by a service, enabled or not, sorted;
 * - `images`: the image each service runs (`<project>-<service>` for a build without `image`);
 * - `environment`: `NAME=value` of the interpolation environment, sorted by name.
 */
export function configList(project: Project, list: ConfigList): string[] {
  switch (list) {
    case 'services':
      return inDependencyOrder(project);
    case 'volumes':
      return Object.keys(project.volumes);
    case 'networks':
      return Object.keys(project.networks);
    case 'profiles': {
      const all = [...Object.values(project.services), ...Object.values(project.disabledServices)];
      return [...new Set(all.flatMap((s) => s.profiles ?? []))].sort();
    }
    case 'images':
      return Object.values(project.services).map((s) => serviceImage(project.name, s));
    case 'environment':
      return Object.keys(project.environment).sort().map((k) => `${k}=${project.environment[k]}`);
  }
}

/**
 * `config --hash`: `<service> <hash>` per selected service, sorted by name; the hash is the
 * `com.docker.compose.config-hash` label value `up` gives its containers.
 * @param selection `*` for every service, or names separated by commas
 * @throws CapstanError USAGE `no such service: x` for a name the project has not (enabled)
 */
export function configHashes(project: Project, selection: string): string[] {
  const wanted = selection === '*' ? Object.keys(project.services) : selection.split(',').map((s) => s.trim()).filter(Boolean);
  checkServices(project, wanted);
  return wanted.sort().map((s) => `${s} ${serviceHash(project.services[s]!)}`);
}

/** Service names dependencies first; file order on a dependency cycle (a project loaded with `--no-consistency`). */
function inDependencyOrder(project: Project): string[] {
  try {
    return dependencyOrder(project);
  } catch (err) {
    // dependencyOrder throws only VALIDATION, for a cycle: listing the names needs no order then
    if (err instanceof CapstanError && err.code === 'VALIDATION') return Object.keys(project.services);
    throw err;
  }
}
