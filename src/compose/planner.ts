import { CapstanError } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { nanosToSeconds, parseDuration } from '../model/duration.js';
import { containerSpec, serviceNetworks, type ContainerSpec } from './container-spec.js';
import { dependenciesOf, dependencyOrder, withDependencies, withDependents } from './graph.js';
import { changedAttributes, networkHash, serviceDigest, serviceHash, volumeHash } from './hash.js';
import { Label, COMPOSE_VERSION_LABEL } from './labels.js';
import { containerName, serviceImage, temporaryName } from './naming.js';
import { attachedTo, type ObservedContainer, type ObservedResource, type ObservedState } from './observed.js';
import { PlanBuilder, type Operation, type Plan, type PlanNode } from './plan.js';
import { buildRequest, type BuildOverrides } from './build.js';
import { networkDifferences, volumeDifferences } from './divergence.js';
import { effectivePullPolicy, planPulls, planPush, presentAfterPulls, type PlannedPulls } from './pull.js';
import { preStartContainers, preStartImages } from './pre-start.js';

/**
 * The planner: desired state (a loaded Project) against observed state (labels read back from the
 * engine) → a Plan. No I/O: the one outside input is the injected {@link UpPlanOptions.prompt},
 * so every decision is unit-tested without a daemon. Behaviour follows docker compose's
 * convergence (compose-behaviour.md §3.14; docker/compose `pkg/compose/reconcile.go`).
 */

/**
 * Asks the user a yes/no question while planning (compose's `Prompt`); resolves `true` for yes.
 * The question is compose's text, without the `[y/N]` suffix.
 */
export type Prompt = (question: string) => Promise<boolean>;

/**
 * Options of {@link planUp}: the `up` / `create` flags that change what is planned (timeouts in
 * seconds), and the {@link Prompt} asked before a destructive change.
 */
export interface UpPlanOptions {
  /** Services named on the command line; empty = all. */
  services?: string[];
  /** `--no-deps`: do not add the dependencies of the named services. */
  noDeps?: boolean;
  /** `--build`: build every service that has `build`, even when its image exists. */
  build?: boolean;
  /** `--force-recreate`. */
  forceRecreate?: boolean;
  /** `--no-recreate`. */
  noRecreate?: boolean;
  /** `--no-start` / `create`: create but do not start. */
  noStart?: boolean;
  /** `--remove-orphans`. */
  removeOrphans?: boolean;
  /** `--scale svc=n` overrides. */
  scale?: Record<string, number>;
  /** `-t`: stop timeout in seconds for containers being replaced. */
  timeoutSeconds?: number;
  /** `COMPOSE_IGNORE_ORPHANS`: do not warn about orphans. */
  ignoreOrphans?: boolean;
  /** `--no-build`: never build; a missing image is an error. */
  noBuild?: boolean;
  /** `--always-recreate-deps`: force-recreate the (non-targeted) dependencies too. */
  alwaysRecreateDeps?: boolean;
  /** `-y`: answer yes to prompts (recreating a volume whose configuration changed). */
  yes?: boolean;
  /**
   * Asked (unless `yes`) before planning a destructive change: today only recreating a volume
   * whose configuration changed (`Volume "x" exists but doesn't match configuration in compose
   * file (changed). Recreate (data will be lost)?`). No → the plan is refused with
   * {@link VolumeDivergedError}; without a prompt the plan is refused likewise.
   */
  prompt?: Prompt;
  /** The engine's negotiated API version: attributes newer engines need fail clearly. Default 1.41. */
  apiVersion?: string;
  /**
   * `--pull`: `always`, `missing`, `never`, `build`, or `policy` (default: each service's
   * `pull_policy`). Missing images of services with `image:` are pulled ({@link planPulls}).
   */
  pull?: string;
  /**
   * Images whose build inputs changed since they were built (image reference → why, e.g.
   * `build context changed: app.py`), from {@link staleImages}: rebuilt like with `--build`.
   */
  staleImages?: Map<string, string>;
  /** The `build` command's `--no-cache`, `--pull`, `--build-arg`, `-m`. */
  buildOverrides?: BuildOverrides;
}

/**
 * Plan `up` (or `create` with `noStart`): a {@link Reconciler} run over the selected services.
 *
 * Observed image IDs must be in `observed.images`, keyed by image reference; images are pulled
 * as `pull_policy` / `--pull` say (a `pull-image` step, {@link planPulls}); a service whose image
 * is missing and not pulled gets a build step when it has `build`, else planning fails.
 *
 * @throws CapstanError USAGE for unknown services / bad scale; VALIDATION for cycles and bad
 *   values; NOT_FOUND for a missing external network or volume or a missing image;
 *   {@link VolumeDivergedError} (CONFLICT) when a volume must be recreated and neither `yes`
 *   nor the prompt agreed (the plan is refused: nothing is returned to execute).
 */
export async function planUp(project: Project, observed: ObservedState, options: UpPlanOptions = {}): Promise<Plan> {
  return new Reconciler(project, observed, options).reconcile();
}

/** What {@link planRun} adds to the dependencies' plan: the one-off container (compose's `run`). */
export interface RunPlanInput {
  /** The service as `run` changes it (command, ports, restart cleared, …): what the one-off runs. */
  service: ServiceConfig;
  /** The one-off container's name (`<project>-<service>-run-<slug>`, or `--name`). */
  name: string;
  /** Its create body and side work, labelled as a one-off (`oneoff=True`, slug, no number). */
  spec: ContainerSpec;
  /** Services started first (the run service's dependencies, transitively); empty with `--no-deps`. */
  dependencies: string[];
  /** The one-off node's cause, e.g. `run web sh`. */
  cause: string;
}

/**
 * Plan `run` (compose's `pkg/compose/run.go`): the dependencies as `up` would converge them,
 * then the one-off container's create and start ({@link Reconciler.reconcileRun}). `options` are
 * `up`'s (`build`, `noBuild`, `removeOrphans`, `ignoreOrphans`, `apiVersion`); `services` and
 * `noDeps` are ignored (`run.dependencies` says what starts).
 * @throws as {@link planUp}.
 */
export async function planRun(project: Project, observed: ObservedState, run: RunPlanInput, options: UpPlanOptions = {}): Promise<Plan> {
  return new Reconciler(project, observed, options).reconcileRun(run);
}

/**
 * A managed volume's configuration changed and neither `-y` nor the prompt agreed to recreate it
 * (compose prompts "Recreate (data will be lost)?"): the plan is refused.
 */
export class VolumeDivergedError extends CapstanError {
  constructor(
    readonly volume: string,
    readonly changed: string[],
  ) {
    super('CONFLICT', `volume "${volume}" exists but doesn't match the configuration in the compose file (changed: ${listed(changed)}); recreating it deletes its data`, {
      hint: 'run `up -y` to recreate it (data will be lost), or revert the change to keep it',
    });
  }
}

/** compose's question before recreating a diverged volume (asked through {@link UpPlanOptions.prompt}). */
export function volumeQuestion(volume: string, changed: string[]): string {
  return `Volume "${volume}" exists but doesn't match configuration in compose file (${changed.join(', ')}). Recreate (data will be lost)?`;
}

