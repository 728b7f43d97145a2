/**
 * `FakeEngine`: an in-memory Docker engine at the level of the {@link Engine} interface, for unit
 * tests of the code around the plan (observation, the `Compose` verbs' orchestration) without a
 * daemon. It keeps containers, networks, volumes, images, exec instances and an event log, and
 * answers as dockerd does at API 1.41–1.43 where Capstan can tell the difference:
 *
 * - errors are the `EngineError`s `EngineClient` would raise for the same HTTP answer (same
 *   status, hence same code — 404 `NOT_FOUND`, 409 `CONFLICT`, otherwise `ENGINE` — the same
 *   `context: daemon message` text), and the statuses the client accepts (a 404 on a removal,
 *   a 304 on a start or stop) are not errors either;
 * - names follow the daemon's rules: container names match `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, are
 *   unique, and objects are found by ID, name or unique ID prefix;
 * - list filters are the Engine API's: `label` (`key` or `key=value`, every value must match),
 *   `name` and `id` (regular expressions, any value may match), `status`, `driver`, `dangling`;
 *   an unknown filter key is a 400.
 *
 * Tests script what a real container would do on its own: its health (`setHealth`), that it
 * exits (`exit`), what it prints (`write`), or all of it at start (`behave`). Every call through
 * the Engine interface is journaled in {@link FakeEngine.calls}.
 *
 * Not modelled: pulls (an image must be added with {@link FakeEngine.addImage} or built), pause,
 * restart policies, resource limits, real health checks (the status is whatever the test sets).
 */
import { createHash } from 'node:crypto';
import { CapstanError, EngineError } from '../../src/errors.js';
import { humanDuration } from '../../src/ui/format.js';
import type {
  BuildOptions,
  ContainerAttachOptions,
  ContainerCreateBody,
  ContainerInspect,
  ContainerSummary,
  ContainerTop,
  EndpointSettings,
  Engine,
  EngineVersion,
  EventMessage,
  ExecAttachOptions,
  ExecInspect,
  ExecOptions,
  Filters,
  ImageInspect,
  LogChunk,
  LogsOptions,
  MountPoint,
  Network,
  NetworkCreateBody,
  ProgressMessage,
  Volume,
  VolumeCreateBody,
} from '../../src/engine/types.js';

/** A health status a test can give a container that has a healthcheck. */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** The states of a container as the Engine API names them (`State.Status`). */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** One call made through the {@link Engine} interface. */
export interface FakeCall {
  /** The Engine method, e.g. `createContainer`. */
  method: EngineMethod;
  /** The object it names (container/network/volume/image name or ID; the filters of a list), or `''`. */
  target: string;
  /** The arguments as passed (bodies are not copied: do not mutate them). */
  args: readonly unknown[];
}

/** Names of the methods of {@link Engine}. */
export type EngineMethod = {
  [K in keyof Engine]-?: NonNullable<Engine[K]> extends (...args: never[]) => unknown ? K : never;
}[keyof Engine];

/** Methods that change nothing in the engine (see {@link FakeEngine.writes}). */
const READS: ReadonlySet<EngineMethod> = new Set<EngineMethod>([
  'ping',
  'version',
  'negotiatedApiVersion',
  'listContainers',
  'inspectContainer',
  'waitContainer',
  'containerLogs',
  'inspectExec',
  'listNetworks',
  'inspectNetwork',
  'listVolumes',
  'inspectVolume',
  'inspectImage',
  'events',
  'close',
]);

/** What a container does by itself once started (see {@link FakeEngine.behave}). */
export interface ContainerBehaviour {
  /** Health reported once started, when the container has a healthcheck; default `starting`. */
  health?: HealthStatus;
  /** Exits right after starting with this code (a one-shot job, or a crash). */
  exitCode?: number;
  /** What it prints when started: text on stdout, or chunks on either stream. */
  output?: string | { stream: 'stdout' | 'stderr'; text: string }[];
  /** The exit code a graceful stop (`POST /stop`) ends with; default 0. */
  stopExitCode?: number;
  /** `POST /start` fails with this daemon message (HTTP 500), e.g. a port already allocated. */
  startError?: string;
}

/** What an exec'd process does (see {@link FakeEngine.onExec}). */
export interface ExecResult {
  exitCode: number;
  /** Printed on stdout. */
  output?: string;
  /** Printed on stderr (streamed by `attachExec` only). */
  errorOutput?: string;
}

/** Options of {@link FakeEngine}'s constructor. */
export interface FakeEngineOptions {
  /** Images present from the start (references; `:latest` is implied when no tag is given). */
  images?: string[];
  /** The API version `negotiatedApiVersion` answers; default `1.43`. */
  apiVersion?: string;
}

/** A container as the fake keeps it. Read it with {@link FakeEngine.container}; do not mutate. */
export interface FakeContainer {
  id: string;
  name: string;
  /** Unix seconds. */
  created: number;
  body: ContainerCreateBody;
  platform: string | undefined;
  imageId: string;
  status: ContainerStatus;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  /** `undefined` when the container has no healthcheck. */
  health: HealthStatus | undefined;
  /** Networks it is configured for (name → settings); it holds an endpoint on them only while running. */
  endpoints: Map<string, EndpointSettings>;
  mounts: MountPoint[];
  /** Everything it printed, oldest first, with the Unix time in milliseconds. */
  output: { stream: 'stdout' | 'stderr'; data: Buffer; time: number }[];
  /** It closed its stdout and stderr (see {@link FakeEngine.closeOutput}): attach streams end, it runs on. */
  outputClosed?: boolean;
  /** Tar archives put into it (`PUT /archive`): destination path and size in bytes. */
  archives: { path: string; bytes: number }[];
  restartCount: number;
}

interface FakeNetwork {
  network: Network & { Name: string; Id: string };
  builtin: boolean;
  /** Container ID → endpoint. */
  endpoints: Map<string, { name: string; endpointId: string; ip: string }>;
  nextIp: number;
  subnet: number;
}

interface FakeImage {
  inspect: ImageInspect & { Id: string };
}

interface FakeExec {
  id: string;
  container: string;
  options: ExecOptions;
  running: boolean;
  exitCode: number | null;
}

const NOT_FOUND_IMAGE = Symbol('no image');

