/**
 * The contract of Capstan's Docker Engine API client (`EngineClient` in `./client.ts`).
 *
 * Request and response shapes come from the `docker-types` package (Engine API 1.41 models);
 * only bodies that the swagger defines inline (container create, network create, …) are spelled
 * out here. Nothing in this layer knows what a Compose service is.
 *
 * Units: the Engine API wants **nanoseconds** for healthcheck durations and NanoCpus, **seconds**
 * for stop timeouts, bytes for memory.
 */
import type {
  ContainerConfig,
  ContainerSummary,
  EndpointSettings,
  EventMessage,
  HostConfig,
  Network,
  Volume,
  ImageInspect,
  ContainerState,
  MountPoint,
  NetworkSettings,
} from 'docker-types/generated/1.41';
import type { RegistryAuth } from './registry-auth.js';

export type {
  ContainerConfig,
  ContainerSummary,
  EndpointSettings,
  EventMessage,
  HostConfig,
  Network,
  Volume,
  ImageInspect,
  ContainerState,
  MountPoint,
};

/** Engine API filters: `{ label: ['a=b'], name: ['x'] }`, JSON-encoded into the query. */
export type Filters = Record<string, string[]>;

/** Body of `POST /containers/create` (ContainerConfig + HostConfig + NetworkingConfig). */
export interface ContainerCreateBody extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings> };
}

/** Response of `GET /containers/{id}/json` (the fields Capstan reads). */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: ContainerState & { Health?: { Status?: string; FailingStreak?: number; Log?: unknown[] } };
  Config: ContainerConfig;
  HostConfig: HostConfig;
  NetworkSettings: NetworkSettings;
  Mounts: MountPoint[];
  RestartCount?: number;
}

/** Body of `POST /networks/create`. */
export interface NetworkCreateBody {
  Name: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: { Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }[];
    Options?: Record<string, string>;
  };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** Body of `POST /volumes/create`. */
export interface VolumeCreateBody {
  Name: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** One demultiplexed piece of container output. */
export interface LogChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** Options of `GET /containers/{id}/logs`. */
export interface LogsOptions {
  follow?: boolean;
  /** Number of lines from the end, or 'all'. */
  tail?: number | 'all';
  /** Unix seconds (fractions allowed) or RFC 3339. */
  since?: number | string;
  /** Only lines written before this time: Unix seconds (fractions allowed) or RFC 3339 (`logs --until`). */
  until?: number | string;
  timestamps?: boolean;
  /** The container's `Config.Tty`: a TTY stream is raw, otherwise multiplexed (8-byte headers). */
  tty: boolean;
  signal?: AbortSignal;
}

/** One message of the NDJSON progress stream of `POST /build` (and pull/push). */
export interface ProgressMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  /** Bytes of one layer during a pull or push (`current` of `total`). */
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string; [k: string]: unknown };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

/** Options of `POST /images/create` (pull). `auth` goes in `X-Registry-Auth`. */
export interface PullImageOptions {
  auth?: RegistryAuth;
  /** `os/arch[/variant]`, e.g. `linux/amd64`. */
  platform?: string;
  signal?: AbortSignal;
}

/** Options of `POST /images/{name}/push`. `auth` goes in `X-Registry-Auth`. */
export interface PushImageOptions {
  auth?: RegistryAuth;
  signal?: AbortSignal;
}

/** Options of `POST /build` (classic builder). */
export interface BuildOptions {
  /** Path of the Dockerfile inside the context tar. */
  dockerfile?: string;
  tags: string[];
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  nocache?: boolean;
  pull?: boolean;
  networkmode?: string;
  /** `shmsize`: size of the build containers' /dev/shm, in bytes. */
  shmsize?: number;
  /** `extrahosts`: `host:ip` entries (one repeated key each). */
  extrahosts?: string[];
  /** `cachefrom`: images to use as cache sources (sent as a JSON array). */
  cachefrom?: string[];
  /** `isolation`: `default`, `process` or `hyperv` (Windows engines). */
  isolation?: string;
  /** `platform`: one `os[/arch[/variant]]` (the classic builder builds a single platform). */
  platform?: string;
  /** `memory`: memory limit of the build containers, in bytes. */
  memory?: number;
  /** `ulimits`: the build containers' limits (sent as a JSON array). */
  ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
  /** `remote`: a git URL or tarball URL the engine fetches as the context (the body is then empty). */
  remote?: string;
  signal?: AbortSignal;
}

