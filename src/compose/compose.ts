import { CapstanError } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { Engine } from '../engine/types.js';
import { ignoreEvents, type EventSink } from './events.js';
import { bakeFile, buildRequest, staleImages, type BakeFile, type BuildOverrides } from './build.js';
import { executePlan } from './executor.js';
import { acquireProjectLock } from './project-lock.js';
import { checkServices, withDependencies } from './graph.js';
import { Label } from './labels.js';
import { serviceImage } from './naming.js';
import { preStartImages } from './pre-start.js';
import { listLabelled, listProjectContainers, observe, type LabelledResources, type ObservedContainer, type ObservedState } from './observed.js';
import { stepRunner } from './operations.js';
import { Plan } from './plan.js';
import { planBuild, planDown, planStop, planUp, type DownPlanOptions, type Prompt, type UpPlanOptions } from './planner.js';
import { sleep, waitFor } from './wait.js';
import * as lifecycle from './verbs/lifecycle.js';
import { projectContainers, projectLogs, streamLogs, type LogLine, type ProjectLogsOptions } from './logs.js';
import { execInService, type ExecOptions, type ExecResult } from './verbs/exec.js';
import { listProjects, type LsOptions, type ProjectSummary } from './verbs/ls.js';
import { publishedPort, type PortOptions, type PublishedPort } from './verbs/port.js';
import { topProcesses, type ContainerProcesses, type TopOptions } from './verbs/top.js';
import { containerImages, type ContainerImage, type ImagesOptions } from './verbs/images.js';
import { projectVolumes, type VolumeSummary, type VolumesOptions } from './verbs/volumes.js';
import { engineTime } from './verbs/timestamps.js';
import { projectEvents, type ProjectEvent, type EventsOptions } from './verbs/events.js';
import { waitForContainers, type WaitOptions, type WaitResult } from './verbs/wait.js';
import { scaleUpOptions, type ScaleOptions } from './verbs/scale.js';
import { runOneOff, type RunOptions, type RunResult } from './verbs/run.js';
import { attachToService, type AttachOptions, type AttachResult } from './verbs/attach.js';
import { copyFiles, type CopyOptions, type CopyResult } from './verbs/cp.js';
import { containerStats, type StatsOptions, type StatsRow } from './verbs/stats.js';
import { exportContainer, type ExportOptions, type ExportResult } from './verbs/export.js';
import { commitContainer, type CommitOptions, type CommitResult } from './verbs/commit.js';
import { pullServices, pushServices, type PullOptions, type PushOptions } from './verbs/pull-push.js';
import type { WatchOptions } from './verbs/watch.js';

/**
 * The Compose object: one method per command, each `(project, options)`. The CLI only parses
 * flags into these options and calls one method (ARCHITECTURE.md); library users do the same.
 */
export interface ComposeOptions {
  engine: Engine;
  /** Progress and warnings; the ui layer renders them. */
  events?: EventSink;
  /** Maximum engine operations in flight (`--parallel`); unlimited by default. */
  concurrency?: number;
  /**
   * The per-project lock `up` and `down` hold while they change resources (project-lock.ts):
   * `dir` of its files (default the OS temp dir), `engine` the key of the engine (default its
   * endpoint URL). Without an endpoint URL (a fake engine) and without this option, no lock.
   */
  lock?: { dir?: string; engine?: string };
}

/** Options of {@link Compose.down}: services, `-v`, orphans, `-t` (seconds), dry run, Ctrl+C signal. */
export interface DownOptions extends DownPlanOptions {
  /** `--rmi local|all`: also remove the services' images (local: those without `image:`). */
  rmi?: 'local' | 'all';
  /** Plan only (the caller prints the returned plan); change nothing. */
  dryRun?: boolean;
  /** Ctrl+C: stop starting new steps. */
  signal?: AbortSignal;
}

/** Options of {@link Compose.build}: the services to build (all with `build` when empty), Ctrl+C signal. */
export interface BuildOptions {
  services?: string[];
  signal?: AbortSignal;
  /** `--dry-run`: plan the builds, run none (the caller prints the returned plan). */
  dryRun?: boolean;
  /** `--no-cache`, `--pull`, `--build-arg` (a `null` value: from the environment), `-m` (bytes). */
  overrides?: BuildOverrides;
  /** `--with-dependencies`: also build the services the named ones depend on. */
  withDependencies?: boolean;
  /** `--push`: push the built images of services that also have `image:` (pull.ts `planPush`). */
  push?: boolean;
}

/** Options of {@link Compose.ps}: `-a` (stopped containers too), services (all when empty). */
export interface PsOptions {
  all?: boolean;
  services?: string[];
}

/**
 * Options of {@link Compose.logs}: `-f`, `--tail`, `-t`, `--since` / `--until` (a string is read
 * as the docker CLI does: `10m`, Unix seconds, or a date; a number is Unix seconds), `--index`,
 * Ctrl+C signal, services (all when empty).
 */
export type LogsOptions = ProjectLogsOptions;

