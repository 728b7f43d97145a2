import { CapstanError, EngineError } from '../errors.js';
import type { Engine, ProgressMessage } from '../engine/types.js';
import { parseImageReference, registryAuth, type RegistryAuth } from '../engine/registry-auth.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { pullPolicyOf } from '../model/units.js';
import { buildRequest } from './build.js';
import type { EventSink } from './events.js';
import { serviceImage } from './naming.js';
import type { ObservedState } from './observed.js';
import { PlanBuilder, type Plan } from './plan.js';
import { preStartImages } from './pre-start.js';

/**
 * Pulling and pushing images (compose-behaviour.md §3.18; docker compose `pkg/compose/pull.go`,
 * `push.go`): which images a command pulls under each `pull_policy`, as plan steps on the image
 * nodes, and the step side — `POST /images/create` / `POST /images/{name}/push` with the
 * registry's credentials, progress summed over layers.
 */

/** What decides pulls in `up`, `create` and `run`. */
export interface PullPlanOptions {
  /**
   * `--pull`: `always`, `missing`, `never`, `build`, or `policy` (= each service's own
   * `pull_policy`, also when absent). Overrides the services' `pull_policy`.
   */
  pull?: string;
  /** `--build`: services with `build` are built, not pulled. */
  build?: boolean;
  /** `--no-build`: a failed pull is not rescued by a build. */
  noBuild?: boolean;
  /** Now, in ms since the epoch (refresh policies); default `Date.now()`. */
  now?: number;
}

/** The images a plan pulls: pull step ids by image reference, and the services they serve. */
export interface PlannedPulls {
  /** Image reference → the id of its `pull-image` step. */
  steps: Map<string, string>;
  /** Services whose image this plan pulls (their containers are recreated if it changes). */
  services: Set<string>;
}