/** Body of `POST /containers/{id}/exec` in Capstan's words (stdin attached only with `attachStdin`). */
export interface ExecOptions {
  /** `AttachStdin`: the process reads what {@link Engine.attachExec} sends. Default false. */
  attachStdin?: boolean;
  /** The command, already split into words (`Cmd`). */
  cmd: string[];
  /** `User`: `user[:group]`, names or numeric IDs; default the container's user. */
  user?: string;
  /** `Privileged`: extended privileges for this process. */
  privileged?: boolean;
  /** `WorkingDir`; default the container's working directory. */
  workingDir?: string;
  /** `Env`: `KEY=value` entries added to the container's environment. */
  env?: string[];
  /** `Tty`: allocate a TTY (the output stream is then raw, not multiplexed). Default false. */
  tty?: boolean;
}

/** How {@link Engine.attachExec} runs: the exec's `Tty`, its stdin, and cancellation. */
export interface ExecAttachOptions {
  /** Must match {@link ExecOptions.tty}: a TTY's output is one raw stream, not multiplexed. */
  tty?: boolean;
  /** Sent to the process (the exec needs `attachStdin`); its end half-closes the connection. None: EOF at once. */
  stdin?: NodeJS.ReadableStream;
  /** Aborting closes the connection (the iterator then throws CANCELLED). */
  signal?: AbortSignal;
}

/**
 * How {@link Engine.attachContainer} attaches (`POST /containers/{id}/attach?stream=1&stdout=1&stderr=1`,
 * `run` and `attach`): the container's `Tty`, its stdin, detach keys, cancellation.
 */
export interface ContainerAttachOptions {
  /** Must match the container's `Config.Tty`: a TTY's output is one raw stream, not multiplexed. */
  tty?: boolean;
  /**
   * Sent to the container's stdin (`stdin=1`; the container needs `OpenStdin`); its end
   * half-closes the connection. Absent: stdin is not attached.
   */
  stdin?: NodeJS.ReadableStream;
  /** `logs=1`: replay what the container printed before attaching. Default false. */
  logs?: boolean;
  /** `detachKeys`, e.g. `ctrl-p,ctrl-q` (the engine's default when absent). */
  detachKeys?: string;
  /** Aborting closes the connection (the iterator then throws CANCELLED). */
  signal?: AbortSignal;
}

/** Response of `GET /exec/{id}/json` (the fields Capstan reads). */
export interface ExecInspect {
  ID: string;
  Running: boolean;
  /** `null` while the process runs. */
  ExitCode: number | null;
  ContainerID: string;
  Pid?: number;
}

/** Response of `GET /containers/{id}/top`: column titles and one row of cells per process. */
export interface ContainerTop {
  Titles: string[];
  Processes: string[][];
}

// ── cp / stats / export / commit (issue 10) ──

/**
 * `X-Docker-Container-Path-Stat` of `HEAD`/`GET /containers/{id}/archive` (base64 JSON): one path
 * inside a container. `mode` is Go's `os.FileMode` bits (directory `1 << 31`, symlink `1 << 27`),
 * `size` in bytes, `mtime` RFC 3339.
 */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** What `GET /containers/{id}/archive?path=…` answers: the path's stat and an uncompressed tar of it. */
export interface ContainerArchive {
  stat: ContainerPathStat;
  /** The tar stream; its top entry is the base name of the path. */
  content: AsyncIterable<Buffer>;
}

/** CPU counters of one `GET /containers/{id}/stats` sample (Linux; nanoseconds of CPU time). */
export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  /** Host CPU time (nanoseconds), all CPUs. */
  system_cpu_usage?: number;
  online_cpus?: number;
}

/**
 * One sample of `GET /containers/{id}/stats` (subset, Linux). Byte counts in bytes; `read` is
 * the sample's time (RFC 3339); `precpu_stats` is the previous sample (empty on the first).
 */