/** Options of {@link Compose.up}: the planner's options plus how `up` runs and ends. */
export interface UpOptions extends UpPlanOptions {
  /** `--quiet-pull`: no `pull-progress` events (the images' Pulling/Pulled lines stay). */
  quietPull?: boolean;
  /** Print the plan only (the caller prints `result.plan`); change nothing. */
  dryRun?: boolean;
  /** `-d`: return once converged; otherwise follow logs until the containers exit. */
  detach?: boolean;
  /** `--wait`: after starting, wait until every container is running (healthy if it has a healthcheck). */
  wait?: boolean;
  /** `--wait-timeout`, seconds. */
  waitTimeoutSeconds?: number;
  /**
   * Attached mode: the containers are up and their logs follow next; `containers` are those shown
   * (compose prints "Attaching to …" here, and the progress display ends).
   */
  onAttach?: (containers: string[]) => void;
  /** Attached mode: where log lines go. */
  onLog?: (line: LogLine) => void;
  /** Attached mode: a container exited (`x exited with code N`). */
  onExit?: (container: string, service: string, code: number) => void;
  /** Ctrl+C: stop converging; in attached mode, stop the targeted services gracefully. */
  signal?: AbortSignal;
  /** Second Ctrl+C: kill instead of stop. */
  forceSignal?: AbortSignal;
  /** `--abort-on-container-exit`: stop everything when a container exits. */
  abortOnContainerExit?: boolean;
  /** `--abort-on-container-failure`: stop everything when a container exits non-zero. */
  abortOnContainerFailure?: boolean;
  /** `--exit-code-from`: implies abort on exit (on failure only with `abortOnContainerFailure`); `up` returns this service's exit code. */
  exitCodeFrom?: string;
  /** `--attach`: show only these services' logs. */
  attach?: string[];
  /** `--no-attach`: do not show these services' logs. */
  noAttach?: string[];
  /** `--attach-dependencies`: also show the logs of dependencies. */
  attachDependencies?: boolean;
  /** `--timestamps`. */
  timestamps?: boolean;
}

/** What {@link Compose.up} did: the plan it executed, and the exit code `up` should end with. */
export interface UpResult {
  plan: Plan;
  /** What the process should exit with (attached mode: see `--exit-code-from`); 0 otherwise. */
  exitCode: number;
}

/**
 * A published or exposed port of a container, as the Engine API lists it (`GET /containers/json`
 * `Ports`), in compose's `ps --format json` spelling.
 */
export interface PortPublisher {
  /** Host IP (`0.0.0.0`, `::`), empty when the port is not published. */
  URL: string;
  TargetPort: number;
  /** Host port, 0 when the port is not published. */
  PublishedPort: number;
  /** `tcp`, `udp`, `sctp`. */
  Protocol: string;
}

/** One row of `ps`. */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  command: string;
  project: string;
  service: string;
  number: number;
  created: number;
  state: string;
  status: string;
  health: string;
  exitCode: number;
  publishers: PortPublisher[];
  labels: Record<string, string>;
  networks: string[];
  /** Mounted volumes (name, or source path for binds); `local` for local-driver volumes. */
  mounts: { name: string; local: boolean }[];
}

/**
 * Drives one engine: `up`, `down`, `build`, `ps`, `logs`, each planning against observed state
 * and executing the plan with progress events. Errors are CapstanErrors (see each method).
 */
export class Compose {
  readonly engine: Engine;
  private readonly emit: EventSink;
  private readonly concurrency: number | undefined;
  private prefetched: Promise<LabelledResources> | undefined;
  private readonly lockOptions: ComposeOptions['lock'];

  constructor(options: ComposeOptions) {
    this.engine = options.engine;
    this.emit = options.events ?? ignoreEvents;
    this.concurrency = options.concurrency;
    this.lockOptions = options.lock;
  }

  /**
   * Take the project's lock (project-lock.ts) for a change; resolves its release. Waiting behind
   * another Capstan is announced once as a warning.
   */
  private async lock(project: string, signal?: AbortSignal): Promise<() => void> {
    const engine = this.lockOptions?.engine ?? (this.engine as { endpointUrl?: string }).endpointUrl;
    if (engine === undefined) return () => undefined;
    return acquireProjectLock(engine, project, {
      dir: this.lockOptions?.dir,
      signal,
      onWait: (holder) => {
        // what was listed before waiting is out of date once the other run is done
        this.prefetched = undefined;
        this.emit({ type: 'warning', message: `another capstan (pid ${holder.pid}) is changing project "${project}"; waiting for it to finish` });
      },
    });
  }

  /**
   * Observe the project's resources, plus (for `up`) the declared networks and volumes found
   * without the project label and the images its services run. `labelledOnly` (`down`, stopping)
   * asks the engine for nothing else: those plans touch only what carries the label.
   */
  async observe(project: Project, options: { labelledOnly?: boolean } = {}): Promise<ObservedState> {
    const labelled = this.prefetched;
    this.prefetched = undefined;
    const declared = options.labelledOnly
      ? {}
      : {
          networks: Object.values(project.networks).map((n) => n.name),
          volumes: Object.values(project.volumes).map((v) => v.name),
          images: Object.values(project.services).flatMap((s) => [
            serviceImage(project.name, s),
            // `type: image` volume sources: pulled when missing
            ...(s.volumes ?? []).filter((v) => v.type === 'image' && v.source).map((v) => v.source!),
            // `pre_start` hook images: pulled under the service's policy
            ...preStartImages(project, s),
          ]),
        };
    if (!options.labelledOnly) {
      // who uses each image: an image the engine rejects is reported with its services
      const users: Record<string, string[]> = {};
      for (const s of Object.values(project.services)) {
        for (const ref of new Set([serviceImage(project.name, s), ...(s.volumes ?? []).filter((v) => v.type === 'image' && v.source).map((v) => v.source!)])) {
          (users[ref] ??= []).push(s.name);
        }
      }
      return observe(this.engine, project.name, { ...declared, imageUsers: users }, labelled);
    }
    return observe(this.engine, project.name, declared, labelled);
  }