/** How {@link Reconciler.resources} treats one kind of resource. */
interface ResourceRules<C> {
  kind: 'network' | 'volume';
  declared: Record<string, C>;
  /** Keys the selected services use; the others are left alone. */
  used: Set<string>;
  observed: Map<string, ObservedResource>;
  /** Attributes that drifted from the declaration (only asked when a config-hash label is present). */
  differences: (declared: C, found: ObservedResource) => string[];
  create: (key: string) => Operation;
  unmanaged: (name: string) => string;
  /** The cause of a recreate; rejects to refuse it (the plan is refused). */
  diverged: (name: string, changed: string[]) => Promise<string>;
}

/** What one service's container steps share while it is reconciled. */
interface ServiceContext {
  service: ServiceConfig;
  options: UpPlanOptions;
  hash: string;
  digestText: string;
  imageId: string | undefined;
  /** Steps a new container's creation waits for (networks, volumes, image, parents). */
  createAfter: string[];
  /** Steps a container's start waits for (`depends_on`), added on first use. */
  startAfter: () => string[];
}

/**
 * One `up` reconciliation: owns the plan being built and what is known so far about the
 * desired state against the observed one. Phases run in order (networks, volumes, images, then
 * each service's containers in dependency order, orphans, containers outside the plan on
 * recreated networks/volumes); each decision is a {@link PlanNode} recording its cause.
 */
export class Reconciler {
  private readonly b: PlanBuilder;
  /** Networks and volumes this plan recreates, by engine name (value: the compose key). */
  private readonly divergedNetworks = new Map<string, string>();
  private readonly divergedVolumes = new Map<string, string>();
  /** Services whose image this plan (re)builds. */
  private readonly rebuilt = new Set<string>();
  /** The images this plan pulls, and the services they serve. */
  private pulls: PlannedPulls = { steps: new Map(), services: new Set() };
  /** Per service: the steps after which its containers are running (for dependents' starts). */
  private readonly started = new Map<string, string[]>();
  /** Per service: the steps after which its containers exist (for dependents' creation). */
  private readonly created = new Map<string, string[]>();
  /** Services with at least one container recreated by this plan. */
  private readonly recreated = new Set<string>();
  /** Per service: the names its containers have once the plan ran (for `depends_on` waits). */
  private readonly containers = new Map<string, string[]>();
  /** Duplicate networks this plan removes: engine ID → the step removing it. */
  private readonly duplicates = new Map<string, string>();

  constructor(
    private readonly project: Project,
    private readonly observed: ObservedState,
    private readonly options: UpPlanOptions = {},
  ) {
    this.b = new PlanBuilder(project.name);
  }

  /** Run every phase; see {@link planUp} for what it throws. */
  async reconcile(): Promise<Plan> {
    const { project, options } = this;
    const order = dependencyOrder(project);
    const targeted = options.services?.length ? options.services : order;
    for (const name of targeted) {
      if (!project.services[name]) throw new CapstanError('USAGE', `no such service: ${name}`);
    }
    const selected = options.noDeps ? new Set(targeted) : withDependencies(project, targeted);
    const services = order.filter((s) => selected.has(s)).map((s) => project.services[s]!);
    for (const name of Object.keys(options.scale ?? {})) {
      if (!project.services[name]) throw new CapstanError('USAGE', `--scale: no such service: ${name}`);
    }

    await this.networks(services);
    this.duplicateNetworks();
    await this.volumes(services);
    this.pulls = planPulls(this.b, project, this.observed, services, options);
    for (const name of planImages(this.b, project, presentAfterPulls(this.observed.images, this.pulls), services, options)) this.rebuilt.add(name);
    const targetedSet = new Set(targeted);
    for (const service of services) {
      // --force-recreate applies to the targeted services, --always-recreate-deps to the others.
      const forced = targetedSet.has(service.name) ? options.forceRecreate : options.alwaysRecreateDeps;
      this.service(service, { ...options, forceRecreate: forced });
    }
    planOrphans(this.b, project, this.observed, options);
    this.detachedContainers();
    this.detachFromDuplicates();
    return this.b.plan();
  }

  /**
   * Networks of the project that exist twice under one name (two runs created them at once): the
   * extra copies are removed by ID ({@link ObservedState.duplicateNetworks}), before any container
   * is created or connected by that name (the engine refuses an ambiguous name). Containers of the
   * project's services attached to a copy are recreated first (see {@link service}); any other
   * container is disconnected from it ({@link detachFromDuplicates}).
   */
  private duplicateNetworks(): void {
    const b = this.b;
    for (const [name, extras] of this.observed.duplicateNetworks ?? []) {
      const kept = this.observed.networks.get(name);
      for (const extra of extras) {
        const node = b.node('network', name, undefined, 'remove', `duplicate (id ${extra.id.slice(0, 12)}) of network ${name} (id ${kept?.id.slice(0, 12) ?? '?'}), left by runs at the same time`);
        const id = `remove-network:${extra.id}`;
        b.step(node, id, [], { type: 'remove-network', name, id: extra.id });
        this.duplicates.set(extra.id, id);
        b.before(`create-network:${name}`, id);
      }
    }
  }

  /** Containers attached to a duplicate network and removed by no step: disconnected from it first. */
  private detachFromDuplicates(): void {
    const b = this.b;
    if (!this.duplicates.size) return;
    const ids = new Set(this.duplicates.keys());
    for (const c of this.observed.containers) {
      for (const [networkId, removeId] of this.duplicates) {
        if (!attachedTo(c, new Set([networkId])).length) continue;
        if (b.has(`remove-container:${c.name}`)) {
          b.before(removeId, `remove-container:${c.name}`);
          continue;
        }
        const node = b.node('container', c.name, c.service, 'restart', `attached to a duplicate network ${attachedTo(c, ids).join(', ')}`);
        const step = `disconnect-network:${networkId}:${c.name}`;
        b.step(node, step, [], { type: 'disconnect-network', network: networkId, container: c.name });
        b.before(removeId, step);
      }
    }
  }

  /** The duplicate-network removals the creation of a container on `service`'s networks waits for. */
  private duplicateRemovals(service: ServiceConfig): string[] {
    const names = new Set(Object.keys(service.networks ?? {}).map((k) => this.project.networks[k]?.name));
    return [...(this.observed.duplicateNetworks ?? [])]
      .filter(([name]) => names.has(name))
      .flatMap(([, extras]) => extras.map((e) => this.duplicates.get(e.id)!));
  }

  /** The networks the selected services use; diverged ones are recreated (not destructive: no question). */
  private async networks(services: ServiceConfig[]): Promise<void> {
    const project = this.project;
    await this.resources(this.divergedNetworks, {
      kind: 'network',
      declared: project.networks,
      used: new Set(services.flatMap((s) => Object.keys(s.networks ?? {}))),
      observed: this.observed.networks,
      differences: (network, found) => (found.labels[Label.configHash] !== networkHash(network) && found.network ? networkDifferences(network, found.network) : []),
      create: (key) => networkCreate(project, key),
      unmanaged: (name) => `a network with name ${name} exists but was not created by compose; set \`external: true\` to use an existing network`,
      // compose: stop the attached containers, disconnect them, remove, create, reconnect (reconnect())
      diverged: async (_name, changed) => `config changed: ${listed(changed)}`,
    });
  }