export interface ContainerStats {
  read?: string;
  name?: string;
  id?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
  pids_stats?: { current?: number };
}

/** Query of `POST /commit` (docker commit's flags). */
export interface CommitOptions {
  /** `repo` and `tag` of the new image; none: an untagged image. */
  repo?: string;
  tag?: string;
  /** `-m`. */
  comment?: string;
  /** `-a`. */
  author?: string;
  /** `-c`: Dockerfile instructions (`CMD`, `ENV`, `LABEL`…) applied to the image. */
  changes?: string[];
  /** `-p`: pause the container while committing (the engine's default: true). */
  pause?: boolean;
}

/** `GET /version` (subset). */
export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  Os: string;
  Arch: string;
}

/**
 * What the compose layer needs from an engine. `EngineClient` implements it over HTTP; tests of
 * the planner never need it (planning is pure).
 *
 * Every method rejects with `EngineError` (from `../errors.js`) carrying the HTTP status and the
 * daemon's message, or with a `CapstanError` coded `ENGINE_UNREACHABLE` when nothing answers.
 */
export interface Engine {
  /** `GET /_ping`; also negotiates the API version. */
  ping(): Promise<void>;
  /** `GET /version`. */
  version(): Promise<EngineVersion>;
  /**
   * The API version requests are spoken at, e.g. "1.43": negotiated by the first ping (joined when
   * one is in flight; reads may answer before it) or pinned.
   */
  negotiatedApiVersion(): Promise<string>;