  /**
   * Start listing the resources labelled with `projectName` now (and negotiating the API version
   * with it), so the engine round trips overlap with loading the compose file. The next
   * {@link observe} of that project uses the result; a failure surfaces there, not here.
   */
  prefetch(projectName: string): void {
    const labelled = listLabelled(this.engine, projectName);
    labelled.catch(() => undefined);
    this.prefetched = labelled;
  }

  /**
   * `up` / `create`: build what is missing, converge containers to the project, then (unless
   * detached) follow logs until the containers exit. Images are built before containers are
   * planned, so a rebuild that changes nothing recreates nothing (as docker compose).
   * `options.prompt` is asked each question at most once, though `up` plans again after building;
   * a "no" (or no prompt) refuses the plan before anything is executed.
   *
   * @throws CapstanError (CANCELLED on Ctrl+C, DEPENDENCY for failed conditions, TIMEOUT for --wait);
   *   {@link VolumeDivergedError} when a volume must be recreated and the prompt did not agree
   */
  async up(project: Project, options: UpOptions = {}): Promise<UpResult> {
    const unlock = options.dryRun ? () => undefined : await this.lock(project.name, options.signal);
    let plan: Plan;
    let since = 0;
    try {
      ({ plan, since } = await this.convergeRetrying(project, options));
    } finally {
      unlock();
    }
    if (options.dryRun || options.noStart) return { plan, exitCode: 0 };
    const targeted = options.services?.length ? options.services : Object.keys(project.services);
    const running = options.noDeps ? new Set(targeted) : withDependencies(project, targeted);
    if (options.wait) {
      await this.waitRunning(project, [...running], options.waitTimeoutSeconds, options.signal);
      return { plan, exitCode: 0 };
    }
    if (options.detach) return { plan, exitCode: 0 };
    return { plan, exitCode: await this.followAttached(project, targeted, since, options) };
  }