  /**
   * The named volumes the selected services mount. A diverged one is recreated only with `yes`
   * or when the prompt says yes: recreating a volume deletes its data.
   * @throws VolumeDivergedError otherwise.
   */
  private async volumes(services: ServiceConfig[]): Promise<void> {
    const { project, options } = this;
    await this.resources(this.divergedVolumes, {
      kind: 'volume',
      declared: project.volumes,
      used: new Set(services.flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!))),
      observed: this.observed.volumes,
      differences: (volume, found) => (found.labels[Label.configHash] !== volumeHash(volume) && found.volume ? volumeDifferences(volume, found.volume) : []),
      create: (key) => volumeCreate(project, key),
      unmanaged: (name) => `volume ${name} already exists but was not created by Capstan or Docker Compose; set \`external: true\` to use an existing volume`,
      // compose (on yes): stop and remove the containers using it, remove it, create it, recreate them
      diverged: async (name, changed) => {
        if (options.yes) return `config changed: ${listed(changed)} (-y: data is lost)`;
        if (options.prompt && (await options.prompt(volumeQuestion(name, changed)))) return `config changed: ${listed(changed)} (confirmed: data is lost)`;
        throw new VolumeDivergedError(name, changed);
      },
    });
  }

  /**
   * Networks or volumes, as compose converges them (compose-behaviour.md §3.14): external must
   * exist; unmanaged ones with the declared name are used with a warning; missing ones are created;
   * diverged ones are removed and created again (recorded in `diverged`: engine name → key).
   */
  private async resources<C extends { name: string; external?: boolean }>(diverged: Map<string, string>, r: ResourceRules<C>): Promise<void> {
    const b = this.b;
    for (const key of Object.keys(r.declared).sort()) {
      if (!r.used.has(key)) continue;
      const declared = r.declared[key]!;
      const name = declared.name;
      const found = r.observed.get(name);
      if (declared.external) {
        if (!found) {
          throw new CapstanError('NOT_FOUND', `${r.kind} ${name} declared as external, but could not be found`, {
            hint: `create it first: docker ${r.kind} create ${name}`,
          });
        }
        b.node(r.kind, name, undefined, 'up to date', 'external');
        continue;
      }
      if (!found) {
        const node = b.node(r.kind, name, undefined, 'create', 'missing');
        b.step(node, `create-${r.kind}:${name}`, [], r.create(key));
        continue;
      }
      if (!found.managed) {
        b.warn(r.unmanaged(name));
        b.node(r.kind, name, undefined, 'up to date', 'exists, not managed by this project');
        continue;
      }
      const changed = found.labels[Label.configHash] ? r.differences(declared, found) : [];
      if (!changed.length) {
        b.node(r.kind, name, undefined, 'up to date', '');
        continue;
      }
      const cause = await r.diverged(name, changed);
      diverged.set(name, key);
      const node = b.node(r.kind, name, undefined, 'recreate', cause);
      b.step(node, `remove-${r.kind}:${name}`, [], r.kind === 'network' ? { type: 'remove-network', name, id: found.id } : { type: 'remove-volume', name });
      b.step(node, `create-${r.kind}:${name}`, [`remove-${r.kind}:${name}`], r.create(key));
    }
  }

  /** The pull steps `service`'s containers wait for: its image's, its `type: image` volume sources' and its `pre_start` images'. */
  private pullsFor(service: ServiceConfig): string[] {
    const refs = [
      serviceImage(this.project.name, service),
      ...(service.volumes ?? []).filter((v) => v.type === 'image' && v.source).map((v) => v.source!),
      ...preStartImages(this.project, service),
    ];
    return refs.map((ref) => this.pulls.steps.get(ref)).filter((id): id is string => id !== undefined);
  }

  /** Record that `name` is one of `service`'s containers once the plan ran. */
  private addContainer(service: string, name: string): void {
    const list = this.containers.get(service) ?? [];
    list.push(name);
    this.containers.set(service, list);
  }

  /**
   * One service's containers: recreate the obsolete ones, reconnect those on recreated
   * networks, restart for `depends_on.restart`, finish interrupted recreates, start stopped
   * ones, create up to the scale and remove the surplus (highest numbers, obsolete first).
   */
  private service(service: ServiceConfig, options: UpPlanOptions): void {
    const { b, project, observed } = this;
    const scale = options.scale?.[service.name] ?? service.scale ?? service.deploy?.replicas ?? 1;
    if (!Number.isInteger(scale) || scale < 0) {
      throw new CapstanError('USAGE', `service "${service.name}": scale must be a whole number ≥ 0, got ${scale}`);
    }
    if (service.container_name && scale > 1) {
      throw new CapstanError('VALIDATION', `service "${service.name}": container_name "${service.container_name}" is set, so it cannot scale to ${scale}`);
    }
    const hash = serviceHash(service);
    const digest = serviceDigest(service);
    const image = serviceImage(project.name, service);
    const imageId = observed.images.get(image);
    const canonical = (n: number): string => containerName(project.name, service, n);
    const { kept: existing, leftovers } = splitLeftovers(
      observed.containers.filter((c) => c.service === service.name && !c.oneoff),
      canonical,
    );

    // Dependencies: what this service's start steps must wait for. Wait steps are added only when
    // some container of this service is actually started.
    let waits: string[] | undefined;
    const startAfter = (): string[] => (waits ??= this.dependencyWaits(service));

    // Networks and volumes this service's containers need.
    const createAfter = [
      ...Object.keys(service.networks ?? {})
        .map((k) => `create-network:${project.networks[k]?.name}`)
        .filter((id) => b.has(id)),
      ...(service.volumes ?? [])
        .filter((v) => v.type === 'volume' && v.source)
        .map((v) => `create-volume:${project.volumes[v.source!]?.name}`)
        .filter((id) => b.has(id)),
      ...(b.has(`build-image:${image}`) ? [`build-image:${image}`] : []),
      ...this.pullsFor(service),
      ...this.duplicateRemovals(service),
    ];
    // Containers are created in dependency order too (network_mode/volumes_from need the parent).
    for (const dep of dependenciesOf(service)) createAfter.push(...(this.created.get(dep.on) ?? []));
    // A recreate interrupted (kill -9, engine restart) after creating its temporary copy but before
    // renaming it: the original still exists, so the copy is dropped (its anonymous volumes are the
    // original's: kept) and the original is converged as any other container. The copy goes first:
    // a new recreate of the same original would use the same temporary name.
    for (const leftover of leftovers) {
      createAfter.push(
        planRemoveContainer(b, leftover, stopTimeout(service, options), `leftover of an interrupted recreate (${canonical(leftover.number)} still exists)`),
      );
    }
    const ctx: ServiceContext = { service, options, hash, digestText: JSON.stringify(digest), imageId, createAfter, startAfter };

    const volumesGone = (c: ObservedContainer): string[] => Object.values(c.volumes).filter((v) => this.divergedVolumes.has(v));
    const onDuplicate = (c: ObservedContainer): string[] => attachedTo(c, new Set(this.duplicates.keys()));
    const whyRecreate = new Map(
      existing.map((c) => {
        const gone = volumesGone(c);
        const dup = onDuplicate(c);
        const why =
          (dup.length ? `attached to a duplicate network ${dup.join(', ')}` : '') ||
          (gone.length ? `volume ${gone.join(', ')} recreated` : '') ||
          recreateReason(c, hash, digest, imageId, this.rebuilt.has(service.name), options, this.pulls.services.has(service.name)) ||
          (options.noRecreate ? '' : this.driftReason(service, c));
        return [c, why] as const;
      }),
    );
    // Scale down keeps the up-to-date containers with the lowest numbers: the obsolete ones go
    // first, then the highest numbers (compose sortContainers, compose-behaviour.md §3.14).
    const obsolete = (c: ObservedContainer): number => (whyRecreate.get(c) ? 1 : 0);
    const keep = [...existing].sort((a, c) => obsolete(a) - obsolete(c) || a.number - c.number);
    const surplus = keep.splice(scale).sort((a, c) => c.number - a.number);
    keep.sort((a, c) => a.number - c.number);
    const runningAfter: string[] = [];
    const created: string[] = [];

    let restarts: string[] = [];
    for (const container of keep) {
      const gone = volumesGone(container);
      const networksGone = container.networks.filter((n) => this.divergedNetworks.has(n));
      const why = whyRecreate.get(container)!;
      if (why) {
        // A container on a recreated network or volume goes first: the old network or volume can
        // only be removed once nothing uses it, and the new container needs the new one.
        const oldFirst = gone.length > 0 || networksGone.length > 0 || onDuplicate(container).length > 0;
        const node = b.node('container', container.name, service.name, 'recreate', why);
        const steps = this.recreate(node, ctx, container, oldFirst);
        runningAfter.push(steps.running);
        created.push(steps.created);
        this.recreated.add(service.name);
      } else if (networksGone.length) {
        const running = this.reconnect(container, networksGone, startAfter, options);
        if (running) runningAfter.push(running);
      } else if (!options.noStart && container.state === 'running' && (restarts = restartFor(service, this.recreated)).length) {
        // depends_on.restart: a recreated dependency restarts this container (stopped before the
        // dependency's old container stops, started again once the dependency is up).
        const deps = restarts;
        const node = b.node('container', container.name, service.name, 'restart', `${deps.join(', ')} recreated (depends_on restart: true)`);
        const stopId = `stop-container:${container.name}`;
        b.step(node, stopId, [], { type: 'stop-container', service: service.name, name: container.name, id: container.id, timeoutSeconds: stopTimeout(service, options) });
        for (const dep of deps) for (const old of observed.containers.filter((c) => c.service === dep)) b.before(`stop-container:${old.name}`, stopId);
        const id = `start-container:${container.name}`;
        b.step(node, id, [stopId, ...startAfter()], { type: 'start-container', service: service.name, name: container.name });
        runningAfter.push(id);
      } else if (container.name !== containerName(project.name, service, container.number) && container.labels[Label.replace]) {
        // A recreate was interrupted between removing the old container and renaming the new one.
        const name = containerName(project.name, service, container.number);
        const node = b.node('container', name, service.name, 'recreate', `finish an interrupted recreate (rename ${container.name})`);
        const renameId = `rename-container:${name}`;
        b.step(node, renameId, [], { type: 'rename-container', service: service.name, from: container.name, to: name });
        const running = [renameId];
        if (!options.noStart && container.state !== 'running') {
          b.step(node, `start-container:${name}`, [renameId, ...startAfter()], { type: 'start-container', service: service.name, name });
          running[0] = `start-container:${name}`;
        }
        runningAfter.push(...running);
        this.addContainer(service.name, name);
        continue;
      } else if (!options.noStart && container.state !== 'running' && container.state !== 'restarting') {
        const node = b.node('container', container.name, service.name, 'start', `was ${container.state}`);
        const id = `start-container:${container.name}`;
        b.step(node, id, startAfter(), { type: 'start-container', service: service.name, name: container.name });
        runningAfter.push(id);
      } else {
        b.node('container', container.name, service.name, 'up to date', '');
      }
      this.addContainer(service.name, container.name);
    }

    let next = Math.max(0, ...existing.map((c) => c.number)) + 1;
    for (let i = keep.length; i < scale; i++) {
      const number = next++;
      const name = containerName(project.name, service, number);
      const node = b.node('container', name, service.name, 'create', existing.length === 0 && i === 0 ? 'missing' : `scale ${keep.length} → ${scale}`);
      const spec = containerSpec({ project, service, replica: number, configHash: hash, configDigest: ctx.digestText, apiVersion: options.apiVersion });
      if (imageId) spec.body.Labels![Label.image] = imageId;
      const createId = `create-container:${name}`;
      b.step(node, createId, createAfter, { type: 'create-container', service: service.name, name, finalName: name, spec });
      created.push(createId);
      if (!options.noStart) {
        const startId = `start-container:${name}`;
        b.step(node, startId, [createId, ...startAfter()], { type: 'start-container', service: service.name, name });
        runningAfter.push(startId);
      } else {
        runningAfter.push(createId);
      }
      this.addContainer(service.name, name);
    }

    for (const container of surplus) {
      planRemoveContainer(b, container, stopTimeout(service, options), `scale ${existing.length} → ${scale}`);
    }
    // pre_start: once per service, when none of its replicas stays running through this plan
    if (service.pre_start?.length && !keep.some((c) => isRunning(c) && !whyRecreate.get(c))) {
      this.preStart(service, runningAfter.filter((id) => id.startsWith('start-container:')));
    }
    this.started.set(service.name, runningAfter);
    this.created.set(service.name, created);
  }

  /**
   * The `pre_start` hooks of `service` before its start steps `starts` (the first is its
   * lowest-numbered container, whose volumes the hooks share): one `run-pre-start` step per hook,
   * in order, after everything that first start waits for; every start waits for the last hook.
   */
  private preStart(service: ServiceConfig, starts: string[]): void {
    const { b, project } = this;
    if (!starts.length) return;
    const target = starts[0]!.slice('start-container:'.length);
    let after = b.dependenciesOf(starts[0]!);
    for (const hook of preStartContainers(project, service, target)) {
      const node = b.node('container', hook.name, service.name, 'run', `pre_start[${hook.index}]: no replica of ${service.name} is running`);
      const id = `run-pre-start:${hook.name}`;
      b.step(node, id, after, { type: 'run-pre-start', service: service.name, project: project.name, hook });
      after = [id];
    }
    for (const start of starts) b.before(start, after[0]!);
  }

  /**
   * Why an up-to-date-by-hash container must still be recreated (compose `mustRecreate`): a
   * `network_mode`/`ipc`/`pid`/`volumes_from` parent recreated by this plan, a running container
   * missing one of its networks, or a container missing a named-volume mount.
   */
  private driftReason(service: ServiceConfig, container: ObservedContainer): string {
    const project = this.project;
    for (const key of ['network_mode', 'ipc', 'pid'] as const) {
      const value = service[key];
      if (value?.startsWith('service:') && this.recreated.has(value.slice(8))) {
        return `${key} parent ${value.slice(8)} recreated`;
      }
    }
    for (const from of service.volumes_from ?? []) {
      const parent = from.split(':')[0]!;
      if (!from.startsWith('container:') && this.recreated.has(parent)) return `volumes_from parent ${parent} recreated`;
    }
    if (container.state === 'running' && !service.network_mode) {
      for (const key of Object.keys(service.networks ?? {})) {
        const name = project.networks[key]?.name;
        if (name && !container.networks.includes(name)) return `not connected to network ${name}`;
      }
    }
    for (const v of service.volumes ?? []) {
      if (v.type !== 'volume' || !v.source) continue;
      const name = project.volumes[v.source]?.name;
      if (name && container.volumes[v.target] !== name) return `volume ${name} not mounted at ${v.target}`;
    }
    return '';
  }

  /**
   * The steps a service's start must wait for: the start of `service_started` dependencies, and a
   * wait step for `service_healthy` / `service_completed_successfully`, shared by the dependents
   * that agree on `required` (a failed optional wait only warns; a required one fails `up`).
   */
  private dependencyWaits(service: ServiceConfig): string[] {
    const b = this.b;
    const after: string[] = [];
    for (const dep of dependenciesOf(service)) {
      const depSteps = this.started.get(dep.on);
      if (depSteps === undefined) continue; // not part of this plan (--no-deps, disabled)
      if (dep.condition === 'service_started') {
        after.push(...depSteps);
        continue;
      }
      const kind = dep.condition === 'service_healthy' ? 'healthy' : 'completed';
      const id = `wait-${kind}:${dep.on}${dep.required ? '' : ':optional'}`;
      if (!b.has(id)) {
        const cause = `depends_on ${dep.on}: ${dep.condition}${dep.required ? '' : ' (required: false)'}`;
        b.step(undefined, id, depSteps, {
          type: kind === 'healthy' ? 'wait-healthy' : 'wait-completed',
          service: dep.on,
          containers: [...(this.containers.get(dep.on) ?? [])],
          required: dep.required,
        }, cause);
      }
      after.push(id);
    }
    return after;
  }

  /**
   * Replace `old` with a new container of the same number: create it under a temporary name,
   * stop and remove the old one, rename (compose's order), then start; with `oldFirst` (the old
   * one holds a recreated network or volume) stop and remove it before creating the new one.
   * @returns the step after which the new container runs, and the one after which it exists.
   */
  private recreate(node: PlanNode, ctx: ServiceContext, old: ObservedContainer, oldFirst: boolean): { running: string; created: string } {
    const { b, project } = this;
    const { service, options } = ctx;
    const name = containerName(project.name, service, old.number);
    // oldFirst: stop → remove the old container, then create the new one under its final name.
    const tmp = oldFirst ? name : temporaryName(old.id, name);
    const spec = containerSpec({
      apiVersion: options.apiVersion,
      project,
      service,
      replica: old.number,
      configHash: ctx.hash,
      configDigest: ctx.digestText,
      inheritedVolumes: anonymousVolumes(service, old, this.observed.imageVolumes?.get(serviceImage(project.name, service)) ?? []),
    });
    spec.body.Labels![Label.replace] = old.name;
    if (ctx.imageId) spec.body.Labels![Label.image] = ctx.imageId;
    const createId = `create-container:${tmp}`;
    const stopId = `stop-container:${old.name}`;
    const removeId = `remove-container:${old.name}`;
    const renameId = `rename-container:${name}`;
    const stop: Operation = { type: 'stop-container', service: service.name, name: old.name, id: old.id, timeoutSeconds: stopTimeout(service, options) };
    const remove: Operation = { type: 'remove-container', service: service.name, name: old.name, id: old.id };
    if (oldFirst) {
      b.step(node, stopId, [], stop);
      b.step(node, removeId, [stopId], remove);
      b.step(node, createId, [...ctx.createAfter, removeId], { type: 'create-container', service: service.name, name, finalName: name, spec });
      if (options.noStart) return { running: createId, created: createId };
      const startId = `start-container:${name}`;
      b.step(node, startId, [createId, ...ctx.startAfter()], { type: 'start-container', service: service.name, name });
      return { running: startId, created: createId };
    }
    b.step(node, createId, ctx.createAfter, { type: 'create-container', service: service.name, name: tmp, finalName: name, spec });
    b.step(node, stopId, [createId], stop);
    b.step(node, removeId, [stopId], remove);
    b.step(node, renameId, [removeId], { type: 'rename-container', service: service.name, from: tmp, to: name });
    if (options.noStart) return { running: renameId, created: renameId };
    const startId = `start-container:${name}`;
    b.step(node, startId, [renameId, ...ctx.startAfter()], { type: 'start-container', service: service.name, name });
    return { running: startId, created: renameId };
  }

  /**
   * A container kept across a network recreate (compose: stop, disconnect, recreate the network,
   * reconnect, start again). The endpoint settings (aliases, fixed addresses) come from the
   * container's service when it has one in the project; one-offs and containers of services no
   * longer in the file are reconnected plainly. Returns the step after which it runs again.
   */
  private reconnect(container: ObservedContainer, networks: string[], startAfter: () => string[], options: UpPlanOptions): string | undefined {
    const { b, project } = this;
    const service = project.services[container.service];
    const running = isRunning(container);
    const stopId = `stop-container:${container.name}`;
    const startId = `start-container:${container.name}`;
    const start = !options.noStart && (running || (service !== undefined && !container.oneoff)) && !b.has(startId);
    const node = b.node('container', container.name, container.service, start && !running ? 'start' : 'restart', `network ${networks.join(', ')} recreated`);
    if (running && !b.has(stopId)) {
      b.step(node, stopId, [], { type: 'stop-container', service: container.service, name: container.name, id: container.id, timeoutSeconds: stopTimeout(service, options) });
    }
    const endpoints = service ? serviceNetworks(project, service, container.name) : [];
    const connects: string[] = [];
    for (const network of networks) {
      const disconnectId = `disconnect-network:${network}:${container.name}`;
      b.step(node, disconnectId, running ? [stopId] : [], { type: 'disconnect-network', network, container: container.name });
      b.before(`remove-network:${network}`, disconnectId);
      const endpoint = endpoints.find((e) => e.network === network)?.endpoint;
      const connectId = `connect-network:${network}:${container.name}`;
      b.step(node, connectId, [`create-network:${network}`, disconnectId], { type: 'connect-network', network, container: container.name, endpoint });
      connects.push(connectId);
    }
    if (start) {
      b.step(node, startId, [...connects, ...startAfter()], { type: 'start-container', service: container.service, name: container.name });
      return startId;
    }
    for (const c of connects) b.before(startId, c);
    return connects[connects.length - 1];
  }

  /**
   * Containers outside the services' own planning that are attached to a recreated network or use a
   * recreated volume: removal of the old network/volume waits for their removal or disconnection.
   * @throws CapstanError CONFLICT when a container this plan keeps uses a recreated volume.
   */
  private detachedContainers(): void {
    const b = this.b;
    if (!this.divergedNetworks.size && !this.divergedVolumes.size) return;
    for (const c of this.observed.containers) {
      const networks = c.networks.filter((n) => this.divergedNetworks.has(n));
      const volumes = Object.values(c.volumes).filter((v) => this.divergedVolumes.has(v));
      if (!networks.length && !volumes.length) continue;
      const removeId = `remove-container:${c.name}`;
      if (b.has(removeId)) {
        for (const n of networks) b.before(`remove-network:${n}`, removeId);
        for (const v of volumes) b.before(`remove-volume:${v}`, removeId);
        continue;
      }
      if (volumes.length) {
        throw new CapstanError('CONFLICT', `volume ${volumes[0]} must be recreated, but container ${c.name} uses it and is not part of this plan`, {
          hint: 'run `up -y` for all services, or remove that container first',
        });
      }
      const pending = networks.filter((n) => !b.has(`disconnect-network:${n}:${c.name}`));
      if (pending.length) this.reconnect(c, pending, () => [], this.options);
    }
  }

  // ── run (issue 10): the one-off container after its dependencies ──

  /**
   * Plan `run`: `dependencies` (closed under `depends_on`, empty with `--no-deps`) converged as
   * `up` converges them, the images of those and of the one-off's service (built when missing, or
   * all with `--build`), then the one-off container `oneOff.name` created once its networks,
   * volumes and image exist and its `depends_on` conditions hold (compose's `waitDependencies`
   * before `createContainer`), then started (the step `start-container:<name>`, which `run`
   * replaces by attach-then-start when attached).
   */
  async reconcileRun(oneOff: RunPlanInput): Promise<Plan> {
    const { b, project, options } = this;
    const deps = new Set(oneOff.dependencies);
    const services = dependencyOrder(project).filter((s) => deps.has(s)).map((s) => project.services[s]!);
    const target = oneOff.service;
    await this.networks([...services, target]);
    this.duplicateNetworks();
    await this.volumes([...services, target]);
    this.pulls = planPulls(b, project, this.observed, [...services, target], options);
    for (const name of planImages(b, project, presentAfterPulls(this.observed.images, this.pulls), [...services, target], options)) this.rebuilt.add(name);
    for (const service of services) this.service(service, { ...options, forceRecreate: options.alwaysRecreateDeps });
    planOrphans(b, project, this.observed, options);
    this.detachedContainers();
    this.detachFromDuplicates();

    const image = serviceImage(project.name, target);
    const after = [
      ...Object.keys(target.networks ?? {})
        .map((k) => `create-network:${project.networks[k]?.name}`)
        .filter((id) => b.has(id)),
      ...(target.volumes ?? [])
        .filter((v) => v.type === 'volume' && v.source)
        .map((v) => `create-volume:${project.volumes[v.source!]?.name}`)
        .filter((id) => b.has(id)),
      ...(b.has(`build-image:${image}`) ? [`build-image:${image}`] : []),
      ...this.pullsFor(target),
      ...this.duplicateRemovals(target),
      ...dependenciesOf(target).flatMap((d) => this.created.get(d.on) ?? []),
      ...this.dependencyWaits(target),
    ];
    const node = b.node('container', oneOff.name, target.name, 'create', oneOff.cause);
    const spec = oneOff.spec;
    const imageId = this.observed.images.get(image);
    if (imageId && !this.rebuilt.has(target.name)) spec.body.Labels![Label.image] = imageId;
    const createId = `create-container:${oneOff.name}`;
    b.step(node, createId, after, { type: 'create-container', service: target.name, name: oneOff.name, finalName: oneOff.name, spec });
    b.step(node, `start-container:${oneOff.name}`, [createId], { type: 'start-container', service: target.name, name: oneOff.name });
    return b.plan();
  }
}