  /** `GET /containers/json?all=…&filters=…`. */
  listContainers(options: { all?: boolean; filters?: Filters }): Promise<ContainerSummary[]>;
  /**
   * `POST /containers/create?name=…&platform=…` → the new container's ID. `platform`
   * (`os[/arch[/variant]]`, API ≥ 1.41) selects the image variant; omitted, the engine's default.
   */
  createContainer(name: string, body: ContainerCreateBody, platform?: string): Promise<string>;
  /** `GET /containers/{id}/json`. */
  inspectContainer(id: string): Promise<ContainerInspect>;
  /** `POST /containers/{id}/start`; already started is not an error. */
  startContainer(id: string): Promise<void>;
  /** `POST /containers/{id}/stop?t=…` (timeout in **seconds**); already stopped is not an error. */
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>;
  /** `POST /containers/{id}/kill?signal=…`. */
  killContainer(id: string, signal?: string): Promise<void>;
  /** `POST /containers/{id}/pause`: freezes every process of a running container (cgroup freezer). */
  pauseContainer(id: string): Promise<void>;
  /** `POST /containers/{id}/unpause`: resumes a paused container. */
  unpauseContainer(id: string): Promise<void>;
  /** `DELETE /containers/{id}?force=…&v=…`; already gone is not an error. */
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** `POST /containers/{id}/rename?name=…`. */
  renameContainer(id: string, name: string): Promise<void>;
  /** `POST /containers/{id}/wait?condition=…` → exit code. */
  waitContainer(id: string, condition?: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<number>;
  /** `GET /containers/{id}/logs`, demultiplexed by the `tty` flag. Ends when the stream ends. */
  containerLogs(id: string, options: LogsOptions): AsyncIterable<LogChunk>;
  /**
   * `GET /containers/{id}/top?ps_args=…`: the processes running in a container (`ps` output of
   * the host, default arguments `-ef`). Rejects with 409 when the container is not running.
   */
  topContainer(id: string, psArgs?: string): Promise<ContainerTop>;
  /** `PUT /containers/{id}/archive?path=…` with a tar body (copy files into a container). */
  putArchive(id: string, path: string, tar: Buffer): Promise<void>;

  // ── cp / stats / export / commit (issue 10); optional: engines without them cannot run these verbs ──
  /** `HEAD /containers/{id}/archive?path=…`: the path's stat, `undefined` when it does not exist (404). */
  statContainerPath?(id: string, path: string): Promise<ContainerPathStat | undefined>;
  /** `GET /containers/{id}/archive?path=…`: a tar of the path (rejects with 404 when it does not exist). */
  getArchive?(id: string, path: string, signal?: AbortSignal): Promise<ContainerArchive>;
  /**
   * `PUT /containers/{id}/archive?path=…&copyUIDGID=…&noOverwriteDirNonDir=true` with a tar body
   * (buffer or stream): extracts it into directory `path`; `copyUIDGID` keeps the archive's owners.
   */
  copyToContainer?(id: string, path: string, tar: Buffer | NodeJS.ReadableStream, options?: { copyUIDGID?: boolean }): Promise<void>;
  /**
   * `GET /containers/{id}/stats?stream=…&one-shot=…`: samples about once a second with `stream`
   * (until `signal` aborts, which ends the iterator quietly), else one sample.
   */
  containerStats?(id: string, options: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): AsyncIterable<ContainerStats>;
  /** `GET /containers/{id}/export`: a tar of the container's whole filesystem. */
  exportContainer?(id: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>>;
  /** `POST /commit?container=…`: a new image from the container's changes → its ID (`sha256:…`). */
  commitContainer?(id: string, options: CommitOptions): Promise<string>;

  /** `POST /containers/{id}/exec` → the exec instance's ID (the process is not started yet). */
  createExec(container: string, options: ExecOptions): Promise<string>;
  /**
   * `POST /exec/{id}/start` with `Detach: false`: runs the process and yields its output until it
   * ends, demultiplexed unless `tty` (which must match {@link ExecOptions.tty}).
   */
  startExec(execId: string, options: { tty?: boolean; signal?: AbortSignal }): AsyncIterable<LogChunk>;
  /** `GET /exec/{id}/json`: whether it still runs and its exit code. */
  inspectExec(execId: string): Promise<ExecInspect>;
  /**
   * `POST /exec/{id}/start` on a hijacked connection (`Connection: Upgrade`, `Upgrade: tcp`):
   * `stdin` is written to the process, then the connection's write side is half-closed so the
   * process reads EOF; yields the output until the process ends (demultiplexed unless `tty`).
   * Optional (added for `exec`): engines without it cannot stream stdin.
   */
  attachExec?(execId: string, options: ExecAttachOptions): AsyncIterable<LogChunk>;
  /** `POST /exec/{id}/start` with `Detach: true`: starts the process and returns at once. */
  startExecDetached?(execId: string, options: { tty?: boolean }): Promise<void>;
  /** `POST /exec/{id}/resize?h=…&w=…`: the exec's TTY size, in characters. */
  resizeExec?(execId: string, size: { height: number; width: number }): Promise<void>;

  /**
   * `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1]` on a hijacked connection
   * (`run`, `attach`). Resolves once the engine has upgraded the connection, so that a container
   * started afterwards loses no output; the iterable then yields its output (demultiplexed unless
   * `tty`) until the engine closes the stream (the container stopped, or detached). `stdin` is
   * streamed in and half-closed at its end. Optional (added for `run`/`attach`).
   */
  attachContainer?(id: string, options: ContainerAttachOptions): Promise<AsyncIterable<LogChunk>>;
  /** `POST /containers/{id}/resize?h=…&w=…`: the container's TTY size, in characters. */
  resizeContainer?(id: string, size: { height: number; width: number }): Promise<void>;

  /** `GET /networks?filters=…`. */
  listNetworks(filters?: Filters): Promise<Network[]>;
  /** `GET /networks/{id}`. */
  inspectNetwork(id: string): Promise<Network>;
  /** `POST /networks/create` → the network ID. */
  createNetwork(body: NetworkCreateBody): Promise<string>;
  /** `DELETE /networks/{id}`; already gone is not an error. */
  removeNetwork(id: string): Promise<void>;
  /** `POST /networks/{id}/connect`. */
  connectNetwork(id: string, container: string, endpoint?: EndpointSettings): Promise<void>;
  /** `POST /networks/{id}/disconnect`. */
  disconnectNetwork(id: string, container: string, force?: boolean): Promise<void>;

  /** `GET /volumes?filters=…`. */
  listVolumes(filters?: Filters): Promise<Volume[]>;
  /** `GET /volumes/{name}`. */
  inspectVolume(name: string): Promise<Volume>;
  /** `POST /volumes/create`. */
  createVolume(body: VolumeCreateBody): Promise<Volume>;
  /** `DELETE /volumes/{name}`; already gone is not an error. */
  removeVolume(name: string, force?: boolean): Promise<void>;

  /** `GET /images/{name}/json`; resolves `undefined` when the image does not exist. */
  inspectImage(name: string): Promise<ImageInspect | undefined>;
  /**
   * `POST /build` with a tar context; yields the NDJSON progress messages. A message with
   * `error` makes the iterator throw an `EngineError` after yielding what came before.
   */
  build(context: NodeJS.ReadableStream | Buffer, options: BuildOptions): AsyncIterable<ProgressMessage>;
  /**
   * `POST /images/create` (pull): yields the NDJSON progress; an `error` message throws an
   * EngineError (401 when unauthorized). Optional: fakes without registries leave it out.
   */
  pullImage?(ref: string, options?: PullImageOptions): AsyncIterable<ProgressMessage>;
  /** `POST /images/{name}/push`: as {@link Engine.pullImage}. */
  pushImage?(ref: string, options?: PushImageOptions): AsyncIterable<ProgressMessage>;
  /**
   * `DELETE /images/{name}?force=…&noprune=…` → the untagged/deleted entries; a missing image
   * is not an error (resolves `[]`). Optional: added for `down --rmi` and test cleanup.
   */
  removeImage?(name: string, options?: { force?: boolean; noprune?: boolean }): Promise<Array<{ Untagged?: string; Deleted?: string }>>;

  /**
   * `GET /events?since=…&until=…&filters=…` as a stream, until `signal` aborts or (with `until`,
   * Unix seconds or RFC 3339) the daemon ends it at that time.
   */
  events(options: { filters?: Filters; since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EventMessage>;

  /** Closes idle keep-alive connections (optional; the client reconnects on the next call). */
  close?(): void;
}

// ---------------------------------------------------------------------------------------------
// Swarm (Engine API 1.41: /swarm, /nodes, /services, /tasks, /secrets, /configs, /distribution).
// Only the fields Capstan reads or writes are typed; a ServiceSpec is the Engine's JSON shape.

/** `ServiceSpec` (Engine API 1.41 `#/definitions/ServiceSpec`), as sent to `/services/create|update`. */
export interface SwarmServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels?: Record<string, string>;
      Command?: string[];
      Args?: string[];
      Hostname?: string;
      Env?: string[];
      Dir?: string;
      User?: string;
      Groups?: string[];
      TTY?: boolean;
      OpenStdin?: boolean;
      ReadOnly?: boolean;
      Mounts?: Array<{
        Type: 'bind' | 'volume' | 'tmpfs';
        Source?: string;
        Target: string;
        ReadOnly?: boolean;
        VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
        BindOptions?: { Propagation?: string };
        TmpfsOptions?: { SizeBytes?: number; Mode?: number };
      }>;
      StopSignal?: string;
      StopGracePeriod?: number;
      Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
      Hosts?: string[];
      DNSConfig?: { Nameservers?: string[]; Search?: string[]; Options?: string[] };
      Secrets?: Array<{ File: { Name: string; UID: string; GID: string; Mode: number }; SecretID: string; SecretName: string }>;
      Configs?: Array<{ File: { Name: string; UID: string; GID: string; Mode: number }; ConfigID: string; ConfigName: string }>;
      Isolation?: string;
      Init?: boolean;
      Sysctls?: Record<string, string>;
      CapabilityAdd?: string[];
      CapabilityDrop?: string[];
      Ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
    };
    Resources?: {
      Limits?: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number };
      Reservations?: {
        NanoCPUs?: number;
        MemoryBytes?: number;
        GenericResources?: Array<{ DiscreteResourceSpec?: { Kind: string; Value: number } }>;
      };
    };
    RestartPolicy?: { Condition?: 'none' | 'on-failure' | 'any'; Delay?: number; MaxAttempts?: number; Window?: number };
    Placement?: { Constraints?: string[]; Preferences?: Array<{ Spread: { SpreadDescriptor: string } }>; MaxReplicas?: number };
    Networks?: Array<{ Target: string; Aliases?: string[]; DriverOpts?: Record<string, string> }>;
    LogDriver?: { Name: string; Options?: Record<string, string> };
    ForceUpdate?: number;
  };
  Mode?: {
    Replicated?: { Replicas: number };
    Global?: Record<string, never>;
    ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
    GlobalJob?: Record<string, never>;
  };
  UpdateConfig?: SwarmUpdateConfig;
  RollbackConfig?: SwarmUpdateConfig;
  EndpointSpec?: {
    Mode?: 'vip' | 'dnsrr';
    Ports?: Array<{ Name?: string; Protocol?: string; TargetPort: number; PublishedPort?: number; PublishMode?: 'ingress' | 'host' }>;
  };
}

