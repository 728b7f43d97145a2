/**
 * Consistency checks on the normalised project (compose-behaviour.md §2.2 "Consistency checks",
 * first cut): image or build, known networks / volumes / secrets / configs / build secrets, known
 * `depends_on` targets, `network_mode` vs `networks`, `dockerfile` vs `dockerfile_inline`,
 * healthcheck test form, `cpus` / `mem_limit` / `mem_reservation` / `pids_limit` vs `deploy.resources`.
 */
import { LoaderError } from '../errors.js';
import type { ServiceConfig } from '../model/types.js';
import type { NormalizedModel } from './normalize.js';
import type { LocateInFiles } from './validate.js';
import type { PathSegment } from './interpolate.js';
import { formatKeyPath } from './interpolate.js';

/**
 * Check the enabled services against the model.
 *
 * @param model the normalised model (its `services` are ignored; `enabled` are checked).
 * @param enabled services enabled by profiles; `disabled` are known but not runnable.
 * @throws {LoaderError} on the first inconsistency, with the position of the offending key.
 */
export function checkConsistency(
  model: NormalizedModel,
  enabled: Record<string, ServiceConfig>,
  disabled: Record<string, ServiceConfig>,
  locate?: LocateInFiles,
): void {
  const fail = (path: PathSegment[], reason: string, hint?: string): never => {
    const where = locate?.(path);
    throw new LoaderError(reason, { ...where, keyPath: formatKeyPath(path) }, hint ? { hint } : {});
  };
  for (const [name, svc] of Object.entries(enabled)) {
    const p = (...rest: PathSegment[]) => ['services', name, ...rest];
    // a `provider` service is run by a plugin, with neither image nor build
    if (!svc.image && !svc.build && !svc.provider) fail(p(), `service ${JSON.stringify(name)} has neither an image nor a build context specified`);
    const platforms = svc.build?.platforms;
    if (svc.platform && Array.isArray(platforms) && platforms.length > 0 && !platforms.includes(svc.platform)) {
      fail(p('platform'), `service.build.platforms MUST include service.platform ${JSON.stringify(svc.platform)}`);
    }
    if (svc.build && svc.build.dockerfile_inline !== undefined && svc.build.dockerfile !== undefined) {
      fail(p('build'), 'dockerfile and dockerfile_inline are mutually exclusive');
    }
    if (svc.network_mode !== undefined && svc.networks !== undefined && Object.keys(svc.networks).length > 0) {
      fail(p('network_mode'), `service ${name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`);
    }
    checkResourceConflicts(svc, (path, reason) => fail(p(...path), reason));
    for (const net of Object.keys(svc.networks ?? {})) {
      if (!(net in model.networks)) fail(p('networks', net), `service ${JSON.stringify(name)} refers to undefined network ${net}: invalid compose project`);
    }
    (svc.volumes ?? []).forEach((v, i) => {
      if (v.type === 'volume' && v.source && !(v.source in model.volumes)) {
        fail(p('volumes', i), `service ${JSON.stringify(name)} refers to undefined volume ${v.source}: invalid compose project`);
      }
    });
    (svc.build?.secrets ?? []).forEach((ref, i) => {
      if (!(ref.source in model.secrets)) fail(p('build', 'secrets', i), `service ${JSON.stringify(name)} refers to undefined build secret ${ref.source}: invalid compose project`);
    });
    for (const kind of ['secrets', 'configs'] as const) {
      (svc[kind] ?? []).forEach((ref, i) => {
        if (!(ref.source in model[kind])) fail(p(kind, i), `service ${JSON.stringify(name)} refers to undefined ${kind.slice(0, -1)} ${ref.source}: invalid compose project`);
      });
    }
    for (const [dep, cfg] of Object.entries(svc.depends_on ?? {})) {
      if (dep in enabled) continue;
      if (dep in disabled) {
        // an optional dependency on a service the active profiles leave out is skipped
        if (!cfg.required) continue;
        fail(
          p('depends_on', dep),
          `service ${JSON.stringify(dep)} was pulled in as a dependency of service ${JSON.stringify(name)} but is not enabled by the active profiles`,
          `add a common profile to ${JSON.stringify(dep)} and ${JSON.stringify(name)}`,
        );
      }
      fail(p('depends_on', dep), `service ${JSON.stringify(name)} depends on undefined service ${JSON.stringify(dep)}: invalid compose project`);
    }
    if (svc.container_name !== undefined && (svc.scale ?? svc.deploy?.replicas ?? 1) > 1) {
      fail(p('container_name'), `services.${name}: can't set container_name and ${name} as container name must be unique: invalid compose project`);
    }
    const targets = new Map<string, string>();
    const mount = (target: string, where: string, path: PathSegment[]) => {
      const prev = targets.get(target);
      if (prev !== undefined) fail(path, `target ${target} already mounted as ${prev}`);
      targets.set(target, where);
    };
    (svc.volumes ?? []).forEach((v, i) => mount(v.target, `services.${name}.volumes[${i}]`, p('volumes', i)));
    (svc.tmpfs ?? []).forEach((t, i) => mount(t.split(':')[0]!, `services.${name}.tmpfs[${i}]`, p('tmpfs', i)));
    const test = svc.healthcheck?.test;
    if (test && test.length > 0 && !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0]!)) {
      fail(p('healthcheck', 'test'), `healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"`);
    }
  }
  for (const [key, secret] of Object.entries(model.secrets)) {
    if (!secret.external && secret.file === undefined && secret.environment === undefined) {
      fail(['secrets', key], `secret ${JSON.stringify(key)} must declare either \`file\` or \`environment\`: invalid compose project`);
    }
  }
  const cycle = findDependencyCycle(enabled);
  if (cycle) fail(['services', cycle[0]!, 'depends_on'], `dependency cycle detected: ${cycle.join(' -> ')}`);
}

/**
 * `cpus`, `mem_limit`, `mem_reservation` and `pids_limit` must equal their `deploy.resources`
 * counterparts when both are set (values are canonical numbers after normalisation).
 */
function checkResourceConflicts(svc: ServiceConfig, fail: (path: PathSegment[], reason: string) => never): void {
  const limits = svc.deploy?.resources?.limits;
  const reservations = svc.deploy?.resources?.reservations;
  const pairs: [string, unknown, string, unknown][] = [
    ['cpus', svc.cpus, 'deploy.resources.limits.cpus', limits?.cpus],
    ['mem_limit', svc.mem_limit, 'deploy.resources.limits.memory', limits?.memory],
    ['mem_reservation', svc.mem_reservation, 'deploy.resources.reservations.memory', reservations?.memory],
    ['pids_limit', svc.pids_limit, 'deploy.resources.limits.pids', limits?.pids],
  ];
  for (const [key, value, deployKey, deployValue] of pairs) {
    if (value === undefined || value === null || value === 0 || deployValue === undefined || deployValue === null) continue;
    if (value !== deployValue) {
      fail([key], `can't set distinct values on '${key}' and '${deployKey}': invalid compose project`);
    }
  }
}

/**
 * The first `depends_on` cycle among `services`, as `[a, b, …, a]`, or undefined.
 * Services are visited in name order so the reported cycle is stable.
 */
export function findDependencyCycle(services: Record<string, Pick<ServiceConfig, 'depends_on'>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const dep of Object.keys(services[n]?.depends_on ?? {}).sort()) {
      if (!(dep in services)) continue;
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of Object.keys(services).sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}