/**
 * Plan `build`: the build steps of the named services that have `build` (all when empty), from
 * their images' presence alone; nothing about containers, networks or volumes is looked at.
 * With `push` (`build --push`, as compose's classic builder), the images of those services that
 * also have `image:` are pushed after their build ({@link planPush}).
 */
export function planBuild(project: Project, services: string[], images: ObservedState['images'], overrides?: BuildOverrides, push = false): Plan {
  const b = new PlanBuilder(project.name);
  planImages(b, project, images, services.map((s) => project.services[s]!), { build: true, buildOverrides: overrides });
  return push ? planPush(project, services.map((s) => project.services[s]!), {}, b) : b.plan();
}

/** Build steps; returns the services whose image is (re)built by this plan. */
function planImages(
  b: PlanBuilder,
  project: Project,
  images: ObservedState['images'],
  services: ServiceConfig[],
  options: UpPlanOptions,
): Set<string> {
  const rebuilt = new Set<string>();
  const building = new Set<string>();
  for (const service of services) {
    const image = serviceImage(project.name, service);
    const present = images.get(image) !== undefined;
    const stale = options.staleImages?.get(image);
    const wanted = !present || options.build || buildPolicy(service, options) !== undefined || stale !== undefined;
    if (service.build && wanted && !options.noBuild) {
      rebuilt.add(service.name);
      if (building.has(image)) continue; // two services sharing one image build it once
      building.add(image);
      const node = b.node('image', image, service.name, 'build', buildCause(present, service, options, stale));
      b.step(node, `build-image:${image}`, [], { type: 'build-image', service: service.name, request: buildRequest(project, service, options.buildOverrides) });
    } else if (!present) {
      throw new CapstanError('NOT_FOUND', `service "${service.name}": image ${image} is not present locally`, {
        hint: service.build
          ? 'run without --no-build, or `capstan build` first'
          : 'pull it (`capstan pull`, or a pull_policy / --pull other than never), or build or load it first',
      });
    }
  }
  return rebuilt;
}