/** Human words for a refresh period in nanoseconds: `1d`, `7d`, `12h`, `90s`. */
function period(nanos: number): string {
  const s = nanos / 1e9;
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/**
 * The pull policy that applies to `service`: `--pull` (`override`; absent or `policy` = none)
 * replaces the service's `pull_policy`, as compose sets every service's policy from the flag.
 * @returns the policy's text (undefined when neither gives one) and the words naming where it
 *   comes from (`--pull build`, `pull_policy: always`), for plan causes.
 */
export function effectivePullPolicy(service: ServiceConfig, override?: string): { text: string | undefined; source: string } {
  const fromFlag = Boolean(override) && override !== 'policy';
  const text = fromFlag ? override : service.pull_policy;
  return { text, source: fromFlag ? `--pull ${text}` : `pull_policy: ${text}` };
}

/**
 * Why `service`'s image must be pulled now, or '' when it must not (compose's `mustPull`):
 * `always` pulls; `never` and `build` never do; `missing`/`if_not_present` (the default) when
 * the image is absent; `daily`/`weekly`/`every_<d>` when absent or last pulled (tagged, else
 * created) longer ago than the period. `override` is `--pull` (`policy` = no override).
 * @throws CapstanError VALIDATION for an unreadable `every_` duration.
 */
export function pullReason(service: ServiceConfig, image: string, observed: Pick<ObservedState, 'images' | 'imageTimes'>, override?: string, now = Date.now()): string {
  const { text, source } = effectivePullPolicy(service, override);
  const policy = pullPolicyOf(text);
  if (!policy) throw new CapstanError('VALIDATION', `service "${service.name}": pull_policy "${service.pull_policy}" is not a valid policy (every_<duration>, e.g. every_12h)`);
  const present = observed.images.get(image) !== undefined;
  switch (policy.policy) {
    case 'always':
      return source;
    case 'never':
    case 'build':
      return '';
    case 'refresh': {
      if (!present) return 'image missing';
      const last = observed.imageTimes?.get(image);
      const after = policy.refreshAfter! / 1e6;
      return last === undefined || now - last >= after ? `${source} (last pulled more than ${period(policy.refreshAfter!)} ago)` : '';
    }
    default:
      return present ? '' : 'image missing';
  }
}

/**
 * Add the pulls of `up`/`create`/`run` to `b`: one `pull-image` step per image reference (the
 * first service wanting it names it), on an `image` node with the reason. Services without
 * `image:` are never pulled (their image is built); neither are those built by this plan
 * (`--build`, `pull_policy: build`). A service that can be built carries its build request in
 * the step: a failed pull then builds instead (compose tolerates it). `type: image` volume
 * sources absent locally are pulled too.
 */
export function planPulls(
  b: PlanBuilder,
  project: Project,
  observed: Pick<ObservedState, 'images' | 'imageTimes'>,
  services: ServiceConfig[],
  options: PullPlanOptions,
): PlannedPulls {
  const pulls: PlannedPulls = { steps: new Map(), services: new Set() };
  const now = options.now ?? Date.now();
  for (const service of services) {
    if (!service.image) continue;
    const image = serviceImage(project.name, service);
    if (service.build && (options.build || effectivePullPolicy(service, options.pull).text === 'build')) continue;
    const why = pullReason(service, image, observed, options.pull, now);
    if (!why) continue;
    pulls.services.add(service.name);
    if (pulls.steps.has(image)) continue;
    const id = `pull-image:${image}`;
    const canBuild = Boolean(service.build) && !options.noBuild;
    const node = b.node('image', image, service.name, 'pull', canBuild ? `${why} (built if the pull fails)` : why);
    b.step(node, id, [], {
      type: 'pull-image',
      service: service.name,
      image,
      ...(service.platform ? { platform: service.platform } : {}),
      ...(canBuild ? { build: buildRequest(project, service) } : {}),
    });
    pulls.steps.set(image, id);
  }
  for (const service of services) {
    for (const v of service.volumes ?? []) {
      if (v.type !== 'image' || !v.source || observed.images.get(v.source) !== undefined || pulls.steps.has(v.source)) continue;
      const id = `pull-image:${v.source}`;
      const node = b.node('image', v.source, service.name, 'pull', `image missing (volume source of ${service.name})`);
      b.step(node, id, [], { type: 'pull-image', service: service.name, image: v.source });
      pulls.steps.set(v.source, id);
    }
    // pre_start hook images follow the service's policy (`build` reads as `missing`: a hook
    // image cannot be built), as compose's pullRequiredImages
    for (const hook of hookImageServices(project, service, effectivePullPolicy(service, options.pull).text)) {
      if (pulls.steps.has(hook.image!)) continue;
      const why = pullReason(hook, hook.image!, observed, undefined, now);
      if (!why) continue;
      const id = `pull-image:${hook.image}`;
      const node = b.node('image', hook.image!, service.name, 'pull', `${why} (pre_start image of ${service.name})`);
      b.step(node, id, [], { type: 'pull-image', service: service.name, image: hook.image! });
      pulls.steps.set(hook.image!, id);
    }
  }
  return pulls;
}

/**
 * `images` as the planner sees them once the planned pulls ran: a pulled image counts as present
 * (its ID is known only after the pull: `up` plans again then).
 */
export function presentAfterPulls(images: ObservedState['images'], pulls: PlannedPulls): ObservedState['images'] {
  if (!pulls.steps.size) return images;
  const out = new Map(images);
  for (const ref of pulls.steps.keys()) if (out.get(ref) === undefined) out.set(ref, `(pulled by ${pulls.steps.get(ref)})`);
  return out;
}

/**
 * A service's `pre_start` hook images other than its own, each as a stand-in service (same name,
 * no `build`) under `policy`, `build` read as `missing`.
 */
function hookImageServices(project: Project, service: ServiceConfig, policy: string | undefined): ServiceConfig[] {
  const hookPolicy = policy === 'build' ? 'missing' : policy;
  return preStartImages(project, service).map((image) => ({ name: service.name, image, ...(hookPolicy ? { pull_policy: hookPolicy } : {}) }) as ServiceConfig);
}

/** Options of {@link planPull} (`capstan pull`). */
export interface PullCommandOptions {
  /** `--policy`: replaces every service's `pull_policy` (`always`, `missing`, …). */
  policy?: string;
  /** `--ignore-buildable`: skip services that have `build`. */
  ignoreBuildable?: boolean;
  /** `--ignore-pull-failures`: a failed pull is a warning. */
  ignorePullFailures?: boolean;
}

/**
 * Plan `pull` (compose's `pull.go`): every selected service with `image:` is pulled (the default
 * is to pull, whatever the image's presence), except `pull_policy: never`/`build`, `missing`/
 * `if_not_present` (or `--policy missing`) when the image is present, refresh policies when it is
 * fresh, and with `--ignore-buildable` services that have `build`. Skipped images get an
 * "up to date" node saying why. A pull that fails for a service with `build` only warns.
 * @throws CapstanError VALIDATION for a bad `--policy` / `pull_policy`.
 */
export function planPull(project: Project, services: ServiceConfig[], observed: Pick<ObservedState, 'images' | 'imageTimes'>, options: PullCommandOptions = {}, now = Date.now()): Plan {
  const b = new PlanBuilder(project.name);
  const seen = new Set<string>();
  // each service, then its pre_start hook images under its policy
  const candidates = services.flatMap((s) => [s, ...hookImageServices(project, s, options.policy ?? s.pull_policy)]);
  for (const service of candidates) {
    if (!service.image) continue;
    const image = service.image;
    if (seen.has(image)) continue;
    const text = options.policy ?? service.pull_policy;
    const policy = pullPolicyOf(text);
    if (!policy) throw new CapstanError('VALIDATION', `service "${service.name}": pull policy "${text}" is not valid`);
    let why: string;
    switch (policy.policy) {
      case 'never':
      case 'build':
        b.node('image', image, service.name, 'up to date', `skipped: pull_policy ${text}`);
        seen.add(image);
        continue;
      case 'missing':
      case 'if_not_present':
      case 'refresh':
        why = text === undefined ? 'pull' : pullReason({ ...service, pull_policy: text }, image, observed, undefined, now);
        if (!why) {
          b.node('image', image, service.name, 'up to date', 'image already present locally');
          seen.add(image);
          continue;
        }
        break;
      default:
        why = text === undefined ? 'pull' : `pull_policy: ${text}`;
    }
    if (service.build && options.ignoreBuildable) {
      b.node('image', image, service.name, 'up to date', 'skipped: can be built (--ignore-buildable)');
      continue;
    }
    seen.add(image);
    const node = b.node('image', image, service.name, 'pull', why);
    b.step(node, `pull-image:${image}`, [], {
      type: 'pull-image',
      service: service.name,
      image,
      ...(service.platform ? { platform: service.platform } : {}),
      ...(options.ignorePullFailures || service.build ? { ignoreFailure: true } : {}),
    });
  }
  return b.plan();
}

/** Options of {@link planPush} (`capstan push`). */
export interface PushCommandOptions {
  /** `--ignore-push-failures`: a failed push is a warning. */
  ignorePushFailures?: boolean;
}

/**
 * Plan `push` (compose's `push.go`): the images of the selected services that have both
 * `build` and `image` (each `image` and `build.tags` entry), once each; others are skipped.
 * Given the builder of a build plan (`build --push`), each push waits for its image's build step.
 */
export function planPush(project: Project, services: ServiceConfig[], options: PushCommandOptions = {}, b = new PlanBuilder(project.name)): Plan {
  const seen = new Set<string>();
  for (const service of services) {
    if (!service.build || !service.image) {
      b.node('image', service.image ?? serviceImage(project.name, service), service.name, 'up to date', 'skipped: push needs both build and image');
      continue;
    }
    for (const tag of [service.image, ...(service.build.tags ?? [])]) {
      if (seen.has(tag)) continue;
      seen.add(tag);
      const node = b.node('image', tag, service.name, 'push', '');
      const build = `build-image:${serviceImage(project.name, service)}`; // `build --push`: after its build
      b.step(node, `push-image:${tag}`, b.has(build) ? [build] : [], {
        type: 'push-image',
        service: service.name,
        image: tag,
        ...(options.ignorePushFailures ? { ignoreFailure: true } : {}),
      }, 'push');
    }
  }
  return b.plan();
}

/** Looks credentials up for a registry host; {@link registryAuth} by default. */
export type AuthLookup = (registry: string) => Promise<RegistryAuth | undefined>;

/**
 * A registry refusal (wrong or missing credentials) as one line naming the registry; other
 * errors pass through.
 */
export function explainRegistryError(ref: string, verb: 'pull' | 'push', err: unknown): unknown {
  if (!(err instanceof EngineError)) return err;
  if (err.statusCode !== 401 && !/unauthori[sz]ed|authentication required|no basic auth credentials/i.test(err.daemonMessage)) return err;
  const registry = parseImageReference(ref).registry;
  return new CapstanError('ENGINE', `registry ${registry}: unauthorized: cannot ${verb} ${ref} (wrong or missing credentials)`, {
    hint: `log in with \`docker login ${registry}\` (Capstan reads the Docker client config: $DOCKER_CONFIG or ~/.docker/config.json)`,
    cause: err,
  });
}

/**
 * Sums a pull's per-layer progress (`id` = layer) into bytes so far / total and layers done;
 * `update` returns true when the sums changed.
 */
export class LayerProgress {
  private readonly layers = new Map<string, { current: number; total: number; done: boolean }>();

  /** Feed one progress message; true when the sums changed (or a new layer appeared). */
  update(m: ProgressMessage): boolean {
    if (!m.id || !m.status || /^(Pulling from|Digest|Status)/.test(m.status)) return false;
    const known = this.layers.get(m.id);
    const layer = known ?? { current: 0, total: 0, done: false };
    this.layers.set(m.id, layer);
    const before = `${layer.current}/${layer.total}/${layer.done}`;
    switch (m.status) {
      case 'Downloading':
        layer.current = m.progressDetail?.current ?? layer.current;
        layer.total = m.progressDetail?.total ?? layer.total;
        break;
      case 'Verifying Checksum':
      case 'Download complete':
        layer.current = layer.total;
        break;
      case 'Pull complete':
      case 'Already exists':
        layer.current = layer.total;
        layer.done = true;
        break;
    }
    return !known || before !== `${layer.current}/${layer.total}/${layer.done}`;
  }

  /** The sums: bytes over layers of known size, layers seen and done. */
  totals(): { current: number; total: number; layers: number; layersDone: number } {
    let current = 0;
    let total = 0;
    let done = 0;
    for (const l of this.layers.values()) {
      current += l.current;
      total += l.total;
      if (l.done) done++;
    }
    return { current, total, layers: this.layers.size, layersDone: done };
  }
}

/**
 * Pull `image` (`POST /images/create`) with the registry's credentials, emitting `pull-progress`
 * events as layer bytes change; resolves the pulled image's ID (`GET /images/{name}/json`).
 * @throws CapstanError ENGINE (`registry …: unauthorized`) for refused credentials; EngineError
 *   for other failures; UNSUPPORTED when the engine client cannot pull.
 */
export async function pullImage(
  engine: Engine,
  image: string,
  service: string,
  emit: EventSink,
  options: { platform?: string; signal?: AbortSignal; auth?: AuthLookup } = {},
): Promise<string> {
  if (!engine.pullImage) throw new CapstanError('UNSUPPORTED', `cannot pull ${image}: this engine client does not pull images`);
  const lookup = options.auth ?? ((registry: string) => registryAuth(registry));
  const auth = await lookup(parseImageReference(image).registry);
  const layers = new LayerProgress();
  try {
    for await (const m of engine.pullImage(image, { auth, platform: options.platform, signal: options.signal })) {
      if (layers.update(m)) emit({ type: 'pull-progress', image, service, ...layers.totals() });
    }
  } catch (err) {
    throw await explainWithProbe(image, 'pull', err, auth);
  }
  const inspected = await engine.inspectImage(image);
  return inspected?.Id ?? '';
}

/**
 * Push `image` (`POST /images/{name}/push`) with the registry's credentials.
 * @throws as {@link pullImage}.
 */
export async function pushImage(engine: Engine, image: string, options: { signal?: AbortSignal; auth?: AuthLookup } = {}): Promise<void> {
  if (!engine.pushImage) throw new CapstanError('UNSUPPORTED', `cannot push ${image}: this engine client does not push images`);
  const lookup = options.auth ?? ((registry: string) => registryAuth(registry));
  const auth = await lookup(parseImageReference(image).registry);
  try {
    for await (const _ of engine.pushImage(image, { auth, signal: options.signal })) {
      // progress of a push is not shown per layer
    }
  } catch (err) {
    throw await explainWithProbe(image, 'push', err, auth);
  }
}

/**
 * {@link explainRegistryError}, and when the engine's message hides the refusal (the engine falls
 * back to plain HTTP for a loopback registry after HTTPS refused the login, and reports that
 * error), ask the registry itself: `GET https://<registry>/v2/` with the credentials (the CA from
 * /etc/docker/certs.d/<registry>/ca.crt) answering 401 means they are wrong.
 */
async function explainWithProbe(ref: string, verb: 'pull' | 'push', err: unknown, auth: RegistryAuth | undefined): Promise<unknown> {
  const explained = explainRegistryError(ref, verb, err);
  if (explained !== err || !(err instanceof EngineError) || !auth?.username) return explained;
  const registry = parseImageReference(ref).registry;
  if (registry === 'docker.io') return err;
  if ((await probeRegistry(registry, auth)) === 401) {
    return explainRegistryError(ref, verb, new EngineError(401, `unauthorized: ${err.daemonMessage}`, err.message));
  }
  return err;
}

/** The status of `GET https://<registry>/v2/` with basic auth, or undefined when it cannot be asked. */
async function probeRegistry(registry: string, auth: RegistryAuth): Promise<number | undefined> {
  const { request } = await import('node:https');
  const { readFile } = await import('node:fs/promises');
  const ca = await readFile(`/etc/docker/certs.d/${registry}/ca.crt`).catch(() => undefined);
  return new Promise((resolve) => {
    const req = request(
      `https://${registry}/v2/`,
      {
        method: 'GET',
        timeout: 5000,
        ...(ca ? { ca } : {}),
        headers: { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
