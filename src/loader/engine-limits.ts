/**
 * Values the Docker engine is certain to refuse, caught at load time (issue 13 "Safety"): an
 * `up` must not create half a project and then fail on the first container the engine rejects.
 * Each rule here is host-independent — what the engine refuses whatever machine it runs on:
 *
 * - image references (`image:`, and `<project>-<service>`, the name a `build` without `image`
 *   is tagged with): Docker's reference grammar — lowercase repository path components joined
 *   by `.`, `_`, `__` or dashes, an optional registry host (with port), a tag of at most 128
 *   word characters, dots and dashes, an optional `algorithm:hex` digest (Engine API
 *   `POST /images/create`, "invalid reference format");
 * - `mem_limit` / `deploy.resources.limits.memory` and `mem_reservation` / `deploy.resources
 *   .reservations.memory` below the engine's 6 MiB minimum, a reservation above the limit,
 *   `memswap_limit` below `mem_limit` or without it (`POST /containers/create`, HostConfig);
 * - a negative `cpus` / `deploy.resources.limits.cpus`; `cpus` together with `cpu_period` or
 *   `cpu_quota`; `cpu_period` outside 1 ms–1 s, `cpu_quota` under 1 ms (in µs); negative
 *   `cpu_shares`.
 *
 * - the names of the local volumes the services mount: at least two characters of
 *   `[a-zA-Z0-9][a-zA-Z0-9_.-]` (`POST /volumes/create`, local driver).
 *
 * What depends on the host (more CPUs or memory than it has) is left to the engine.
 */
import { LoaderError } from '../errors.js';
import type { ServiceConfig, VolumeConfig } from '../model/types.js';
import { formatKeyPath, type PathSegment } from './interpolate.js';
import type { LocateInFiles } from './validate.js';

/** The engine's minimum memory limit and reservation: 6 MiB (in bytes). */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Why the engine would refuse `ref` as an image reference, or `undefined` when it is valid.
 * Reasons read as the engine's ("repository name must be lowercase", "invalid reference format").
 */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref === '') return 'invalid reference format: empty';
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST_RE.test(rest.slice(at + 1))) return 'invalid reference format: bad digest';
    rest = rest.slice(0, at);
  }
  // a tag is what follows the last ':' after the last '/' (a ':' before it is a registry port)
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    if (!TAG_RE.test(rest.slice(colon + 1))) return 'invalid reference format: bad tag';
    rest = rest.slice(0, colon);
  }
  if (rest.length > MAX_NAME_LENGTH) return `repository name must not be more than ${MAX_NAME_LENGTH} characters`;
  // the first component names a registry when it has a '.' or ':', is localhost, or has capitals
  const slash = rest.indexOf('/');
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN_RE.test(first)) return 'invalid reference format: bad registry host';
      path = rest.slice(slash + 1);
    }
  }
  if (PATH_RE.test(path)) return undefined;
  if (PATH_RE.test(path.toLowerCase())) return 'repository name must be lowercase';
  return 'invalid reference format';
}

const LOCAL_VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** One service's resource values the engine refuses: `[key path under the service, reason]`. */
function resourceProblems(svc: ServiceConfig): [PathSegment[], string][] {
  const out: [PathSegment[], string][] = [];
  const limits = svc.deploy?.resources?.limits;
  const reservations = svc.deploy?.resources?.reservations;
  const pick = <T>(own: T | undefined, ownPath: PathSegment[], deploy: T | undefined, deployPath: PathSegment[]): [T | undefined, PathSegment[]] =>
    own !== undefined && own !== null ? [own, ownPath] : [deploy, deployPath];
  const [memory, memoryPath] = pick(svc.mem_limit, ['mem_limit'], limits?.memory, ['deploy', 'resources', 'limits', 'memory']);
  const [reservation, reservationPath] = pick(svc.mem_reservation, ['mem_reservation'], reservations?.memory, ['deploy', 'resources', 'reservations', 'memory']);
  const [cpus, cpusPath] = pick(svc.cpus, ['cpus'], limits?.cpus, ['deploy', 'resources', 'limits', 'cpus']);
  const bytes = (n: number): string => `${n} bytes`;
  if (typeof memory === 'number' && memory > 0 && memory < MIN_MEMORY_BYTES) {
    out.push([memoryPath, `memory limit ${bytes(memory)} is below the engine's minimum of 6MB`]);
  }
  if (typeof reservation === 'number' && reservation > 0 && reservation < MIN_MEMORY_BYTES) {
    out.push([reservationPath, `memory reservation ${bytes(reservation)} is below the engine's minimum of 6MB`]);
  }
  if (typeof memory === 'number' && memory > 0 && typeof reservation === 'number' && reservation > memory) {
    out.push([reservationPath, `memory reservation (${bytes(reservation)}) is larger than the memory limit (${bytes(memory)})`]);
  }
  const swap = svc.memswap_limit;
  if (typeof swap === 'number' && swap > 0) {
    if (!(typeof memory === 'number' && memory > 0)) out.push([['memswap_limit'], 'memswap_limit needs mem_limit: the engine refuses a swap limit without a memory limit']);
    else if (swap < memory) out.push([['memswap_limit'], `memswap_limit (${bytes(swap)}) is smaller than mem_limit (${bytes(memory)}); it counts memory plus swap`]);
  }
  if (typeof cpus === 'number' && cpus < 0) out.push([cpusPath, `cpus must not be negative (got ${cpus})`]);
  if (typeof cpus === 'number' && cpus > 0) {
    if (svc.cpu_period) out.push([['cpu_period'], 'cpus and cpu_period cannot both be set (the engine refuses Nano CPUs with a CPU period)']);
    else if (svc.cpu_quota) out.push([['cpu_quota'], 'cpus and cpu_quota cannot both be set (the engine refuses Nano CPUs with a CPU quota)']);
  }
  const period = svc.cpu_period;
  if (typeof period === 'number' && period !== 0 && (period < 1000 || period > 1_000_000)) {
    out.push([['cpu_period'], `cpu_period ${period} is outside 1000–1000000 (µs, 1 ms to 1 s)`]);
  }
  const quota = svc.cpu_quota;
  if (typeof quota === 'number' && quota > 0 && quota < 1000) out.push([['cpu_quota'], `cpu_quota ${quota} is below 1000 (µs, 1 ms)`]);
  if (typeof svc.cpu_shares === 'number' && svc.cpu_shares < 0) out.push([['cpu_shares'], `cpu_shares must not be negative (got ${svc.cpu_shares})`]);
  return out;
}