/** `--pull build`, or `pull_policy: build` that `--pull` does not override: the words saying so, else undefined. */
function buildPolicy(service: ServiceConfig, options: UpPlanOptions): string | undefined {
  const { text, source } = effectivePullPolicy(service, options.pull);
  return text === 'build' ? source : undefined;
}

/** Why an image is built: missing, `--build`, `--pull build` / `pull_policy: build`, or its inputs changed (stale). */
function buildCause(present: boolean, service: ServiceConfig, options: UpPlanOptions, stale: string | undefined): string {
  if (!present) return 'image missing';
  if (options.build) return '--build';
  return buildPolicy(service, options) ?? stale ?? 'stale';
}

/**
 * A recreate's temporary copy (`<12 hex>_<final name>`, naming.ts {@link temporaryName}) left
 * behind by an interrupted recreate, and the containers kept: a copy whose original (the same
 * replica number under its final name) still exists, or a second copy of the same replica, is a
 * leftover; a lone copy is kept (its rename is finished by the planner).
 */
export function splitLeftovers(
  containers: ObservedContainer[],
  canonical: (number: number) => string,
): { kept: ObservedContainer[]; leftovers: ObservedContainer[] } {
  const isCopy = (c: ObservedContainer): boolean => {
    const m = /^[0-9a-f]{12}_(.+)$/.exec(c.name);
    return m !== null && m[1] === canonical(c.number);
  };
  const originals = new Set(containers.filter((c) => c.name === canonical(c.number)).map((c) => c.number));
  const copies = new Set<number>();
  const kept: ObservedContainer[] = [];
  const leftovers: ObservedContainer[] = [];
  for (const c of containers) {
    if (!isCopy(c)) kept.push(c);
    else if (originals.has(c.number) || copies.has(c.number)) leftovers.push(c);
    else {
      copies.add(c.number);
      kept.push(c);
    }
  }
  return { kept, leftovers };
}