  /**
   * {@link converge}, again (twice at most) when a container name is taken by another container
   * of this project that the observation did not see: the engine may still be carrying out the
   * requests of a run that was killed (kill -9 leaves its in-flight create behind), so the
   * observation was out of date; observing and planning again converges from what is there.
   */
  private async convergeRetrying(project: Project, options: UpOptions): Promise<{ plan: Plan; since: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.converge(project, options);
      } catch (err) {
        if (attempt > 2 || options.signal?.aborted || !(await this.ownNameConflict(project.name, err))) throw err;
        this.emit({ type: 'warning', message: `${(err as Error).message.split(': Conflict.')[0]}: the name was taken meanwhile by a container of this project; planning again` });
        await sleep(500 * attempt, options.signal);
      }
    }
  }

  /** Whether `err` is a name conflict with a container carrying `project`'s label. */
  private async ownNameConflict(project: string, err: unknown): Promise<boolean> {
    if (!(err instanceof CapstanError) || err.code !== 'CONFLICT') return false;
    const id = /is already in use by container "?([0-9a-f]{12,64})/.exec(err.message)?.[1];
    if (!id) return false;
    const holder = await this.engine.inspectContainer(id).catch(() => undefined);
    return holder?.Config?.Labels?.[Label.project] === project;
  }

  /** {@link up} under the project lock: observe, build, plan and execute; the plan (and since when logs are shown). */
  private async converge(project: Project, options: UpOptions): Promise<{ plan: Plan; since: number }> {
    let observed = await this.observe(project);
    // the observation's reads may have answered before the version did
    options = { apiVersion: await this.engine.negotiatedApiVersion(), ...options, prompt: askOnce(options.prompt) };
    if (!options.build && !options.noBuild && !options.staleImages) options = { ...options, staleImages: await this.staleImages(project, options) };
    let plan = await planUp(project, observed, options);
    if (options.dryRun) return { plan, since: 0 };
    if (options.exitCodeFrom && !project.services[options.exitCodeFrom]) {
      throw new CapstanError('USAGE', `--exit-code-from: no such service: ${options.exitCodeFrom}`);
    }

    const builds = plan.steps.filter((s) => s.op.type === 'build-image' || s.op.type === 'pull-image');
    if (builds.length) {
      const images = new Map<string, string>();
      const emit = options.quietPull ? (e: Parameters<EventSink>[0]): void => void (e.type === 'pull-progress' || this.emit(e)) : this.emit;
      await executePlan(new Plan(plan.project, [], builds, []), stepRunner(this.engine, emit, images, { project }), { concurrency: this.concurrency, signal: options.signal });
      observed = { ...observed, images: new Map([...observed.images, ...images]) };
      // every image is present now: the same plan without builds or pulls, so a container whose
      // image changed is recreated ("image changed"); questions already answered are not asked again
      plan = await planUp(project, observed, { ...options, noBuild: true, pull: 'never' });
    }
    for (const warning of plan.warnings) this.emit({ type: 'warning', message: warning });
    // Attached mode shows everything containers print from here on (compose attaches before start).
    const since = Math.floor(Date.now() / 1000) - 1;
    // what does not depend on a failed step still happens (a taken port stops one service only)
    await executePlan(plan, stepRunner(this.engine, this.emit, undefined, { project }), { concurrency: this.concurrency, signal: options.signal, keepGoing: true });
    return { plan, since };
  }

  /**
   * `down`: remove the project's containers, networks, and with `volumes` its named volumes.
   * Works on a label-only project too ({@link Compose.projectFromLabels}).
   */
  async down(project: Project, options: DownOptions = {}): Promise<Plan> {
    const unlock = options.dryRun ? () => undefined : await this.lock(project.name, options.signal);
    try {
      return await this.downLocked(project, options);
    } finally {
      unlock();
    }
  }

  private async downLocked(project: Project, options: DownOptions): Promise<Plan> {
    const observed = await this.observe(project, { labelledOnly: true });
    if (options.rmi && !options.services?.length) options = { ...options, removeImages: await this.imagesToRemove(project, options.rmi) };
    const plan = planDown(project, observed, options);
    if (options.dryRun) return plan;
    if (!observed.containers.length && ![...observed.networks.values(), ...observed.volumes.values()].some((r) => r.managed)) {
      this.emit({ type: 'warning', message: `No resource found to remove for project "${project.name}".` });
    }
    for (const warning of plan.warnings) this.emit({ type: 'warning', message: warning });
    await this.execute(plan, options.signal, undefined, project);
    return plan;
  }

  /**
   * `down --rmi`: the present images of the project's services — `local`: only those named
   * `<project>-<service>` (no `image:`), as compose; `all`: every service's image.
   */
  private async imagesToRemove(project: Project, rmi: 'local' | 'all'): Promise<string[]> {
    const services = Object.values(project.services).filter((s) => rmi === 'all' || !s.image);
    const refs = [...new Set(services.map((s) => serviceImage(project.name, s)))];
    const present = await Promise.all(
      refs.map(async (ref) => {
        const image = await this.engine.inspectImage(ref);
        // `<project>-<service>` can also be another project's build (`p` + `web-x`, `p-web` + `x`):
        // an image labelled for another project is not this one's to remove
        const owner = image?.Config?.Labels?.[Label.project];
        if (image && owner && owner !== project.name) {
          this.emit({ type: 'warning', message: `image ${ref} was built by project "${owner}": not removed` });
          return undefined;
        }
        return image ? ref : undefined;
      }),
    );
    return present.filter((r): r is string => r !== undefined);
  }

  /** The images of the services `up` targets (dependencies included) whose build inputs changed ({@link staleImages}). */
  private async staleImages(project: Project, options: UpOptions): Promise<Map<string, string>> {
    const targeted = options.services?.length ? options.services : Object.keys(project.services);
    const names = options.noDeps ? targeted : [...withDependencies(project, targeted)];
    const services = names.map((n) => project.services[n]).filter((s): s is ServiceConfig => Boolean(s?.build));
    return services.length ? staleImages(this.engine, project, services) : new Map();
  }

  /** `build`: build the images of services that have `build` (all, or the named ones); returns the plan (only planned with `dryRun`). */
  async build(project: Project, options: BuildOptions = {}): Promise<Plan> {
    const buildable = buildableServices(project, options);
    if (!buildable.length) return planBuild(project, [], new Map());
    const refs = buildable.map((s) => serviceImage(project.name, project.services[s]!));
    const images = new Map(await Promise.all(refs.map(async (ref) => [ref, (await this.engine.inspectImage(ref))?.Id] as const)));
    const plan = planBuild(project, buildable, images, options.overrides, options.push);
    if (!options.dryRun) await this.execute(plan, options.signal);
    return plan;
  }

  /**
   * `build --print`: the bake file (JSON) compose would hand to `docker buildx bake` for the
   * services `build` would build; nothing is built.
   */
  bakeFile(project: Project, options: BuildOptions = {}): BakeFile {
    const buildable = buildableServices(project, options);
    return bakeFile(buildable.map((s) => buildRequest(project, project.services[s]!, options.overrides)));
  }

  /** `ps`: the project's service containers (running only, unless `all`). */
  async ps(projectName: string, options: PsOptions = {}): Promise<ContainerRow[]> {
    // one-off `run` containers only with -a, as compose's ps.go (oneOffInclude when All)
    const containers = await listProjectContainers(this.engine, projectName, { all: options.all ?? false, oneoff: options.all ?? false, services: options.services });
    return containers.map((c) => toRow(c, projectName));
  }

  /**
   * `logs`: lines of the project's containers into `onLine`; with `follow`, also of containers
   * that start or restart meanwhile, until the project is gone (all its containers removed) or
   * `signal` aborts (logs.ts {@link projectLogs}).
   * @throws CapstanError USAGE for a bad `--since`/`--until` or `--index` without one service;
   *   NOT_FOUND for a missing replica
   */
  async logs(
    projectName: string,
    onLine: (line: LogLine) => void,
    options: LogsOptions = {},
  ): Promise<void> {
    const time = (value: number | string | undefined, flag: string): number | string | undefined =>
      typeof value === 'string' ? engineTime(value, flag) : value;
    await projectLogs(this.engine, projectName, onLine, {
      ...options,
      since: time(options.since, '--since'),
      until: time(options.until, '--until'),
    });
  }

  /**
   * A project known only from labels (no compose file: `down -p name`): one service per
   * `com.docker.compose.service` found, and the networks and volumes carrying the project label.
   */
  async projectFromLabels(name: string): Promise<Project> {
    // the listing serves the observation that follows too (`down -p name`)
    this.prefetched ??= listLabelled(this.engine, name);
    const observed = await observe(this.engine, name, {}, this.prefetched);
    const project: Project = {
      name,
      services: {},
      networks: {},
      volumes: {},
      secrets: {},
      configs: {},
      extensions: {},
      workingDir: process.cwd(),
      configFiles: [],
      envFiles: [],
      environment: {},
      disabledServices: {},
      profiles: [],
    };
    for (const c of observed.containers) {
      const service = (project.services[c.service] ??= { name: c.service });
      // depends_on from compose's label `svc:condition:restart,…` (restart with -p NAME follows it)
      for (const entry of c.labels[Label.dependsOn]?.split(',') ?? []) {
        const [on, condition, restart] = entry.split(':');
        if (!on || service.depends_on?.[on]) continue;
        const known = condition === 'service_healthy' || condition === 'service_completed_successfully' ? condition : 'service_started';
        (service.depends_on ??= {})[on] = { condition: known, required: true, restart: restart === 'true' };
      }
    }
    for (const n of observed.networks.values()) project.networks[n.labels[Label.network] ?? n.name] = { name: n.name };
    for (const v of observed.volumes.values()) project.volumes[v.labels[Label.volume] ?? v.name] = { name: v.name };
    return project;
  }

  private async execute(plan: Plan, signal?: AbortSignal, images?: Map<string, string>, project?: Project): Promise<void> {
    await executePlan(plan, stepRunner(this.engine, this.emit, images, { project }), { concurrency: this.concurrency, signal });
  }

  /**
   * `--wait`: every container of `services` running, and healthy where it has a healthcheck.
   * A container that exits fails the wait, except with status 0 for a service some other service
   * depends on with `service_completed_successfully`.
   */
  private async waitRunning(
    project: Project,
    services: string[],
    timeoutSeconds: number | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    const oneShot = new Set(
      Object.values(project.services).flatMap((s) =>
        Object.entries(s.depends_on ?? {})
          .filter(([, d]) => d.condition === 'service_completed_successfully')
          .map(([on]) => on),
      ),
    );
    const sources = await listProjectContainers(this.engine, project.name, { services });
    const conditions = sources.map((c) => ({ type: 'running' as const, container: c.name, service: c.service, exitedOk: oneShot.has(c.service) }));
    await waitFor(this.engine, this.emit, conditions, { signal, timeoutSeconds });
  }

  /**
   * Attached `up`: follow the logs of the attached services' containers until all of them have
   * exited; a container that restarts is followed again (compose-behaviour.md §3.16).
   *
   * - `--abort-on-container-exit` (or `--exit-code-from`): the first exit stops everything;
   *   `--abort-on-container-failure`: only a non-zero exit does.
   * - On `signal` (Ctrl+C), stop the targeted services gracefully (kill on `forceSignal`) and
   *   throw CANCELLED (exit 130).
   *
   * @returns the exit code `up` should end with: 0, the exit code of the container that caused
   *   the abort, or that of `--exit-code-from`'s container.
   */
  private async followAttached(project: Project, targeted: string[], since: number, options: UpOptions): Promise<number> {
    const attached = attachedServices(project, targeted, options);
    const stopped = new Set(targeted);
    const watched = new Set(attached);
    if (options.exitCodeFrom) watched.add(options.exitCodeFrom);
    const sources = await projectContainers(this.engine, project.name, { services: [...watched] });
    options.onAttach?.(sources.filter((s) => attached.includes(s.service)).map((s) => s.name));
    const stop = new AbortController();
    // --exit-code-from implies --abort-on-container-exit, unless --abort-on-container-failure (compose validateFlags)
    const abortOnExit = Boolean(options.abortOnContainerExit || (options.exitCodeFrom && !options.abortOnContainerFailure));
    let abortedBy: { container: string; code: number } | undefined;
    const onSignal = (): void => stop.abort();
    options.signal?.addEventListener('abort', onSignal, { once: true });
    if (options.signal?.aborted) stop.abort(); // Ctrl+C before we listened
    const follow = async (source: (typeof sources)[number]): Promise<void> => {
      const show = attached.includes(source.service);
      let from = since;
      for (;;) {
        await streamLogs(this.engine, source, show ? (options.onLog ?? (() => {})) : () => {}, {
          follow: true,
          since: from,
          timestamps: options.timestamps,
          signal: stop.signal,
        });
        if (stop.signal.aborted) return;
        const info = await this.engine.inspectContainer(source.id);
        if (info.State?.Running || info.State?.Restarting) {
          from = Math.floor(Date.now() / 1000);
          await sleep(100, stop.signal).catch(() => undefined);
          continue;
        }
        const code = info.State?.ExitCode ?? 0;
        if (show) options.onExit?.(source.name, source.service, code);
        if (!abortedBy && (abortOnExit || (options.abortOnContainerFailure && code !== 0))) {
          abortedBy = { container: source.name, code };
          this.emit({ type: 'info', message: 'Aborting on container exit...' });
          stop.abort();
        }
        return;
      }
    };
    try {
      await Promise.all(sources.map(follow));
    } finally {
      options.signal?.removeEventListener('abort', onSignal);
    }
    const interrupted = options.signal?.aborted;
    if (interrupted || abortedBy) {
      if (interrupted) this.emit({ type: 'info', message: 'Gracefully Stopping... press Ctrl+C again to force' });
      // Ctrl+C stops only the targeted services; an abort stops everything that was started.
      // Dependents stop before what they depend on; a second Ctrl+C kills what is still stopping.
      const observed = await this.observe(project, { labelledOnly: true });
      const plan = planStop(project, observed, { services: interrupted ? [...stopped] : [] });
      // only what this stop is stopping: implicitly started dependencies keep running (§3.16)
      const kill = (): void => {
        for (const s of plan.steps) if (s.op.type === 'stop-container') void this.engine.killContainer(s.op.id).catch(() => undefined);
      };
      options.forceSignal?.addEventListener('abort', kill, { once: true });
      try {
        await this.execute(plan, undefined, undefined, project);
      } finally {
        options.forceSignal?.removeEventListener('abort', kill);
      }
    }
    if (interrupted) throw new CapstanError('CANCELLED', 'cancelled');
    if (options.exitCodeFrom) {
      const source = sources.find((s) => s.service === options.exitCodeFrom);
      if (!source) return 0;
      return (await this.engine.inspectContainer(source.id)).State?.ExitCode ?? 0;
    }
    return abortedBy?.code ?? 0;
  }

  /**
   * `exec`: runs `command` in the running container #`options.index` (default 1) of `service`;
   * resolves its exit code, and its output unless streamed (verbs/exec.ts).
   * @throws CapstanError USAGE `no such service: x`; NOT_FOUND when no such container runs.
   */
  exec(project: Project, service: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execInService(this.engine, project, service, command, options);
  }

  // ── read-only verbs (issue 10): logic in ./verbs/<verb>.ts ──

  /** `ls`: the Compose projects found on the engine by label, with state counts and config files. */
  ls(options: LsOptions = {}): Promise<ProjectSummary[]> {
    return listProjects(this.engine, options);
  }

  /**
   * `port SERVICE PRIVATE_PORT`: where that port of the service's container `index` is published.
   * @throws CapstanError NOT_FOUND when it is not published (or the container does not run).
   */
  port(projectName: string, service: string, privatePort: number, options: PortOptions = {}): Promise<PublishedPort> {
    return publishedPort(this.engine, projectName, service, privatePort, options);
  }

  /** `top`: the processes of each running service container, by container name. */
  top(projectName: string, options: TopOptions = {}): Promise<ContainerProcesses[]> {
    return topProcesses(this.engine, projectName, options);
  }

  /** `images`: the image of each of the project's containers, by container name. */
  images(projectName: string, options: ImagesOptions = {}): Promise<ContainerImage[]> {
    return containerImages(this.engine, projectName, options);
  }

  /** `volumes`: the project's volumes (with services, those their running containers mount). */
  volumes(projectName: string, options: VolumesOptions = {}): Promise<VolumeSummary[]> {
    return projectVolumes(this.engine, projectName, options);
  }

  /**
   * `pull`: pull the selected services' images as `pull_policy` / `--policy` say, in parallel;
   * returns the plan (only planned with `dryRun`). See verbs/pull-push.ts.
   */
  pull(project: Project, options: PullOptions = {}): Promise<Plan> {
    return pullServices({ engine: this.engine, execute: (plan, signal) => this.execute(plan, signal) }, project, options);
  }

  /** `push`: push the images of the selected services that have `build` and `image`; returns the plan. */
  push(project: Project, options: PushOptions = {}): Promise<Plan> {
    return pushServices({ engine: this.engine, execute: (plan, signal) => this.execute(plan, signal) }, project, options);
  }

  // --- lifecycle verbs (issue 10): thin delegates to verbs/lifecycle.ts ---

  /** What the lifecycle verbs use: label-only observation, the executor, the event sink. */
  private lifecycle(): lifecycle.VerbContext {
    return {
      observe: (project) => this.observe(project, { labelledOnly: true }),
      execute: (plan, signal, project) => this.execute(plan, signal, undefined, project),
      emit: this.emit,
    };
  }

  /** `stop [SERVICE...] -t N`: stop running containers, dependents first. Returns the plan. */
  stop(project: Project, options: lifecycle.StopOptions = {}): Promise<Plan> {
    return lifecycle.stop(this.lifecycle(), project, options);
  }

  /** `start [SERVICE...] --wait --wait-timeout N`: start stopped containers, dependencies first. Returns the plan. */
  async start(project: Project, options: lifecycle.StartOptions = {}): Promise<Plan> {
    const plan = await lifecycle.start(this.lifecycle(), project, options);
    if (options.wait && !options.dryRun) {
      const services = options.services?.length ? options.services : Object.keys(project.services);
      await this.waitRunning(project, services, options.waitTimeoutSeconds, options.signal);
    }
    return plan;
  }

  /** `restart [SERVICE...] -t N --no-deps`: also restarts `restart: true` dependents. Returns the plan. */
  restart(project: Project, options: lifecycle.RestartOptions = {}): Promise<Plan> {
    return lifecycle.restart(this.lifecycle(), project, options);
  }

  /** `kill [SERVICE...] -s SIGNAL --remove-orphans`. Returns the plan. */
  kill(project: Project, options: lifecycle.KillOptions = {}): Promise<Plan> {
    return lifecycle.kill(this.lifecycle(), project, options);
  }

  /** `pause [SERVICE...]`. Returns the plan. */
  pause(project: Project, options: lifecycle.PauseOptions = {}): Promise<Plan> {
    return lifecycle.pause(this.lifecycle(), project, options);
  }

  /** `unpause [SERVICE...]`. Returns the plan. */
  unpause(project: Project, options: lifecycle.PauseOptions = {}): Promise<Plan> {
    return lifecycle.unpause(this.lifecycle(), project, options);
  }

  /** `rm [SERVICE...] -s -v`, asking `options.confirm` first. */
  rm(project: Project, options: lifecycle.RmOptions = {}): Promise<lifecycle.RmResult> {
    return lifecycle.rm(this.lifecycle(), project, options);
  }

  // --- wait, scale, events (issue 10): logic in verbs/{wait,scale,events}.ts ---

  /**
   * `wait SERVICE... [--down-project]`: block until every running container of the services
   * stopped (`POST /containers/{id}/wait`); the result's exit code is the last one's, as
   * compose's pkg/compose/wait.go. With `downProject`, the project is then taken down
   * (`down --remove-orphans`, works on a label-only project; with `dryRun` only planned).
   * @throws CapstanError USAGE `no such service: x`; NOT_FOUND `no containers for project "x"`;
   *   CANCELLED on `signal`
   */
  async wait(project: Project, options: WaitOptions = {}): Promise<WaitResult> {
    const result = await waitForContainers(this.engine, project, options);
    if (options.downProject) result.down = await this.down(project, { removeOrphans: true, dryRun: options.dryRun ?? false });
    return result;
  }

  /**
   * `scale SVC=N... [--no-deps]`: set the services' replica counts and converge them, through
   * `up`'s planner and executor (detached: create what is missing, start, remove the replicas
   * beyond N). Returns the plan (`dryRun`: only the plan).
   * @throws CapstanError USAGE `no such service: x` or a bad count; as {@link up} otherwise
   */
  async scale(project: Project, options: ScaleOptions): Promise<Plan> {
    return (await this.up(project, scaleUpOptions(project, options))).plan;
  }

  /**
   * `events [SERVICE...] --since --until`: the project's container events (`GET /events`
   * filtered by its label, one-off containers left out) into `onEvent`, until `until` passes or
   * `signal` aborts.
   * @throws CapstanError USAGE `no such service: x` or a bad time; EngineError from the daemon
   */
  events(project: Project, onEvent: (event: ProjectEvent) => void, options: EventsOptions = {}): Promise<void> {
    return projectEvents(this.engine, project, onEvent, options);
  }

  // --- run and attach (issue 10): verbs/run.ts, verbs/attach.ts ---

  /**
   * `run SERVICE [COMMAND...]`: a one-off container of `service` running `command` (the service's
   * when empty), after its dependencies are up and their conditions hold (unless `noDeps`).
   * Attached (the default), resolves when it exits, with its exit status (and its output when no
   * stream is given), or as `detached` when the detach keys are typed on its TTY; with `detach`,
   * once it started. With `dryRun`, only the plan.
   * @throws CapstanError USAGE `no such service: x` or invalid `detachKeys`; as {@link Compose.up}
   *   for the dependencies; the start's EngineError (with `autoRemove`, the one-off is removed first).
   */
  run(project: Project, service: string, command: string[] = [], options: RunOptions = {}): Promise<RunResult> {
    const context = {
      engine: this.engine,
      observe: (p: Project) => this.observe(p),
      execute: (plan: Plan, signal: AbortSignal | undefined, images: Map<string, string> | undefined, p: Project) => this.execute(plan, signal, images, p),
      emit: this.emit,
    };
    return runOneOff(context, project, service, command, options);
  }

  /**
   * `attach SERVICE`: the caller's streams attached to the service's running container
   * (`index`, default the first); resolves with its exit status once it stops (also when its
   * output ended earlier), or as `detached` when the detach keys are typed on its TTY.
   * @throws CapstanError USAGE `no such service: x` or invalid `detachKeys`; NOT_FOUND when it
   *   does not run; EngineError 409 when it is paused.
   */
  attach(project: Project, service: string, options: AttachOptions = {}): Promise<AttachResult> {
    return attachToService(this.engine, project, service, options);
  }

  /**
   * `watch [SERVICE...]`: act on the `develop.watch` rules of the selected services until
   * `options.signal` aborts (verbs/watch.ts): rebuild (force-recreating only those services),
   * sync, restart, sync+exec, per batch of changes. The containers must be up already.
   * @throws CapstanError VALIDATION for bad rules or when no service has `develop`; USAGE for
   *   `noBuild` with a rebuild rule or an unknown service
   */
  async watch(project: Project, options: WatchOptions = {}): Promise<void> {
    // loaded on use: the watcher and the pattern matcher are not every command's business
    const { watchProject } = await import('./verbs/watch.js');
    const context = {
      engine: this.engine,
      emit: this.emit,
      build: async (p: Project, services: string[], signal?: AbortSignal) => void (await this.build(p, { services, ...(signal ? { signal } : {}) })),
      recreate: async (p: Project, services: string[], signal?: AbortSignal) =>
        void (await this.up(p, { services, noDeps: true, forceRecreate: true, detach: true, noBuild: true, ...(signal ? { signal } : {}) })),
      restart: async (p: Project, services: string[], noDeps: boolean, signal?: AbortSignal) =>
        void (await this.restart(p, { services, noDeps, ...(signal ? { signal } : {}) })),
    };
    return watchProject(context, project, options);
  }

  // ── cp / stats / export / commit (issue 10): logic in ./verbs/<verb>.ts ──

  /**
   * `cp SERVICE:SRC DEST` / `cp SRC SERVICE:DEST` (`-`: a tar stream on `options.stdout` /
   * `options.stdin`): out of the service's first container, or into each of its containers.
   * @throws CapstanError USAGE (bad operands, unknown service), NOT_FOUND, VALIDATION when the
   *   container's archive would write outside DEST (verbs/cp.ts).
   */
  cp(project: Project, source: string, destination: string, options: CopyOptions = {}): Promise<CopyResult> {
    return copyFiles(this.engine, this.emit, project, source, destination, options);
  }

  /** `stats [SERVICE...]`: usage rows (docker's field names) once, or streamed to `options.onSample`. */
  stats(projectName: string, options: StatsOptions = {}): Promise<StatsRow[]> {
    return containerStats(this.engine, projectName, options);
  }

  /**
   * `export SERVICE`: the tar stream of the service's running container's filesystem.
   * @throws CapstanError USAGE for an unknown service, NOT_FOUND when it does not run.
   */
  export(project: Project, service: string, options: ExportOptions = {}): Promise<ExportResult> {
    return exportContainer(this.engine, project, service, options);
  }

  /**
   * `commit SERVICE [REPOSITORY[:TAG]]`: a new image from the running container; its ID.
   * @throws CapstanError USAGE for an unknown service or bad reference, NOT_FOUND when it does not run.
   */
  commit(project: Project, service: string, options: CommitOptions = {}): Promise<CommitResult> {
    return commitContainer(this.engine, this.emit, project, service, options);
  }
}