/**
 * Refuse, before anything is created, a service whose image reference or resource values the
 * engine would reject (see the module comment for the rules).
 *
 * @param projectName the project's name (a `build` without `image` is tagged `<project>-<service>`).
 * @param services the services that may run (profile-enabled), by name.
 * @param locate positions of keys in the source files.
 * @param volumes the project's top-level volumes: those the services mount are checked.
 * @throws {LoaderError} the first problem, as `file:line:col: services.<name>.<key>: service "<name>": <reason>`
 *   (`volumes.<key>.name: volume "<key>": <reason>` for a volume name).
 */
export function checkEngineLimits(
  projectName: string,
  services: Record<string, ServiceConfig>,
  locate?: LocateInFiles,
  volumes: Record<string, VolumeConfig> = {},
): void {
  const fail = (name: string, path: PathSegment[], reason: string, hint?: string): never => {
    const full = ['services', name, ...path];
    const where = (path.length ? locate?.(full) : undefined) ?? locate?.(['services', name], { key: true });
    throw new LoaderError(`service ${JSON.stringify(name)}: ${reason}`, { ...where, keyPath: formatKeyPath(full) }, hint ? { hint } : {});
  };
  for (const [name, svc] of Object.entries(services)) {
    if (typeof svc.image === 'string') {
      const problem = imageReferenceProblem(svc.image);
      if (problem) {
        // worded as the engine's refusal is at run time (observed.ts imageError)
        const reason = `invalid image reference ${JSON.stringify(svc.image)}: ${problem.replace(/^invalid reference format: ?/, '') || 'invalid reference format'}`;
        fail(name, ['image'], reason, problem.includes('lowercase') ? `image repositories are lowercase: ${lowerRepository(svc.image)}` : 'fix the `image:` value');
      }
    } else if (svc.build) {
      const tag = `${projectName}-${name}`;
      const problem = imageReferenceProblem(tag);
      if (problem) {
        fail(name, [], `the image built for it would be named ${JSON.stringify(tag)}, which the engine refuses: ${problem}`, 'set `image:` to a lowercase name for the built image, or rename the service');
      }
    }
    for (const [path, reason] of resourceProblems(svc)) fail(name, path, reason);
  }
  const mounted = new Set(Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)));
  for (const key of mounted) {
    const volume = volumes[key];
    if (!volume || volume.external || (volume.driver && volume.driver !== 'local') || LOCAL_VOLUME_NAME.test(volume.name)) continue;
    const path = ['volumes', key, 'name'];
    const where = locate?.(path) ?? locate?.(['volumes', key], { key: true });
    throw new LoaderError(
      `volume ${JSON.stringify(key)}: the engine refuses the local volume name ${JSON.stringify(volume.name)}: it needs at least two characters, the first a letter or digit, the others letters, digits, "_", "." or "-"`,
      { ...where, keyPath: formatKeyPath(path) },
    );
  }
}

/** `ref` with its repository part lowercased (the tag and digest kept as written). */
function lowerRepository(ref: string): string {
  const at = ref.indexOf('@');
  const head = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const colon = head.lastIndexOf(':');
  const hasTag = colon > head.lastIndexOf('/');
  return (hasTag ? head.slice(0, colon).toLowerCase() + head.slice(colon) : head.toLowerCase()) + digest;
}