/** The dependencies of `service` with `restart: true` that this plan recreates. */
function restartFor(service: ServiceConfig, recreated: Set<string>): string[] {
  return Object.entries(service.depends_on ?? {})
    .filter(([on, d]) => d.restart && recreated.has(on))
    .map(([on]) => on);
}

/** Why a container must be recreated, or '' when it is up to date. */
function recreateReason(
  container: ObservedContainer,
  hash: string,
  digest: Record<string, string>,
  imageId: string | undefined,
  imageRebuilt: boolean,
  options: UpPlanOptions,
  imagePulled = false,
): string {
  if (options.noRecreate) return '';
  if (options.forceRecreate) return '--force-recreate';
  if (container.labels[Label.configHash] !== hash) {
    const changed = changedAttributes(container.labels[Label.configDigest], digest);
    if (changed.length === 0) return 'config changed (config-hash differs)';
    return `config changed: ${listed(changed)}`;
  }
  if (imageRebuilt) return 'image is rebuilt first (recreated if it changes)';
  if (imagePulled) return 'image is pulled first (recreated if it changes)';
  const recorded = container.labels[Label.image];
  if (imageId && recorded && recorded !== imageId) return 'image changed';
  return '';
}

/**
 * Orphans (`up` and `down`): removed with `removeOrphans` (stopped within `-t`), else named in
 * compose's warning unless `ignoreOrphans`. An orphan the plan already removes (an exited
 * one-off of a service `down` removes) is left to that step. Returns the remove steps.
 */