/**
 * Which services attached `up` shows (compose-behaviour.md §3.16): `--attach` if given, else the
 * targeted services (plus their dependencies with `--attach-dependencies`); minus `attach: false`
 * services unless named in `--attach`, minus `--no-attach`.
 */
function attachedServices(
  project: Project,
  targeted: string[],
  options: Pick<UpOptions, 'attach' | 'noAttach' | 'attachDependencies' | 'noDeps'>,
): string[] {
  let names: string[];
  if (options.attach?.length) names = options.attach;
  else {
    const base = options.attachDependencies && !options.noDeps ? [...withDependencies(project, targeted)] : targeted;
    names = base.filter((s) => project.services[s]?.attach !== false);
  }
  for (const s of [...names, ...(options.noAttach ?? [])]) {
    if (!project.services[s]) throw new CapstanError('USAGE', `no such service: ${s}`);
  }
  return names.filter((s) => !options.noAttach?.includes(s));
}

function toRow(observed: ObservedContainer, project: string): ContainerRow {
  const c = observed.summary;
  const labels = observed.labels;
  const status = observed.status;
  const health = /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1]?.replace('health: ', '') ?? '';
  const exit = /^Exited \((-?\d+)\)/.exec(status);
  return {
    id: observed.id,
    name: observed.name,
    image: observed.image,
    command: c.Command ?? '',
    project,
    service: observed.service,
    number: observed.number,
    created: c.Created ?? 0,
    state: observed.state,
    status,
    health,
    exitCode: exit ? Number(exit[1]) : 0,
    publishers: (c.Ports ?? []).map((p) => ({
      URL: p.IP ?? '',
      TargetPort: p.PrivatePort,
      PublishedPort: p.PublicPort ?? 0,
      Protocol: p.Type,
    })),
    labels,
    networks: observed.networks,
    mounts: (c.Mounts ?? []).map((m) => ({ name: m.Name || m.Source || '', local: m.Type === 'volume' && (m.Driver ?? 'local') === 'local' })),
  };
}

/**
 * `prompt` answering each question once: `up` plans a second time after building images, and
 * must not ask again what it was just told.
 */
function askOnce(prompt: Prompt | undefined): Prompt | undefined {
  if (!prompt) return undefined;
  const answers = new Map<string, Promise<boolean>>();
  return (question) => {
    let answer = answers.get(question);
    if (!answer) answers.set(question, (answer = prompt(question)));
    return answer;
  };
}

/** The services `build` builds: the named ones (all when none; with their dependencies on request) that have `build:`. */
function buildableServices(project: Project, options: BuildOptions): string[] {
  const named = options.services?.length ? options.services : Object.keys(project.services);
  checkServices(project, named);
  const services = options.withDependencies ? [...withDependencies(project, named)] : named;
  return services.filter((s) => project.services[s]!.build);
}