/** `UpdateConfig` / `RollbackConfig`: durations in nanoseconds. */
export interface SwarmUpdateConfig {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: string;
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: 'stop-first' | 'start-first';
}

/** `GET /services` entry. */
export interface SwarmService {
  ID: string;
  Version: { Index: number };
  Spec: SwarmServiceSpec;
  UpdateStatus?: { State?: string; Message?: string };
  ServiceStatus?: { RunningTasks: number; DesiredTasks: number; CompletedTasks?: number };
  Endpoint?: { Ports?: Array<{ Protocol?: string; TargetPort: number; PublishedPort?: number; PublishMode?: string }> };
}

/** `GET /tasks` entry. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState: string;
  Spec: { ContainerSpec?: { Image?: string } };
  Status: { Timestamp?: string; State: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  CreatedAt?: string;
  UpdatedAt?: string;
}

/** `GET /nodes` entry. */
export interface SwarmNode {
  ID: string;
  Spec: { Role: 'manager' | 'worker'; Availability: 'active' | 'pause' | 'drain'; Labels?: Record<string, string> };
  Description: { Hostname: string; Engine?: { Labels?: Record<string, string> } };
  Status: { State: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

/** `GET /secrets` / `GET /configs` entry (the data is never returned for secrets). */
export interface SwarmObject {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; Labels?: Record<string, string>; Data?: string };
}

/** `GET /info`'s Swarm part. */
export interface SwarmInfo {
  LocalNodeState: string;
  ControlAvailable: boolean;
  NodeID?: string;
  NodeAddr?: string;
}

/**
 * What `compose/stack` needs from a Swarm manager. `EngineClient` implements it; kept apart from
 * {@link Engine} so that single-host code and its fake need none of it.
 */
export interface SwarmEngine {
  /** `GET /info` → `.Swarm`. */
  swarmInfo(): Promise<SwarmInfo>;
  /** `GET /nodes`. @throws EngineError 503 when this engine is not a swarm manager. */
  listNodes(filters?: Filters): Promise<SwarmNode[]>;
  /** `GET /services?status=true`. */
  listServices(filters?: Filters): Promise<SwarmService[]>;
  /** `POST /services/create` → ID; `auth` becomes `X-Registry-Auth`. */
  createService(spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<string>;
  /** `POST /services/{id}/update?version=N` → warnings. */
  updateService(id: string, version: number, spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<string[]>;
  /** `DELETE /services/{id}`; already gone is not an error. */
  removeService(id: string): Promise<void>;
  /** `GET /tasks`. */
  listTasks(filters?: Filters): Promise<SwarmTask[]>;
  /** `GET /secrets` / `GET /configs`. */
  listSwarmObjects(kind: 'secrets' | 'configs', filters?: Filters): Promise<SwarmObject[]>;
  /** `POST /secrets/create` / `POST /configs/create` (`data` base64 in the body) → ID. */
  createSwarmObject(kind: 'secrets' | 'configs', name: string, data: Buffer, labels: Record<string, string>): Promise<string>;
  /** `DELETE /secrets/{id}` / `DELETE /configs/{id}`; already gone is not an error. */
  removeSwarmObject(kind: 'secrets' | 'configs', id: string): Promise<void>;
  /** `GET /distribution/{name}/json` → the manifest digest (`sha256:…`), undefined when the registry has none. */
  distributionDigest(ref: string, auth?: RegistryAuth): Promise<string | undefined>;
  listNetworks(filters?: Filters): Promise<Network[]>;
  createNetwork(body: NetworkCreateBody): Promise<string>;
  removeNetwork(id: string): Promise<void>;
}