function planOrphans(
  b: PlanBuilder,
  project: Project,
  observed: ObservedState,
  options: { removeOrphans?: boolean; ignoreOrphans?: boolean; timeoutSeconds?: number },
): string[] {
  const orphans = findOrphans(project, observed);
  if (!options.removeOrphans) {
    if (orphans.length && !options.ignoreOrphans) b.warn(orphanWarning(orphans));
    return [];
  }
  return orphans
    .filter((c) => !b.has(`remove-container:${c.name}`))
    .map((c) => planRemoveContainer(b, c, options.timeoutSeconds, c.oneoff ? 'orphan: exited one-off container' : 'orphan: service not in the compose file'));
}

/**
 * Stop (when running) and remove `c`, after the steps `after`. `reason` is the node's cause;
 * `stepCause` the steps' when the reason is empty (`down`). Returns the remove step's id.
 */
function planRemoveContainer(
  b: PlanBuilder,
  c: ObservedContainer,
  timeoutSeconds: number | undefined,
  reason: string,
  after: string[] = [],
  removeVolumes = false,
  stepCause?: string,
): string {
  const node = b.node('container', c.name, c.service, 'remove', reason);
  const stopId = `stop-container:${c.name}`;
  const removeId = `remove-container:${c.name}`;
  const running = isRunning(c);
  if (running) {
    b.step(node, stopId, after, { type: 'stop-container', service: c.service, name: c.name, id: c.id, timeoutSeconds }, stepCause);
  }
  b.step(node, removeId, running ? [stopId] : after, {
    type: 'remove-container',
    service: c.service,
    name: c.name,
    id: c.id,
    volumes: removeVolumes,
  }, stepCause);
  return removeId;
}

/** Options of {@link planDown}: `down [SERVICE...] [-v] [--remove-orphans] [-t N]`. */
export interface DownPlanOptions {
  /** Services named on the command line: only these (and their dependents) are removed. */
  services?: string[];
  /** `-v`: remove named volumes declared by the project, and anonymous volumes. */
  volumes?: boolean;
  /** `--remove-orphans` (or `COMPOSE_REMOVE_ORPHANS`); without it orphans are left, unmentioned (compose's down). */
  removeOrphans?: boolean;
  /** `-t`: stop timeout in seconds. */
  timeoutSeconds?: number;
  /** `--rmi local|all`: the images to remove (present ones, chosen by {@link Compose.down}), after the containers. */
  removeImages?: string[];
}

/**
 * Plan `down`: stop and remove containers in reverse dependency order, then the project's
 * networks (and with `-v` its named volumes). Only resources carrying the project label are
 * touched; external resources never are.
 *
 * `project` may be a label-only project (no compose file: `down -p name`), in which case its
 * services are those found on containers.
 */
export function planDown(project: Project, observed: ObservedState, options: DownPlanOptions = {}): Plan {
  const b = new PlanBuilder(project.name);
  const known = Object.keys(project.services);
  const selected = options.services?.length ? withDependents(project, options.services) : new Set(known);
  const order = dependencyOrder(project);
  // Reverse dependency order: a service is removed after everything that depends on it.
  const removed = new Map<string, string[]>();
  for (const name of [...order].reverse()) {
    if (!selected.has(name)) continue;
    const service = project.services[name]!;
    const after = dependentSteps(project, name, removed);
    const ids: string[] = [];
    for (const c of observed.containers.filter((c) => c.service === name)) {
      ids.push(planRemoveContainer(b, c, stopTimeout(service, options), '', after, options.volumes, options.volumes ? 'down -v' : 'down'));
    }
    removed.set(name, ids);
  }
  // pre_start hook containers a failed run kept (compose removes them in down, scoped to SERVICEs)
  for (const c of observed.hookContainers ?? []) {
    if (!selected.has(c.service) && options.services?.length) continue;
    const node = b.node('container', c.name, c.service, 'remove', 'pre_start hook container');
    const id = `remove-container:${c.name}`;
    b.step(node, id, [], { type: 'remove-container', service: c.service, name: c.name, id: c.id, volumes: true });
    removed.set(`${c.service} hooks`, [...(removed.get(`${c.service} hooks`) ?? []), id]);
  }
  if (options.services?.length) return b.plan();

  const orphans = options.removeOrphans ? planOrphans(b, project, observed, options) : [];
  const allRemoved = [...[...removed.values()].flat(), ...orphans];
  for (const network of Object.values(project.networks)) {
    if (network.external) continue;
    const found = observed.networks.get(network.name);
    if (!found?.managed) continue;
    const node = b.node('network', network.name, undefined, 'remove', '');
    b.step(node, `remove-network:${network.name}`, allRemoved, { type: 'remove-network', name: network.name, id: found.id }, 'down');
    // copies left by runs at the same time: each by its ID (the name is ambiguous to the engine)
    for (const extra of observed.duplicateNetworks?.get(network.name) ?? []) {
      const copy = b.node('network', network.name, undefined, 'remove', `duplicate (id ${extra.id.slice(0, 12)})`);
      b.step(copy, `remove-network:${extra.id}`, allRemoved, { type: 'remove-network', name: network.name, id: extra.id }, 'down');
    }
  }
  if (options.volumes) {
    for (const volume of Object.values(project.volumes)) {
      if (volume.external) continue;
      const found = observed.volumes.get(volume.name);
      if (!found?.managed) continue;
      const node = b.node('volume', volume.name, undefined, 'remove', '-v');
      b.step(node, `remove-volume:${volume.name}`, allRemoved, { type: 'remove-volume', name: volume.name });
    }
  }
  planRemoveImages(b, options.removeImages ?? [], allRemoved);
  return b.plan();
}