/** `name` → `name:latest`, unless it has a tag or a digest. */
function normaliseRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  return last.includes(':') ? ref : `${ref}:latest`;
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The daemon's `Args.Match`: an exact value, or any value read as a regular expression. */
function matchAny(values: readonly string[], source: string): boolean {
  return values.some((v) => {
    if (v === source) return true;
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
}

/** The daemon's `MatchKVList` for `label`: every `key` or `key=value` must match. */
function matchLabels(values: readonly string[], labels: Record<string, string> | undefined): boolean {
  return values.every((f) => {
    const eq = f.indexOf('=');
    if (eq < 0) return labels !== undefined && f in labels;
    return labels?.[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const STATUSES: readonly ContainerStatus[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 };

/**
 * An in-memory {@link Engine}. Create one per test; seed it through the Engine interface itself
 * (or {@link addImage}), then {@link clearCalls} and run the code under test.
 */
export class FakeEngine implements Engine {
  /** Every call made through the Engine interface, in order. */
  readonly calls: FakeCall[] = [];
  private readonly apiVersion: string;
  private readonly containers = new Map<string, FakeContainer>();
  private readonly networks = new Map<string, FakeNetwork>();
  private readonly volumes = new Map<string, Volume>();
  private readonly images = new Map<string, FakeImage>();
  private readonly execs = new Map<string, FakeExec>();
  private readonly behaviours: { target: string; behaviour: ContainerBehaviour }[] = [];
  private readonly eventLog: EventMessage[] = [];
  /** The last time {@link tick} gave, in milliseconds. */
  private lastTick = 0;
  private readonly listeners = new Set<() => void>();
  private readonly buildScripts = new Map<string, { error?: string; output?: string[] }>();
  private execHandler: (container: FakeContainer, options: ExecOptions, stdin: string) => ExecResult = () => ({ exitCode: 0 });
  private counter = 0;
  private nextSubnet = 18;

  /** An engine with the predefined networks `bridge`, `host`, `none` and the given images. */
  constructor(options: FakeEngineOptions = {}) {
    this.apiVersion = options.apiVersion ?? '1.43';
    for (const [name, driver] of [['bridge', 'bridge'], ['host', 'host'], ['none', 'null']] as const) {
      this.networks.set(name, {
        network: { Name: name, Id: sha(`network ${name}`), Driver: driver, Scope: 'local', Labels: {}, Options: {}, IPAM: { Driver: 'default', Config: [] }, Containers: {} },
        builtin: true,
        endpoints: new Map(),
        nextIp: 2,
        subnet: 17,
      });
    }
    for (const ref of options.images ?? []) this.addImage(ref);
  }

  // ───────────────────────────── test controls ─────────────────────────────

  /**
   * Adds (or replaces) an image under `ref` (`:latest` implied). `config` becomes the image's
   * `Config` (default: `Cmd ["sh"]`, `PATH` in `Env`). Not journaled. Returns its ID.
   */
  addImage(ref: string, config: ImageInspect['Config'] = {}): string {
    const tag = normaliseRef(ref);
    const id = `sha256:${sha(`image ${tag} ${JSON.stringify(config)}`)}`;
    this.images.set(tag, {
      inspect: {
        Id: id,
        RepoTags: [tag],
        RepoDigests: [],
        Created: new Date().toISOString(),
        Config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...config },
        Os: 'linux',
        Architecture: 'amd64',
        Size: 0,
      },
    });
    return id;
  }

  /**
   * Scripts what containers do once started. `target` is a container name or a Compose service
   * name (`com.docker.compose.service` label); the latest matching script wins. Applies to every
   * later start (a recreated container behaves the same).
   */
  behave(target: string, behaviour: ContainerBehaviour): void {
    this.behaviours.push({ target, behaviour });
  }

  /**
   * A second network named like `name` (a copy of its body and labels, a new ID, no containers):
   * what two runs creating it at once leave behind on dockerd. Returns the copy's ID.
   */
  addDuplicateNetwork(name: string): string {
    const original = [...this.networks.values()].find((n) => n.network.Name === name);
    if (!original) throw new Error(`fake engine: no network ${name}`);
    const id = sha(`network ${++this.counter} ${name} copy`);
    const subnet = this.nextSubnet++;
    this.networks.set(id, { network: { ...structuredClone(original.network), Id: id, Created: new Date(Date.now() + 1000).toISOString() }, builtin: false, endpoints: new Map(), nextIp: 2, subnet });
    return id;
  }

  /**
   * Sets the health status of a running container with a healthcheck (by ID, name or prefix) and
   * records the `health_status` event. @throws Error when there is no such container or it has no healthcheck.
   */
  setHealth(ref: string, status: HealthStatus): void {
    const c = this.mustFind(ref);
    if (c.health === undefined) throw new Error(`fake engine: container ${c.name} has no healthcheck`);
    c.health = status;
    this.event('container', `health_status: ${status}`, c.id, this.containerAttributes(c));
    this.changed();
  }

  /** The running container `ref` exits by itself with `code` (as its main process ending would). */
  exit(ref: string, code: number): void {
    const c = this.mustFind(ref);
    if (c.status !== 'running') throw new Error(`fake engine: container ${c.name} is not running`);
    this.stopped(c, code, 'die');
  }

  /** The container `ref` prints `text` on `stream` (stdout by default). */
  write(ref: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const c = this.mustFind(ref);
    c.output.push({ stream, data: Buffer.from(text, 'utf8'), time: this.tick() });
    this.changed();
  }

  /** The container `ref` closes its stdout and stderr but keeps running: attach streams end. */
  closeOutput(ref: string): void {
    this.mustFind(ref).outputClosed = true;
    this.changed();
  }

  /** Decides what exec'd processes do (hooks); default: exit 0, no output. */
  onExec(handler: (container: FakeContainer, options: ExecOptions, stdin: string) => ExecResult): void {
    this.execHandler = handler;
  }

  /** Scripts the build of image `tag`: its output lines, or a failure with the daemon's `error` text. */
  scriptBuild(tag: string, script: { error?: string; output?: string[] }): void {
    this.buildScripts.set(normaliseRef(tag), script);
  }

  /** The container `ref` (ID, name or unique ID prefix), or `undefined`. */
  container(ref: string): FakeContainer | undefined {
    return this.findContainer(ref);
  }

  /** Names of all containers, sorted. */
  containerNames(): string[] {
    return [...this.containers.values()].map((c) => c.name).sort();
  }

  /** Names of all networks (the predefined ones included), sorted. */
  networkNames(): string[] {
    return [...this.networks.values()].map((n) => n.network.Name).sort();
  }

  /** Names of all volumes, sorted. */
  volumeNames(): string[] {
    return [...this.volumes.keys()].sort();
  }

  /** The tags of all images, sorted. */
  imageTags(): string[] {
    return [...this.images.keys()].sort();
  }

  /** Forgets the journal (e.g. after seeding). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  /** The calls that change something (creates, starts, stops, removals, connects, builds…). */
  writes(): FakeCall[] {
    return this.calls.filter((c) => !READS.has(c.method));
  }

  /** The journal as `method target` lines, optionally only some methods: `['createContainer shop-web-1', …]`. */
  journal(methods?: readonly EngineMethod[]): string[] {
    return this.calls.filter((c) => !methods || methods.includes(c.method)).map((c) => (c.target ? `${c.method} ${c.target}` : c.method));
  }

  /** Every event recorded so far (what `GET /events` would replay from the start). */
  get recordedEvents(): readonly EventMessage[] {
    return this.eventLog;
  }

  // ───────────────────────────── system ─────────────────────────────

  /** `GET /_ping`: always answers. */
  async ping(): Promise<void> {
    this.record('ping', '', []);
  }

  /** `GET /version`: a Linux engine speaking the configured API version. */
  async version(): Promise<EngineVersion> {
    this.record('version', '', []);
    return { Version: '24.0.7', ApiVersion: this.apiVersion, MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64' };
  }

  /** The configured API version (default `1.43`). */
  async negotiatedApiVersion(): Promise<string> {
    this.record('negotiatedApiVersion', '', []);
    return this.apiVersion;
  }

  // ───────────────────────────── containers ─────────────────────────────

  /**
   * `GET /containers/json`: running containers (running, paused, restarting), all with `all`;
   * filters `label`, `name` (regular expressions matching `/name` or `name`), `id`, `status`.
   *
   * @throws EngineError 400 for an unknown filter or status.
   */
  async listContainers(options: { all?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    this.record('listContainers', filterText(options.filters), [options]);
    const filters = this.checkFilters(options.filters, ['label', 'name', 'id', 'status'], 'list containers');
    for (const s of filters.status ?? []) {
      if (!STATUSES.includes(s as ContainerStatus)) throw new EngineError(400, `Invalid filter 'status=${s}'`, 'list containers');
    }
    const all = options.all || filters.status !== undefined;
    return [...this.containers.values()]
      .filter((c) => all || c.status === 'running' || c.status === 'paused' || c.status === 'restarting')
      .filter((c) => !filters.label || matchLabels(filters.label, c.body.Labels))
      .filter((c) => !filters.name || matchAny(filters.name, `/${c.name}`) || matchAny(filters.name, c.name))
      .filter((c) => !filters.id || matchAny(filters.id, c.id))
      .filter((c) => !filters.status || filters.status.includes(c.status))
      .sort((a, b) => b.created - a.created || b.id.localeCompare(a.id))
      .map((c) => this.summary(c));
  }

  /**
   * `POST /containers/create?name=…`: checks the name and the image, creates named volumes that
   * do not exist yet and anonymous ones, and returns the new ID. An empty name gets a generated
   * one. As dockerd, networks are only checked when the container starts.
   *
   * @throws EngineError 400 for an invalid name, 409 when the name is taken, 404 for a missing image.
   */
  async createContainer(name: string, body: ContainerCreateBody, platform?: string): Promise<string> {
    this.record('createContainer', name, [name, body, platform]);
    const context = `create container ${name}`;
    if (name && !CONTAINER_NAME.test(name)) {
      throw new EngineError(400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, context);
    }
    const finalName = (name || `fake_container_${this.counter + 1}`).replace(/^\//, '');
    const taken = this.byName(finalName);
    if (taken) throw conflictName(finalName, taken.id, context);
    const image = this.findImage(body.Image ?? '');
    if (image === NOT_FOUND_IMAGE) throw new EngineError(404, `No such image: ${normaliseRef(body.Image ?? '')}`, context);
    const id = sha(`container ${++this.counter} ${finalName}`);
    const mounts = this.mountsFor(id, body);
    const test = body.Healthcheck?.Test ?? image.inspect.Config?.Healthcheck?.Test;
    const c: FakeContainer = {
      id,
      name: finalName,
      created: Math.floor(Date.now() / 1000),
      body,
      platform,
      imageId: image.inspect.Id,
      status: 'created',
      exitCode: 0,
      startedAt: '0001-01-01T00:00:00Z',
      finishedAt: '0001-01-01T00:00:00Z',
      health: test && test.length > 0 && test[0] !== 'NONE' ? 'starting' : undefined,
      endpoints: this.requestedNetworks(body),
      mounts,
      output: [],
      archives: [],
      restartCount: 0,
    };
    this.containers.set(id, c);
    this.event('container', 'create', id, this.containerAttributes(c));
    this.changed();
    return id;
  }

  /** `GET /containers/{id}/json`. @throws EngineError 404 when there is no such container. */
  async inspectContainer(id: string): Promise<ContainerInspect> {
    this.record('inspectContainer', id, [id]);
    const c = this.get(id, `inspect container ${id}`);
    return {
      Id: c.id,
      Name: `/${c.name}`,
      Created: new Date(c.created * 1000).toISOString(),
      Image: c.imageId,
      State: {
        Status: c.status,
        Running: c.status === 'running' || c.status === 'paused' || c.status === 'restarting',
        Paused: c.status === 'paused',
        Restarting: c.status === 'restarting',
        OOMKilled: false,
        Dead: c.status === 'dead',
        Pid: c.status === 'running' ? 1000 + this.indexOf(c) : 0,
        ExitCode: c.exitCode,
        Error: '',
        StartedAt: c.startedAt,
        FinishedAt: c.finishedAt,
        ...(c.health ? { Health: { Status: c.health, FailingStreak: c.health === 'unhealthy' ? 3 : 0, Log: [] } } : {}),
      },
      Config: (({ HostConfig: _h, NetworkingConfig: _n, ...config }) => ({ ...config, Labels: { ...(config.Labels ?? {}) } }))(c.body),
      HostConfig: { NetworkMode: 'bridge', ...(c.body.HostConfig ?? {}) },
      NetworkSettings: { Networks: this.endpointsOf(c), Ports: c.status === 'running' ? (c.body.HostConfig?.PortBindings ?? {}) : {} },
      Mounts: c.mounts.map((m) => ({ ...m })),
      RestartCount: c.restartCount,
    };
  }

  /**
   * `POST /containers/{id}/start`; already running is not an error (304). Applies the scripted
   * {@link ContainerBehaviour}: output, health, an immediate exit.
   *
   * @throws EngineError 404 for a missing container or one of its networks; 500 when a published
   *   port is taken by another running container (dockerd's "port is already allocated") or for a
   *   scripted `startError`.
   */
  async startContainer(id: string): Promise<void> {
    this.record('startContainer', id, [id]);
    const context = `start container ${id}`;
    const c = this.get(id, context);
    if (c.status === 'running' || c.status === 'paused' || c.status === 'restarting') return;
    for (const n of c.endpoints.keys()) {
      if (!this.findNetwork(n)) throw new EngineError(404, `network ${n} not found`, context);
    }
    const behaviour = this.behaviourOf(c);
    if (behaviour.startError) throw new EngineError(500, behaviour.startError, context);
    const taken = this.takenPort(c);
    if (taken) {
      throw new EngineError(
        500,
        `driver failed programming external connectivity on endpoint ${c.name} (${c.id}): Bind for ${taken} failed: port is already allocated`,
        context,
      );
    }
    c.status = 'running';
    c.exitCode = 0;
    c.startedAt = new Date().toISOString();
    c.finishedAt = '0001-01-01T00:00:00Z';
    for (const n of c.endpoints.keys()) this.join(c, this.findNetwork(n)!);
    if (c.health !== undefined) c.health = behaviour.health ?? 'starting';
    this.event('container', 'start', c.id, this.containerAttributes(c));
    const output = typeof behaviour.output === 'string' ? [{ stream: 'stdout' as const, text: behaviour.output }] : (behaviour.output ?? []);
    for (const o of output) c.output.push({ stream: o.stream, data: Buffer.from(o.text, 'utf8'), time: this.tick() });
    if (behaviour.health && c.health !== undefined && behaviour.health !== 'starting') {
      this.event('container', `health_status: ${behaviour.health}`, c.id, this.containerAttributes(c));
    }
    if (behaviour.exitCode !== undefined) this.stopped(c, behaviour.exitCode, 'die');
    this.changed();
  }

  /**
   * `POST /containers/{id}/stop?t=…`: the container exits with its scripted `stopExitCode`
   * (default 0). Already stopped is not an error (304); `timeoutSeconds` is recorded only.
   *
   * @throws EngineError 404 for a missing container.
   */
  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    this.record('stopContainer', id, [id, timeoutSeconds]);
    const c = this.get(id, `stop container ${id}`);
    if (c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting') return;
    this.event('container', 'kill', c.id, { ...this.containerAttributes(c), signal: '15' });
    this.stopped(c, this.behaviourOf(c).stopExitCode ?? 0, 'die');
    this.event('container', 'stop', c.id, this.containerAttributes(c));
  }

  /**
   * `POST /containers/{id}/kill?signal=…` (default SIGKILL): exits with 128 + the signal number.
   *
   * @throws EngineError 404 for a missing container, 409 when it is not running.
   */
  async killContainer(id: string, signal?: string): Promise<void> {
    this.record('killContainer', id, [id, signal]);
    const context = `kill container ${id}`;
    const c = this.get(id, context);
    if (c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting') {
      throw new EngineError(409, `Cannot kill container: ${id}: Container ${c.id} is not running`, context);
    }
    const sig = signal ? (SIGNALS[signal.toUpperCase().replace(/^(?!SIG)/, 'SIG')] ?? Number(signal)) || 9 : 9;
    this.event('container', 'kill', c.id, { ...this.containerAttributes(c), signal: String(sig) });
    this.stopped(c, 128 + sig, 'die');
  }

  /**
   * `POST /containers/{id}/pause`: a running container becomes `paused`.
   *
   * @throws EngineError 404 for a missing container, 409 when it is not running.
   */
  async pauseContainer(id: string): Promise<void> {
    this.record('pauseContainer', id, [id]);
    const context = `pause container ${id}`;
    const c = this.get(id, context);
    if (c.status === 'paused') throw new EngineError(409, `Container ${c.id} is already paused`, context);
    if (c.status !== 'running') throw new EngineError(409, `Container ${c.id} is not running`, context);
    c.status = 'paused';
    this.event('container', 'pause', c.id, this.containerAttributes(c));
    this.changed();
  }

  /**
   * `POST /containers/{id}/unpause`: a paused container runs again.
   *
   * @throws EngineError 404 for a missing container, 409 when it is not paused.
   */
  async unpauseContainer(id: string): Promise<void> {
    this.record('unpauseContainer', id, [id]);
    const context = `unpause container ${id}`;
    const c = this.get(id, context);
    if (c.status !== 'paused') throw new EngineError(409, `Container ${c.id} is not paused`, context);
    c.status = 'running';
    this.event('container', 'unpause', c.id, this.containerAttributes(c));
    this.changed();
  }

  /**
   * `DELETE /containers/{id}?force=…&v=…`: a missing container is not an error (the client
   * accepts the 404); `force` kills a running one; `volumes` removes its anonymous volumes that
   * no other container uses.
   *
   * @throws EngineError 409 when it is running and `force` is not set.
   */
  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    this.record('removeContainer', id, [id, options]);
    const c = this.findContainer(id);
    if (!c) return;
    if (c.status === 'running' || c.status === 'paused' || c.status === 'restarting') {
      if (!options.force) {
        throw new EngineError(
          409,
          `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`,
          `remove container ${id}`,
        );
      }
      this.event('container', 'kill', c.id, { ...this.containerAttributes(c), signal: '9' });
      this.stopped(c, 137, 'die', false);
    }
    this.containers.delete(c.id);
    if (options.volumes) {
      for (const m of c.mounts) {
        const v = m.Type === 'volume' && m.Name ? this.volumes.get(m.Name) : undefined;
        if (v && v.Labels['com.docker.volume.anonymous'] !== undefined && !this.volumeUsers(v.Name).length) {
          this.volumes.delete(v.Name);
          this.event('volume', 'destroy', v.Name, { driver: v.Driver });
        }
      }
    }
    this.event('container', 'destroy', c.id, this.containerAttributes(c));
    this.changed();
  }

  /**
   * `POST /containers/{id}/rename?name=…`.
   *
   * @throws EngineError 404 for a missing container, 400 for an invalid name or the same name,
   *   409 when the name is taken.
   */
  async renameContainer(id: string, name: string): Promise<void> {
    this.record('renameContainer', id, [id, name]);
    const context = `rename container ${id} to ${name}`;
    const c = this.get(id, context);
    const next = name.replace(/^\//, '');
    if (!CONTAINER_NAME.test(name)) throw new EngineError(400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, context);
    if (next === c.name) throw new EngineError(400, 'Renaming a container with the same name as its current name', context);
    const taken = this.byName(next);
    if (taken) throw conflictName(next, taken.id, context, 'Error when allocating new name: ');
    const old = c.name;
    c.name = next;
    this.event('container', 'rename', c.id, { ...this.containerAttributes(c), oldName: `/${old}` });
    this.changed();
  }

  /**
   * `POST /containers/{id}/wait?condition=…` → the exit code: `not-running` (default) answers at
   * once for a container that is not running, `next-exit` waits for the next exit, `removed` for
   * the removal.
   *
   * @throws EngineError 404 for a missing container; CapstanError `CANCELLED` when `signal` aborts.
   */
  async waitContainer(id: string, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running', signal?: AbortSignal): Promise<number> {
    this.record('waitContainer', id, [id, condition, signal]);
    const context = `wait for container ${id}`;
    const c = this.get(id, context);
    const exits = this.eventLog.filter((e) => e.Actor?.ID === c.id && e.Action === 'die').length;
    for (;;) {
      if (signal?.aborted) throw new CapstanError('CANCELLED', `${context}: cancelled`);
      const gone = !this.containers.has(c.id);
      if (condition === 'removed' && gone) return c.exitCode;
      if (condition === 'not-running' && (gone || (c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting'))) return c.exitCode;
      if (condition === 'next-exit' && this.eventLog.filter((e) => e.Actor?.ID === c.id && e.Action === 'die').length > exits) return c.exitCode;
      await this.nextChange(signal);
    }
  }

  /**
   * `GET /containers/{id}/logs`: what the container printed (`since` and `until` in Unix seconds
   * or RFC 3339, `tail` lines, `timestamps` prefixes RFC 3339 times); with `follow`, also what it
   * prints later, until it stops, `until` passes, or `signal` aborts (which ends the stream quietly).
   *
   * @throws EngineError 404 for a missing container.
   */
  containerLogs(id: string, options: LogsOptions): AsyncIterable<LogChunk> {
    this.record('containerLogs', id, [id, options]);
    const engine = this;
    return (async function* () {
      // as the client's, the stream fails when read, not when asked for
      yield* engine.logStream(engine.get(id, `read the logs of container ${id}`), options);
    })();
  }

  /**
   * `GET /containers/{id}/top`: one process, the container's command (`Cmd`, else the image's
   * `sh`), in `ps -ef` columns; PID as `inspectContainer` reports it.
   * @throws EngineError 404 for a missing container, 409 when it is not running.
   */
  async topContainer(id: string, psArgs?: string): Promise<ContainerTop> {
    this.record('topContainer', id, [id, psArgs]);
    const c = this.get(id, `list the processes of container ${id}`);
    if (c.status !== 'running') throw new EngineError(409, `container ${c.id} is not running`, `list the processes of container ${id}`);
    const cmd = [...(c.body.Entrypoint ?? []), ...(c.body.Cmd ?? ['sh'])].join(' ');
    return {
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [['root', String(1000 + this.indexOf(c)), '1', '0', '12:00', '?', '00:00:00', cmd]],
    };
  }

  /**
   * `PUT /containers/{id}/archive?path=…`: records the archive's destination and size.
   * @throws EngineError 404 for a missing container.
   */
  async putArchive(id: string, path: string, tar: Buffer): Promise<void> {
    this.record('putArchive', id, [id, path, tar]);
    const c = this.get(id, `copy files into ${id}:${path}`);
    c.archives.push({ path, bytes: tar.length });
  }

  // ───────────────────────────── exec ─────────────────────────────

  /**
   * `POST /containers/{id}/exec` → the exec ID.
   * @throws EngineError 404 for a missing container, 409 when it is not running.
   */
  async createExec(container: string, options: ExecOptions): Promise<string> {
    this.record('createExec', container, [container, options]);
    const context = `create an exec in container ${container}`;
    const c = this.get(container, context);
    if (c.status !== 'running') throw new EngineError(409, `Container ${c.id} is not running`, context);
    const id = sha(`exec ${++this.counter}`);
    this.execs.set(id, { id, container: c.id, options, running: false, exitCode: null });
    this.event('container', `exec_create: ${options.cmd.join(' ')}`, c.id, this.containerAttributes(c));
    return id;
  }

  /**
   * `POST /exec/{id}/start`: runs the process through the {@link onExec} handler and yields its
   * output (on stdout).
   * @throws EngineError 404 for a missing exec, 409 when its container is no longer running.
   */
  startExec(execId: string, options: { tty?: boolean; signal?: AbortSignal }): AsyncIterable<LogChunk> {
    this.record('startExec', execId, [execId, options]);
    const engine = this;
    return (async function* () {
      const context = `run exec ${execId.slice(0, 12)}`;
      const exec = engine.execs.get(execId);
      if (!exec) throw new EngineError(404, `No such exec instance: ${execId}`, context);
      const c = engine.containers.get(exec.container);
      if (!c || c.status !== 'running') throw new EngineError(409, `container ${exec.container} is not running`, context);
      const result = engine.execHandler(c, exec.options, '');
      exec.exitCode = result.exitCode;
      engine.event('container', 'exec_die', c.id, { ...engine.containerAttributes(c), execID: exec.id, exitCode: String(result.exitCode) });
      if (result.output) yield { stream: 'stdout' as const, data: Buffer.from(result.output, 'utf8') };
    })();
  }

  /**
   * `POST /exec/{id}/start`, hijacked: reads `stdin` to its end, runs the {@link onExec} handler
   * with it and yields its output on stdout and stderr.
   * @throws EngineError 404 for a missing exec, 409 when its container is no longer running.
   */
  attachExec(execId: string, options: ExecAttachOptions): AsyncIterable<LogChunk> {
    this.record('attachExec', execId, [execId, { tty: options.tty }]);
    const engine = this;
    return (async function* () {
      const context = `run exec ${execId.slice(0, 12)}`;
      const exec = engine.execs.get(execId);
      if (!exec) throw new EngineError(404, `No such exec instance: ${execId}`, context);
      const c = engine.containers.get(exec.container);
      if (!c || c.status !== 'running') throw new EngineError(409, `container ${exec.container} is not running`, context);
      const input: Buffer[] = [];
      if (options.stdin) for await (const chunk of options.stdin) input.push(Buffer.from(chunk as Buffer));
      const result = engine.execHandler(c, exec.options, Buffer.concat(input).toString('utf8'));
      exec.exitCode = result.exitCode;
      engine.event('container', 'exec_die', c.id, { ...engine.containerAttributes(c), execID: exec.id, exitCode: String(result.exitCode) });
      if (result.output) yield { stream: 'stdout' as const, data: Buffer.from(result.output, 'utf8') };
      if (result.errorOutput) yield { stream: 'stderr' as const, data: Buffer.from(result.errorOutput, 'utf8') };
    })();
  }

  /** `POST /exec/{id}/start` detached: runs the handler, output dropped. @throws EngineError 404. */
  async startExecDetached(execId: string, _options: { tty?: boolean }): Promise<void> {
    for await (const _chunk of this.startExec(execId, {})) {
      // output of a detached exec goes nowhere
    }
  }

  /** `POST /exec/{id}/resize`: recorded only. @throws EngineError 404 for a missing exec. */
  async resizeExec(execId: string, size: { height: number; width: number }): Promise<void> {
    this.record('resizeExec', execId, [execId, size]);
    if (!this.execs.has(execId)) throw new EngineError(404, `No such exec instance: ${execId}`, `resize exec ${execId.slice(0, 12)}`);
  }

  /** `GET /exec/{id}/json`. @throws EngineError 404 for a missing exec. */
  async inspectExec(execId: string): Promise<ExecInspect> {
    this.record('inspectExec', execId, [execId]);
    const exec = this.execs.get(execId);
    if (!exec) throw new EngineError(404, `No such exec instance: ${execId}`, `inspect exec ${execId.slice(0, 12)}`);
    return { ID: exec.id, Running: exec.running, ExitCode: exec.exitCode, ContainerID: exec.container, Pid: 0 };
  }

  // ───────────────────────────── attach (run / attach) ─────────────────────────────

  /** What attached stdin sent to each container, by container ID, as it comes (complete once the stdin stream ended). */
  readonly stdinReceived = new Map<string, string>();

  /**
   * `POST /containers/{id}/attach`: resolves at once; yields what the container prints from now
   * on (all on stdout with `tty`) until it has run and stopped, is removed, or closed its output.
   * `stdin` is read into {@link stdinReceived} as it comes.
   * @throws EngineError 404 for a missing container, 409 when it is paused.
   */
  async attachContainer(id: string, options: ContainerAttachOptions): Promise<AsyncIterable<LogChunk>> {
    this.record('attachContainer', id, [id, { tty: options.tty, stdin: Boolean(options.stdin), detachKeys: options.detachKeys }]);
    const context = `attach to container ${id}`;
    const c = this.get(id, context);
    if (c.status === 'paused') throw new EngineError(409, `You cannot attach to a paused container, unpause it first`, context);
    if (options.stdin) {
      const stdin = options.stdin;
      void (async () => {
        const input: Buffer[] = [];
        for await (const chunk of stdin) {
          input.push(Buffer.from(chunk as Buffer));
          this.stdinReceived.set(c.id, Buffer.concat(input).toString('utf8'));
        }
        this.stdinReceived.set(c.id, Buffer.concat(input).toString('utf8'));
      })();
    }
    const engine = this;
    let cursor = c.output.length;
    return (async function* () {
      for (;;) {
        while (cursor < c.output.length) {
          const o = c.output[cursor++]!;
          yield { stream: options.tty ? ('stdout' as const) : o.stream, data: o.data };
        }
        const gone = !engine.containers.has(c.id);
        if (gone || c.status === 'exited' || c.status === 'dead' || c.outputClosed) return;
        await engine.nextChange(options.signal);
      }
    })();
  }

  /** `POST /containers/{id}/resize`: recorded only. @throws EngineError 404 for a missing container. */
  async resizeContainer(id: string, size: { height: number; width: number }): Promise<void> {
    this.record('resizeContainer', id, [id, size]);
    this.get(id, `resize container ${id}`);
  }

  // ───────────────────────────── networks ─────────────────────────────

  /**
   * `GET /networks`: filters `label`, `name`, `id` (regular expressions), `driver`.
   * @throws EngineError 400 for an unknown filter.
   */
  async listNetworks(filters?: Filters): Promise<Network[]> {
    this.record('listNetworks', filterText(filters), [filters]);
    const f = this.checkFilters(filters, ['label', 'name', 'id', 'driver'], 'list networks');
    return [...this.networks.values()]
      .filter((n) => !f.label || matchLabels(f.label, n.network.Labels))
      .filter((n) => !f.name || matchAny(f.name, n.network.Name))
      .filter((n) => !f.id || matchAny(f.id, n.network.Id))
      .filter((n) => !f.driver || f.driver.includes(n.network.Driver ?? ''))
      .map((n) => this.networkView(n, false));
  }

  /** `GET /networks/{id}` (by ID, name or ID prefix), with its `Containers`. @throws EngineError 404. */
  async inspectNetwork(id: string): Promise<Network> {
    this.record('inspectNetwork', id, [id]);
    const n = this.findNetwork(id);
    if (!n) throw new EngineError(404, `network ${id} not found`, `inspect network ${id}`);
    return this.networkView(n, true);
  }

  /**
   * `POST /networks/create` → the ID; `Driver` defaults to `bridge`, `IPAM` to a fresh
   * `172.N.0.0/16` subnet.
   * @throws EngineError 409 when the name is taken.
   */
  async createNetwork(body: NetworkCreateBody): Promise<string> {
    this.record('createNetwork', body.Name, [body]);
    const context = `create network ${body.Name}`;
    if ([...this.networks.values()].some((n) => n.network.Name === body.Name)) {
      throw new EngineError(409, `network with name ${body.Name} already exists`, context);
    }
    const subnet = this.nextSubnet++;
    const id = sha(`network ${++this.counter} ${body.Name}`);
    const network: FakeNetwork['network'] = {
      Name: body.Name,
      Id: id,
      Created: new Date().toISOString(),
      Scope: 'local',
      Driver: body.Driver ?? 'bridge',
      EnableIPv6: body.EnableIPv6 ?? false,
      IPAM: body.IPAM?.Config?.length
        ? { Driver: body.IPAM.Driver ?? 'default', Config: body.IPAM.Config, Options: body.IPAM.Options ?? {} }
        : { Driver: body.IPAM?.Driver ?? 'default', Config: [{ Subnet: `172.${subnet}.0.0/16`, Gateway: `172.${subnet}.0.1` }], Options: body.IPAM?.Options ?? {} },
      Internal: body.Internal ?? false,
      Attachable: body.Attachable ?? false,
      Ingress: false,
      Containers: {},
      Options: body.Options ?? {},
      Labels: body.Labels ?? {},
    };
    this.networks.set(id, { network, builtin: false, endpoints: new Map(), nextIp: 2, subnet });
    this.event('network', 'create', id, { name: body.Name, type: network.Driver ?? 'bridge' });
    this.changed();
    return id;
  }

  /**
   * `DELETE /networks/{id}`: a missing network is not an error. As dockerd, only running
   * containers hold endpoints: a network that stopped containers are configured for goes.
   * @throws EngineError 403 for a predefined network or one a running container is attached to.
   */
  async removeNetwork(id: string): Promise<void> {
    this.record('removeNetwork', id, [id]);
    const context = `remove network ${id}`;
    const n = this.findNetwork(id);
    if (!n) return;
    if (n.builtin) throw new EngineError(403, `${n.network.Name} is a pre-defined network and cannot be removed`, context);
    if (n.endpoints.size) {
      throw new EngineError(403, `error while removing network: network ${n.network.Name} id ${n.network.Id} has active endpoints`, context);
    }
    this.networks.delete(n.network.Id);
    this.event('network', 'destroy', n.network.Id, { name: n.network.Name, type: n.network.Driver ?? '' });
    this.changed();
  }

  /**
   * `POST /networks/{id}/connect`: a stopped container is configured to join it at its next start.
   * @throws EngineError 404 for a missing network or container, 403 when it is already connected.
   */
  async connectNetwork(id: string, container: string, endpoint?: EndpointSettings): Promise<void> {
    this.record('connectNetwork', id, [id, container, endpoint]);
    const context = `connect container ${container} to network ${id}`;
    const n = this.findNetwork(id);
    if (!n) throw new EngineError(404, `network ${id} not found`, context);
    const c = this.get(container, context);
    if (c.endpoints.has(n.network.Name)) throw new EngineError(403, `endpoint with name ${c.name} already exists in network ${n.network.Name}`, context);
    c.endpoints.set(n.network.Name, { ...(endpoint ?? {}) });
    if (c.status === 'running') this.join(c, n);
    this.changed();
  }

  /**
   * `POST /networks/{id}/disconnect`.
   * @throws EngineError 404 for a missing network or container, 500 when it is not connected.
   */
  async disconnectNetwork(id: string, container: string, force?: boolean): Promise<void> {
    this.record('disconnectNetwork', id, [id, container, force]);
    const context = `disconnect container ${container} from network ${id}`;
    const n = this.findNetwork(id);
    if (!n) throw new EngineError(404, `network ${id} not found`, context);
    const c = this.get(container, context);
    if (!c.endpoints.delete(n.network.Name)) throw new EngineError(500, `container ${c.id} is not connected to the network ${n.network.Name}`, context);
    this.leave(c, n);
    this.changed();
  }

  // ───────────────────────────── volumes ─────────────────────────────

  /**
   * `GET /volumes`: filters `label`, `name` (regular expressions), `driver`, `dangling`.
   * @throws EngineError 400 for an unknown filter.
   */
  async listVolumes(filters?: Filters): Promise<Volume[]> {
    this.record('listVolumes', filterText(filters), [filters]);
    const f = this.checkFilters(filters, ['label', 'name', 'driver', 'dangling'], 'list volumes');
    return [...this.volumes.values()]
      .filter((v) => !f.label || matchLabels(f.label, v.Labels))
      .filter((v) => !f.name || matchAny(f.name, v.Name))
      .filter((v) => !f.driver || f.driver.includes(v.Driver))
      .filter((v) => !f.dangling || f.dangling.some((d) => (d === 'true' || d === '1') === (this.volumeUsers(v.Name).length === 0)))
      .map((v) => structuredClone(v));
  }

  /** `GET /volumes/{name}`. @throws EngineError 404. */
  async inspectVolume(name: string): Promise<Volume> {
    this.record('inspectVolume', name, [name]);
    const v = this.volumes.get(name);
    if (!v) throw new EngineError(404, `get ${name}: no such volume`, `inspect volume ${name}`);
    return structuredClone(v);
  }

  /** `POST /volumes/create`: an existing volume of that name is returned as it is. */
  async createVolume(body: VolumeCreateBody): Promise<Volume> {
    this.record('createVolume', body.Name, [body]);
    return structuredClone(this.addVolume(body.Name, body.Driver, body.DriverOpts, body.Labels));
  }

  /**
   * `DELETE /volumes/{name}`: a missing volume is not an error.
   * @throws EngineError 409 when a container (running or not) uses it, `force` or not.
   */
  async removeVolume(name: string, force?: boolean): Promise<void> {
    this.record('removeVolume', name, [name, force]);
    const v = this.volumes.get(name);
    if (!v) return;
    const users = this.volumeUsers(name);
    if (users.length) throw new EngineError(409, `remove ${name}: volume is in use - [${users.join(', ')}]`, `remove volume ${name}`);
    this.volumes.delete(name);
    this.event('volume', 'destroy', name, { driver: v.Driver });
    this.changed();
  }

  // ───────────────────────────── images ─────────────────────────────

  /** `GET /images/{name}/json` by reference (`:latest` implied) or ID; `undefined` when absent. */
  async inspectImage(name: string): Promise<ImageInspect | undefined> {
    this.record('inspectImage', name, [name]);
    // dockerd 20.10 answers 400 for a reference it cannot parse (an uppercase repository)
    if (!name.startsWith('sha256:') && /[A-Z]/.test(name.replace(/[:@][^/]*$/, ''))) {
      throw new EngineError(400, `no such image: ${name}: invalid reference format: repository name must be lowercase`, `inspect image ${name}`);
    }
    const image = this.findImage(name);
    return image === NOT_FOUND_IMAGE ? undefined : structuredClone(image.inspect);
  }

  /**
   * `POST /build`: drains the context, then tags a new image with every tag (its labels from
   * `options.labels`), yielding classic-builder progress (`stream` lines, `aux.ID`). A build
   * scripted with {@link scriptBuild} to fail yields its output, then throws.
   *
   * @throws EngineError 500 (`ENGINE`) with the scripted error text.
   */
  build(context: NodeJS.ReadableStream | Buffer, options: BuildOptions): AsyncIterable<ProgressMessage> {
    this.record('build', options.tags[0] ?? '', [context, options]);
    const label = options.tags[0] ?? 'image';
    const script = this.buildScripts.get(normaliseRef(label)) ?? {};
    const engine = this;
    return (async function* () {
      if (!Buffer.isBuffer(context)) for await (const _chunk of context) void _chunk;
      for (const line of script.output ?? [`Step 1/1 : FROM scratch\n`]) yield { stream: line };
      if (script.error) throw new EngineError(500, script.error, `build ${label}`);
      let id = '';
      for (const tag of options.tags) {
        id = engine.addImage(tag, { Labels: { ...(options.labels ?? {}) }, Cmd: ['sh'] });
      }
      engine.event('image', 'tag', id, { name: normaliseRef(label) });
      yield { aux: { ID: id } };
      yield { stream: `Successfully built ${id.slice(7, 19)}\n` };
      for (const tag of options.tags) yield { stream: `Successfully tagged ${normaliseRef(tag)}\n` };
    })();
  }

  /**
   * `DELETE /images/{name}`: untags the reference and deletes the image once no tag is left; a
   * missing image resolves `[]`.
   * @throws EngineError 409 when a container uses the image and `force` is not set.
   */
  async removeImage(name: string, options: { force?: boolean; noprune?: boolean } = {}): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    this.record('removeImage', name, [name, options]);
    const image = this.findImage(name);
    if (image === NOT_FOUND_IMAGE) return [];
    const user = [...this.containers.values()].find((c) => c.imageId === image.inspect.Id);
    if (user && !options.force) {
      throw new EngineError(
        409,
        `conflict: unable to remove repository reference "${name}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${image.inspect.Id.slice(7, 19)}`,
        `remove image ${name}`,
      );
    }
    const tags = [...this.images.entries()].filter(([, i]) => i.inspect.Id === image.inspect.Id).map(([t]) => t);
    const untag = name.startsWith('sha256:') ? tags : [normaliseRef(name)];
    for (const t of untag) this.images.delete(t);
    const result: Array<{ Untagged?: string; Deleted?: string }> = untag.map((t) => ({ Untagged: t }));
    if (untag.length === tags.length) result.push({ Deleted: image.inspect.Id });
    this.event('image', 'delete', image.inspect.Id, { name });
    return result;
  }

  // ───────────────────────────── events ─────────────────────────────

  /**
   * `GET /events`: the events recorded since `since` (Unix seconds; without it, as the daemon,
   * only those that happen after the call), then new ones until `signal` aborts or, with `until`
   * (Unix seconds), until that time.
   * Filters `type`, `event` (action), `container` (ID or name), `label`, `network`, `volume`.
   *
   * @throws EngineError 400 for an unknown filter.
   */
  events(options: { filters?: Filters; since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EventMessage> {
    this.record('events', filterText(options.filters), [options]);
    // `until` (Unix seconds): events after it are not sent, and the stream ends at that time
    const untilMs = options.until === undefined ? undefined : unixMs(options.until);
    const f = this.checkFilters(options.filters, ['type', 'event', 'container', 'label', 'network', 'volume', 'image'], 'follow engine events');
    const sinceMs = options.since === undefined ? undefined : unixMs(options.since);
    const engine = this;
    const matches = (e: EventMessage): boolean =>
      (!f.type || f.type.includes(e.Type ?? '')) &&
      (!f.event || f.event.some((a) => e.Action === a || e.Action?.startsWith(`${a}:`))) &&
      (!f.container || (e.Type === 'container' && f.container.some((c) => e.Actor?.ID?.startsWith(c) || e.Actor?.Attributes?.name === c))) &&
      (!f.network || (e.Type === 'network' && f.network.some((n) => e.Actor?.ID === n || e.Actor?.Attributes?.name === n))) &&
      (!f.volume || (e.Type === 'volume' && f.volume.includes(e.Actor?.ID ?? ''))) &&
      (!f.image || (e.Type === 'image' && f.image.some((i) => e.Actor?.ID === i || e.Actor?.Attributes?.name === normaliseRef(i)))) &&
      (!f.label || matchLabels(f.label, e.Actor?.Attributes));
    return (async function* () {
      let cursor = sinceMs === undefined ? engine.eventLog.length : engine.eventLog.findIndex((e) => (e.timeNano ?? 0) / 1e6 >= sinceMs - TICK_MS / 2);
      if (cursor < 0) cursor = engine.eventLog.length;
      for (;;) {
        while (cursor < engine.eventLog.length) {
          const e = engine.eventLog[cursor++]!;
          if (untilMs !== undefined && (e.timeNano ?? 0) / 1e6 > untilMs + TICK_MS / 2) return;
          if (matches(e)) yield structuredClone(e);
        }
        if (options.signal?.aborted) return;
        if (untilMs !== undefined && Date.now() >= untilMs) return;
        const change = engine.nextChange(options.signal).catch(() => undefined);
        if (untilMs === undefined) await change;
        else {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([change, new Promise<void>((r) => (timer = setTimeout(r, untilMs - Date.now())))]);
          clearTimeout(timer);
        }
        if (options.signal?.aborted) return;
      }
    })();
  }

  /** Nothing to close. */
  close(): void {
    this.record('close', '', []);
  }

  // ───────────────────────────── internals ─────────────────────────────

  private record(method: EngineMethod, target: string, args: readonly unknown[]): void {
    this.calls.push({ method, target, args });
  }

  /** Wakes everything waiting for a change (waits, followed logs, events). */
  private changed(): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l();
  }

  /** Resolves at the next change; rejects with CANCELLED when `signal` aborts first. */
  private nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new CapstanError('CANCELLED', 'cancelled'));
      const onAbort = (): void => {
        this.listeners.delete(listener);
        reject(new CapstanError('CANCELLED', 'cancelled'));
      };
      const listener = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.listeners.add(listener);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The time of a log entry or an event, in milliseconds: the wall clock, but at least
   * {@link TICK_MS} after the last one. The daemon stamps both in nanoseconds, so a line printed
   * by a restarted container comes after the `die` of its previous run even within one
   * millisecond; with `Date.now()` alone they tied, and `logs -f` resuming from the `die` time
   * lost that line (a flake of one run in a hundred).
   */
  private tick(): number {
    this.lastTick = Math.max(Date.now(), this.lastTick + TICK_MS);
    return this.lastTick;
  }

  private event(type: NonNullable<EventMessage['Type']>, action: string, id: string, attributes: Record<string, string>): void {
    const now = this.tick();
    this.eventLog.push({ Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local', time: Math.floor(now / 1000), timeNano: Math.round(now * 1e6) });
    this.changed();
  }

  private containerAttributes(c: FakeContainer): Record<string, string> {
    return { ...(c.body.Labels ?? {}), image: c.body.Image ?? '', name: c.name };
  }

  /** A container leaves the running state with `code` and the event `action` (`die`). */
  private stopped(c: FakeContainer, code: number, action: string, autoRemove = true): void {
    c.status = 'exited';
    c.exitCode = code;
    c.finishedAt = new Date().toISOString();
    for (const n of this.networks.values()) this.leave(c, n);
    this.event('container', action, c.id, { ...this.containerAttributes(c), exitCode: String(code) });
    // `HostConfig.AutoRemove` (`run --rm`): the daemon removes it once it exited
    if (autoRemove && c.body.HostConfig?.AutoRemove) {
      this.containers.delete(c.id);
      this.event('container', 'destroy', c.id, this.containerAttributes(c));
      this.changed();
    }
  }

  private behaviourOf(c: FakeContainer): ContainerBehaviour {
    const service = c.body.Labels?.['com.docker.compose.service'];
    const found = this.behaviours.filter((b) => b.target === c.name || b.target === service);
    return Object.assign({}, ...found.map((b) => b.behaviour)) as ContainerBehaviour;
  }

  private findContainer(ref: string): FakeContainer | undefined {
    const bare = ref.replace(/^\//, '');
    const exact = this.containers.get(ref) ?? this.byName(bare);
    if (exact) return exact;
    const prefixed = ref.length ? [...this.containers.values()].filter((c) => c.id.startsWith(ref)) : [];
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  private byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  private get(ref: string, context: string): FakeContainer {
    const c = this.findContainer(ref);
    if (!c) throw new EngineError(404, `No such container: ${ref}`, context);
    return c;
  }

  private mustFind(ref: string): FakeContainer {
    const c = this.findContainer(ref);
    if (!c) throw new Error(`fake engine: no container ${ref}`);
    return c;
  }

  private indexOf(c: FakeContainer): number {
    return [...this.containers.keys()].indexOf(c.id);
  }

  private findNetwork(ref: string): FakeNetwork | undefined {
    const all = [...this.networks.values()];
    return (
      this.networks.get(ref) ??
      all.find((n) => n.network.Name === ref) ??
      (ref.length ? (all.filter((n) => n.network.Id.startsWith(ref)).length === 1 ? all.find((n) => n.network.Id.startsWith(ref)) : undefined) : undefined)
    );
  }

  private findImage(ref: string): FakeImage | typeof NOT_FOUND_IMAGE {
    if (!ref) return NOT_FOUND_IMAGE;
    const byTag = this.images.get(normaliseRef(ref));
    if (byTag) return byTag;
    const byId = [...this.images.values()].find((i) => i.inspect.Id === ref || i.inspect.Id === `sha256:${ref}`);
    return byId ?? NOT_FOUND_IMAGE;
  }

  /** Networks a create body asks for: its endpoints, else its `NetworkMode` (default `bridge`). */
  private requestedNetworks(body: ContainerCreateBody): Map<string, EndpointSettings> {
    const endpoints = body.NetworkingConfig?.EndpointsConfig ?? {};
    if (Object.keys(endpoints).length) return new Map(Object.entries(endpoints));
    const mode = body.HostConfig?.NetworkMode ?? 'default';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:') || mode.startsWith('service:')) return new Map();
    return new Map([[mode === 'default' ? 'bridge' : mode, {}]]);
  }

  /** A started container joins network `n`: an endpoint with an address. */
  private join(c: FakeContainer, n: FakeNetwork): void {
    const ip = `172.${n.subnet}.0.${n.nextIp++}`;
    const endpointId = sha(`endpoint ${++this.counter}`);
    n.endpoints.set(c.id, { name: c.name, endpointId, ip });
    this.event('network', 'connect', n.network.Id, { name: n.network.Name, container: c.id, type: n.network.Driver ?? '' });
  }

  /** A container leaves network `n` (it stopped, or was disconnected). */
  private leave(c: FakeContainer, n: FakeNetwork): void {
    if (n.endpoints.delete(c.id)) this.event('network', 'disconnect', n.network.Id, { name: n.network.Name, container: c.id, type: n.network.Driver ?? '' });
  }

  private endpointsOf(c: FakeContainer): Record<string, EndpointSettings> {
    const out: Record<string, EndpointSettings> = {};
    for (const [name, e] of c.endpoints) {
      const n = this.findNetwork(name);
      const live = n?.endpoints.get(c.id);
      out[name] = { ...e, NetworkID: live ? n!.network.Id : '', EndpointID: live?.endpointId ?? '', IPAddress: live?.ip ?? '', IPPrefixLen: live ? 16 : 0 };
    }
    return out;
  }

  private networkView(n: FakeNetwork, withContainers: boolean): Network {
    const view = structuredClone(n.network);
    view.Containers = {};
    if (withContainers) {
      for (const [id, e] of n.endpoints) view.Containers[id] = { Name: e.name, EndpointID: e.endpointId, MacAddress: '', IPv4Address: `${e.ip}/16`, IPv6Address: '' };
    }
    return view;
  }

  private addVolume(name: string, driver = 'local', options: Record<string, string> = {}, labels: Record<string, string> = {}): Volume {
    const existing = this.volumes.get(name);
    if (existing) return existing;
    const v: Volume = {
      Name: name,
      Driver: driver,
      Mountpoint: `/var/lib/docker/volumes/${name}/_data`,
      CreatedAt: new Date().toISOString(),
      Labels: { ...labels },
      Scope: 'local',
      Options: { ...options },
    };
    this.volumes.set(name, v);
    this.event('volume', 'create', name, { driver });
    return v;
  }

  private volumeUsers(name: string): string[] {
    return [...this.containers.values()].filter((c) => c.mounts.some((m) => m.Type === 'volume' && m.Name === name)).map((c) => c.id);
  }

  /** Mount points of a new container; creates the named and anonymous volumes it mounts. */
  private mountsFor(id: string, body: ContainerCreateBody): MountPoint[] {
    const out: MountPoint[] = [];
    const volume = (source: string | undefined, target: string, rw: boolean, labels?: Record<string, string>, driver?: string): void => {
      const name = source || sha(`anonymous ${id} ${target}`);
      const v = this.addVolume(name, driver, {}, source ? (labels ?? {}) : { 'com.docker.volume.anonymous': '' });
      out.push({ Type: 'volume', Name: name, Source: v.Mountpoint, Destination: target, Driver: v.Driver, Mode: 'z', RW: rw, Propagation: '' });
    };
    for (const bind of body.HostConfig?.Binds ?? []) {
      const [source = '', target = '', mode = ''] = bind.split(':');
      const rw = !mode.split(',').includes('ro');
      if (source.startsWith('/') || source.startsWith('.')) {
        out.push({ Type: 'bind', Source: source, Destination: target, Mode: mode, RW: rw, Propagation: 'rprivate' });
      } else volume(source, target, rw);
    }
    for (const m of body.HostConfig?.Mounts ?? []) {
      if (m.Type === 'volume') volume(m.Source, m.Target ?? '', !m.ReadOnly, m.VolumeOptions?.Labels, m.VolumeOptions?.DriverConfig?.Name);
      else out.push({ Type: m.Type, Source: m.Source ?? '', Destination: m.Target ?? '', Mode: '', RW: !m.ReadOnly, Propagation: m.BindOptions?.Propagation ?? (m.Type === 'bind' ? 'rprivate' : '') });
    }
    for (const target of Object.keys(body.Volumes ?? {})) {
      if (!out.some((m) => m.Destination === target)) volume(undefined, target, true);
    }
    return out;
  }

  /** `ip:port` of a published port another running container holds, if any. */
  private takenPort(c: FakeContainer): string | undefined {
    const wanted = Object.values(c.body.HostConfig?.PortBindings ?? {}).flatMap((b) => b ?? []);
    for (const other of this.containers.values()) {
      if (other.id === c.id || other.status !== 'running') continue;
      const held = Object.values(other.body.HostConfig?.PortBindings ?? {}).flatMap((b) => b ?? []);
      for (const w of wanted) {
        if (!w.HostPort) continue;
        const clash = held.find((h) => h.HostPort === w.HostPort && (!h.HostIp || !w.HostIp || h.HostIp === w.HostIp || h.HostIp === '0.0.0.0' || w.HostIp === '0.0.0.0'));
        if (clash) return `${w.HostIp || '0.0.0.0'}:${w.HostPort}`;
      }
    }
    return undefined;
  }

  private summary(c: FakeContainer): ContainerSummary {
    const now = Math.floor(Date.now() / 1000);
    const since = (iso: string): number => Math.max(0, now - Math.floor(Date.parse(iso) / 1000));
    const health = c.health === undefined ? '' : c.health === 'starting' ? ' (health: starting)' : ` (${c.health})`;
    const status =
      c.status === 'running'
        ? `Up ${humanDuration(since(c.startedAt))}${health}`
        : c.status === 'paused'
          ? `Up ${humanDuration(since(c.startedAt))} (Paused)`
          : c.status === 'exited'
            ? `Exited (${c.exitCode}) ${humanDuration(since(c.finishedAt))} ago`
            : c.status === 'created'
              ? 'Created'
              : c.status.charAt(0).toUpperCase() + c.status.slice(1);
    const ports = c.status === 'running' ? portsOf(c.body) : [];
    return {
      Id: c.id,
      Names: [`/${c.name}`],
      Image: c.body.Image ?? '',
      ImageID: c.imageId,
      Command: [...(c.body.Entrypoint ?? []), ...(c.body.Cmd ?? [])].join(' '),
      Created: c.created,
      Ports: ports,
      Labels: { ...(c.body.Labels ?? {}) },
      State: c.status,
      Status: status,
      HostConfig: { NetworkMode: c.body.HostConfig?.NetworkMode ?? 'bridge' },
      NetworkSettings: { Networks: this.endpointsOf(c) },
      Mounts: c.mounts.map((m) => ({ ...m })),
    };
  }

  private checkFilters(filters: Filters | undefined, known: readonly string[], context: string): Partial<Record<string, string[]>> {
    for (const key of Object.keys(filters ?? {})) {
      if (!known.includes(key)) throw new EngineError(400, `Invalid filter '${key}'`, context);
    }
    return filters ?? {};
  }

  private async *logStream(c: FakeContainer, options: LogsOptions): AsyncGenerator<LogChunk, void, undefined> {
    const sinceMs = options.since === undefined ? 0 : unixMs(options.since);
    const format = (o: FakeContainer['output'][number]): LogChunk => {
      if (!options.timestamps) return { stream: o.stream, data: o.data };
      const stamp = new Date(o.time).toISOString().replace('Z', '000000Z');
      const text = o.data.toString('utf8').replace(/^(?=.)/gm, `${stamp} `);
      return { stream: o.stream, data: Buffer.from(text, 'utf8') };
    };
    let cursor = 0;
    const untilMs = options.until === undefined ? Infinity : unixMs(options.until);
    let backlog = c.output.filter((o) => o.time >= sinceMs - TICK_MS / 2 && o.time < untilMs);
    if (options.tail !== undefined && options.tail !== 'all') {
      const lines = backlog.flatMap((o) => o.data.toString('utf8').split(/(?<=\n)/).filter(Boolean).map((text) => ({ ...o, data: Buffer.from(text, 'utf8') })));
      backlog = options.tail <= 0 ? [] : lines.slice(-options.tail);
    }
    for (const o of backlog) yield format(o);
    cursor = c.output.length;
    if (!options.follow) return;
    for (;;) {
      while (cursor < c.output.length) {
        const o = c.output[cursor++]!;
        if (o.time >= untilMs) return;
        yield format(o);
      }
      if (c.status !== 'running' || !this.containers.has(c.id) || options.signal?.aborted) return;
      try {
        await this.nextChange(options.signal);
      } catch {
        return;
      }
    }
  }
}

/**
 * The fake clock's step, in milliseconds (10 µs). A `since` that Capstan computed from an event's
 * `timeNano` is off by well under a microsecond (floating point), so comparisons allow half a step.
 */
const TICK_MS = 0.01;

/**
 * A `since`/`until` value as the daemon reads it, in milliseconds: Unix seconds (a number, or a
 * decimal string such as "1765000000.123000000") or an RFC 3339 time. The float error of the
 * decimal form (well under a microsecond) is absorbed by the half-step the comparisons allow.
 */
function unixMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  return /^-?\d+(\.\d*)?$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value);
}

/** dockerd's answer when a container name is taken. */
function conflictName(name: string, holder: string, context: string, prefix = ''): EngineError {
  return new EngineError(
    409,
    `${prefix}Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
    context,
  );
}

/** The `Ports` of a list entry: every published binding, plus exposed ports without one. */
function portsOf(body: ContainerCreateBody): NonNullable<ContainerSummary['Ports']> {
  const out: NonNullable<ContainerSummary['Ports']> = [];
  const bindings = body.HostConfig?.PortBindings ?? {};
  const keys = new Set([...Object.keys(body.ExposedPorts ?? {}), ...Object.keys(bindings)]);
  for (const key of keys) {
    const [port = '0', proto = 'tcp'] = key.split('/');
    const type = (proto === 'udp' || proto === 'sctp' ? proto : 'tcp') as 'tcp' | 'udp' | 'sctp';
    const published = bindings[key] ?? [];
    if (!published.length) out.push({ PrivatePort: Number(port), Type: type });
    for (const b of published) {
      out.push({ IP: b.HostIp || '0.0.0.0', PrivatePort: Number(port), PublicPort: Number(b.HostPort || 0), Type: type });
    }
  }
  return out;
}

function filterText(filters: Filters | undefined): string {
  return filters && Object.keys(filters).length ? JSON.stringify(filters) : '';
}