/** `down --rmi`: one remove step per image, after every container removal. */
function planRemoveImages(b: PlanBuilder, images: string[], after: string[]): void {
  for (const image of new Set(images)) {
    const node = b.node('image', image, undefined, 'remove', '--rmi');
    b.step(node, `remove-image:${image}`, after, { type: 'remove-image', name: image });
  }
}

/**
 * Plan stopping the running containers of `services` (all when empty) in reverse dependency
 * order: a container stops after those that depend on it (Ctrl+C in attached `up`, `stop`).
 * One-off `run` containers of those services are stopped too, as docker compose's stop does
 * (`pkg/compose/stop.go` lists them with `oneOffInclude`).
 */
export function planStop(
  project: Project,
  observed: ObservedState,
  options: { services?: string[]; timeoutSeconds?: number } = {},
): Plan {
  const b = new PlanBuilder(project.name);
  const selected = new Set(options.services?.length ? options.services : observed.containers.map((c) => c.service));
  const order = dependencyOrder(project);
  const known = new Set(order);
  const stopped = new Map<string, string[]>();
  const services = [...order.filter((s) => selected.has(s)), ...[...selected].filter((s) => !known.has(s))];
  for (const name of services.reverse()) {
    const after = dependentSteps(project, name, stopped);
    const ids: string[] = [];
    for (const c of observed.containers.filter((c) => c.service === name)) {
      if (!isRunning(c)) continue;
      const id = `stop-container:${c.name}`;
      const node = b.node('container', c.name, name, 'stop', '');
      b.step(node, id, after, { type: 'stop-container', service: name, name: c.name, id: c.id, timeoutSeconds: stopTimeout(project.services[name], options) }, 'stop');
      ids.push(id);
    }
    stopped.set(name, ids);
  }
  return b.plan();
}

/** The `create-network` operation for `networks.<key>`, with Compose's labels. */
function networkCreate(project: Project, key: string): Operation {
  const network = project.networks[key]!;
  return {
    type: 'create-network',
    key,
    body: {
      Name: network.name,
      CheckDuplicate: true,
      Driver: network.driver,
      Internal: network.internal || undefined,
      Attachable: network.attachable || undefined,
      EnableIPv6: network.enable_ipv6 || undefined,
      Options: network.driver_opts,
      IPAM: network.ipam
        ? {
            Driver: network.ipam.driver,
            Options: network.ipam.options,
            Config: network.ipam.config?.map((c) => ({
              Subnet: c.subnet,
              IPRange: c.ip_range,
              Gateway: c.gateway,
              AuxiliaryAddresses: c.aux_addresses,
            })),
          }
        : undefined,
      Labels: {
        ...(network.labels ?? {}),
        [Label.project]: project.name,
        [Label.network]: key,
        [Label.version]: COMPOSE_VERSION_LABEL,
        [Label.configHash]: networkHash(network),
      },
    },
  };
}

/** Up to four attribute names, then a count. */
function listed(changed: string[]): string {
  return `${changed.slice(0, 4).join(', ')}${changed.length > 4 ? `, +${changed.length - 4} more` : ''}`;
}

/** The `create-volume` operation for `volumes.<key>`, with Compose's labels. */
function volumeCreate(project: Project, key: string): Operation {
  const volume = project.volumes[key]!;
  return {
    type: 'create-volume',
    key,
    body: {
      Name: volume.name,
      Driver: volume.driver,
      DriverOpts: volume.driver_opts,
      Labels: {
        ...(volume.labels ?? {}),
        [Label.project]: project.name,
        [Label.volume]: key,
        [Label.version]: COMPOSE_VERSION_LABEL,
        [Label.configHash]: volumeHash(volume),
      },
    },
  };
}

/**
 * The old container's volumes a recreate keeps, by target: its anonymous volumes (no `source` in
 * the service), and the volumes at the paths its image declares (`VOLUME` in the Dockerfile) that
 * the service mounts nothing on. Without the second, a database image's data would start empty
 * on every recreate (compose keeps them too).
 */
function anonymousVolumes(service: ServiceConfig, old: ObservedContainer, imageVolumes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of service.volumes ?? []) {
    if (v.type === 'volume' && !v.source && old.volumes[v.target]) out[v.target] = old.volumes[v.target]!;
  }
  const mounted = new Set([...(service.volumes ?? []).map((v) => v.target), ...(service.tmpfs ?? []).map((t) => t.split(':')[0]!)]);
  for (const path of imageVolumes) {
    if (!mounted.has(path) && old.volumes[path]) out[path] = old.volumes[path]!;
  }
  return out;
}

/** The steps already planned for the services that depend on `name` (they stop first). */
function dependentSteps(project: Project, name: string, planned: Map<string, string[]>): string[] {
  return Object.values(project.services)
    .filter((s) => dependenciesOf(s).some((d) => d.on === name))
    .flatMap((s) => planned.get(s.name) ?? []);
}

/** Running in the sense that stopping it does something: running, restarting or paused. */
function isRunning(c: ObservedContainer): boolean {
  return c.state === 'running' || c.state === 'restarting' || c.state === 'paused';
}

/** Stop timeout in seconds (shared with verbs/lifecycle.ts): `-t`, else the service's `stop_grace_period`, else the engine default. */
export function stopTimeout(service: ServiceConfig | undefined, options: { timeoutSeconds?: number } = {}): number | undefined {
  if (options.timeoutSeconds !== undefined) return options.timeoutSeconds;
  const grace = service?.stop_grace_period ? parseDuration(service.stop_grace_period) : undefined;
  return grace === undefined ? undefined : nanosToSeconds(grace);
}

/** docker compose's orphan warning, naming the containers. */
function orphanWarning(orphans: ObservedContainer[]): string {
  return `Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`;
}

/**
 * Orphans as compose's `isOrphaned` counts them (compose-behaviour.md §3.13): a one-off (`run`)
 * container that has exited or died, whatever its service; any other container whose service is
 * neither enabled nor disabled by a profile.
 */
function findOrphans(project: Project, observed: ObservedState): ObservedContainer[] {
  return observed.containers.filter((c) =>
    c.oneoff ? c.state === 'exited' || c.state === 'dead' : !(c.service in project.services) && !(c.service in project.disabledServices),
  );
}
