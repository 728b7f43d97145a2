/**
 * The Compose model after loading: canonical long syntax, pure data, no I/O.
 *
 * Property names are the Compose Specification's own keys (snake_case, as in compose.yaml), so
 * the model serialises straight back to YAML for `capstan config`. Everything here is what the
 * loader produces after interpolation, merge, validation, normalisation of short syntax, defaults
 * and path resolution: consumers (the planner, the executor) never see a short form.
 *
 * Durations are kept as Compose duration strings (`"1m30s"`, `"500ms"`); convert them with
 * `parseDuration` from `./duration.js` (returns nanoseconds, what the Engine API wants).
 * Byte sizes (`mem_limit`, `shm_size`, `deploy.resources.*.memory`, `blkio_config` rates) are
 * numbers of bytes; `cpus` are numbers; file modes of secrets/configs are compose's octal strings
 * (`"0440"`, read them with `parseFileMode` from `./units.js`); device `count` is a number, `-1`
 * for all. `capstan config` prints sizes as decimal strings, as compose does.
 *
 * First cut (issue 2): the attributes the spine uses are typed; other attributes that the schema
 * accepts are kept on the object as loaded (see {@link ServiceConfig} index signature) so that
 * `config` shows them and later issues can type them.
 */

// Every attribute of the Compose schema has a field in these types: `./spec-coverage.ts` fails type
// checking (`npm run typecheck`, and the `tsc` of `npm run build`) when the schema has one the model
// lacks. Attributes kept as loaded take the schema's own type (`./schema-types.ts`).
import type { ComposeConfig, ComposeModel, ComposeSecret } from './compose-spec.generated.js';
import type { BuildAttr, ServiceAttr } from './schema-types.js';

/** A fully loaded project. */
export interface Project {
  /** Normalised project name (`[a-z0-9][a-z0-9_-]*`). */
  name: string;
  services: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, SecretConfig>;
  configs: Record<string, ConfigObjConfig>;
  /** Top-level `x-*` extensions, kept verbatim. */
  extensions: Record<string, unknown>;

  /** Absolute project directory: `--project-directory`, else the first compose file's directory. */
  workingDir: string;
  /** Absolute paths of the compose files, in load order (`-` for stdin). */
  configFiles: string[];
  /** Absolute paths of the `--env-file`s given (empty when only the default `.env` was used). */
  envFiles: string[];
  /** The interpolation environment: OS environment over `.env` / `--env-file` values. */
  environment: Record<string, string>;
  /** Services present in the files but disabled by profiles; not orphans. */
  disabledServices: Record<string, ServiceConfig>;
  /** Active profiles. */
  profiles: string[];
  /** Top-level `models:` (Docker Model Runner), kept as loaded. */
  models?: Record<string, unknown>;
}

/** `services.<name>` in canonical form. */
export interface ServiceConfig {
  /** The key under `services:`. */
  name: string;
  image?: string;
  build?: BuildConfig;
  /** `null` means "explicitly empty" (overrides the image's CMD with nothing). */
  command?: string[] | null;
  entrypoint?: string[] | null;
  /** Resolved container environment; `null` = declared without value and unset (dropped). */
  environment?: Record<string, string | null>;
  env_file?: EnvFileConfig[];
  labels?: Record<string, string>;
  /** Absolute paths of label files; their labels are folded into `labels` (service labels win). */
  label_file?: string[];
  ports?: ServicePortConfig[];
  expose?: string[];
  volumes?: ServiceVolumeConfig[];
  /** `networks:` as a map; a `null` value means "attach with defaults". */
  networks?: Record<string, ServiceNetworkConfig | null>;
  network_mode?: string;
  depends_on?: Record<string, DependsOnConfig>;
  healthcheck?: HealthCheckConfig;
  restart?: string;
  container_name?: string;
  hostname?: string;
  domainname?: string;
  user?: string;
  working_dir?: string;
  tty?: boolean;
  stdin_open?: boolean;
  privileged?: boolean;
  init?: boolean;
  read_only?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  /** DNS servers; empty entries (e.g. an unset `${VAR}`) are dropped. */
  dns?: string[];
  /** `host=ip` entries, one per address; hosts sorted, each host's addresses in declaration order. */
  extra_hosts?: string[];
  /** `devices:` in long form. */
  devices?: DeviceMapping[];
  /** `gpus:` as device requests; `gpus: all` becomes `[{count: -1}]`. */
  gpus?: DeviceRequest[];
  /** Byte sizes, in bytes (compose's `UnitBytes`; `config` prints them as decimal strings). */
  mem_limit?: number;
  mem_reservation?: number;
  /** Bytes; `-1` = unlimited swap. */
  memswap_limit?: number;
  mem_swappiness?: number;
  shm_size?: number;
  /** Number of CPUs (fractional). */
  cpus?: number;
  blkio_config?: BlkioConfig;
  stop_signal?: string;
  stop_grace_period?: string;
  /** Replica count (`scale`, else `deploy.replicas`); the planner's desired container count. */
  scale?: number;
  deploy?: DeployConfig;
  profiles?: string[];
  pull_policy?: string;
  attach?: boolean;
  platform?: string;
  secrets?: ServiceFileReference[];
  configs?: ServiceFileReference[];
  /** Lifecycle hooks run by `docker exec` after the container starts (as loaded). */
  post_start?: ServiceHookConfig[];
  /** Lifecycle hooks run by `docker exec` before the container stops (as loaded). */
  pre_stop?: ServiceHookConfig[];
  /** Ephemeral init containers run before the service starts; `image` defaults to the service's. */
  pre_start?: ServiceHookConfig[];

  // Normalised by the loader.
  annotations?: Record<string, string>;
  /** A map after loading (the schema's list form is accepted too, e.g. by the container spec). */
  sysctls?: Record<string, string> | ServiceAttr<'sysctls'>;
  dns_search?: string[];
  tmpfs?: string[];
  cpu_count?: number;
  cpu_percent?: number;
  cpu_shares?: number;
  oom_score_adj?: number;
  pids_limit?: number;
  oom_kill_disable?: boolean;
  use_api_socket?: boolean;
  // Kept as loaded (interpolated, merged and validated): the schema's type.
  develop?: ServiceAttr<'develop'>;
  /** `host` or `private` (the container spec re-checks it). */
  cgroup?: string;
  cgroup_parent?: string;
  cpu_quota?: ServiceAttr<'cpu_quota'>;
  cpu_period?: ServiceAttr<'cpu_period'>;
  cpu_rt_period?: ServiceAttr<'cpu_rt_period'>;
  cpu_rt_runtime?: ServiceAttr<'cpu_rt_runtime'>;
  cpuset?: string;
  credential_spec?: ServiceAttr<'credential_spec'>;
  device_cgroup_rules?: ServiceAttr<'device_cgroup_rules'>;
  dns_opt?: ServiceAttr<'dns_opt'>;
  provider?: ServiceAttr<'provider'>;
  external_links?: ServiceAttr<'external_links'>;
  group_add?: ServiceAttr<'group_add'>;
  ipc?: string;
  isolation?: string;
  links?: ServiceAttr<'links'>;
  logging?: ServiceAttr<'logging'>;
  mac_address?: string;
  /** Docker Model Runner models used: top-level `models:` keys, as a list or a map. */
  models?: ServiceAttr<'models'>;
  pid?: ServiceAttr<'pid'>;
  pull_refresh_after?: string;
  runtime?: string;
  security_opt?: ServiceAttr<'security_opt'>;
  storage_opt?: ServiceAttr<'storage_opt'>;
  ulimits?: ServiceAttr<'ulimits'>;
  uts?: string;
  userns_mode?: string;
  volumes_from?: ServiceAttr<'volumes_from'>;
  /** Any other schema attribute, kept as loaded (typed in later issues). */
  [attribute: string]: unknown;
}

/** `build:` in long form. `context` is an absolute path (or a URL) after path resolution. */
export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  tags?: string[];
  network?: string;
  no_cache?: boolean;
  pull?: boolean;
  /** SSH agent sockets / keys: `"default"` or `"id=/abs/path"`. */
  ssh?: string[];
  /** Bytes. */
  shm_size?: number;
  /** `host=ip` entries, as {@link ServiceConfig.extra_hosts}. */
  extra_hosts?: string[];
  secrets?: ServiceFileReference[];
  /** Named contexts; local paths are absolute. */
  additional_contexts?: Record<string, string>;
  // Kept as loaded: the schema's type.
  entitlements?: BuildAttr<'entitlements'>;
  cache_from?: BuildAttr<'cache_from'>;
  cache_to?: BuildAttr<'cache_to'>;
  isolation?: string;
  privileged?: BuildAttr<'privileged'>;
  ulimits?: BuildAttr<'ulimits'>;
  platforms?: BuildAttr<'platforms'>;
  provenance?: BuildAttr<'provenance'>;
  sbom?: BuildAttr<'sbom'>;
  no_cache_filter?: BuildAttr<'no_cache_filter'>;
  [attribute: string]: unknown;
}

/** `ports:` entry, long syntax. One entry per container port (ranges are expanded). */
export interface ServicePortConfig {
  name?: string;
  mode?: string;
  host_ip?: string;
  /** Container port. */
  target: number;
  /** Host port or host range (`"8000"`, `"8000-8005"`); absent = ephemeral. */
  published?: string;
  protocol?: string;
  app_protocol?: string;
  /** `x-*` extensions, kept as loaded. */
  [extension: `x-${string}`]: unknown;
}

/** `volumes:` entry of a service, long syntax. */
export interface ServiceVolumeConfig {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Bind: absolute host path. Volume: the key under top-level `volumes:` (absent = anonymous). */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z'; recursive?: string };
  volume?: { nocopy?: boolean; subpath?: string; labels?: Record<string, string> };
  tmpfs?: { size?: number | string; mode?: number };
  image?: { subpath?: string };
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  driver_opts?: Record<string, string>;
  priority?: number;
  gw_priority?: number;
  interface_name?: string;
}

export type DependsOnCondition =
  | 'service_started'
  | 'service_healthy'
  | 'service_completed_successfully';

export interface DependsOnConfig {
  condition: DependsOnCondition;
  /** Default true. */
  required: boolean;
  restart?: boolean;
  /** `x-*` extensions, kept as loaded. */
  [extension: `x-${string}`]: unknown;
}

export interface HealthCheckConfig {
  /** `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`; a string form is normalised to CMD-SHELL. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface EnvFileConfig {
  /** Absolute path. */
  path: string;
  required: boolean;
  format?: string;
}

export interface DeployConfig {
  replicas?: number;
  resources?: {
    limits?: ResourceConfig;
    reservations?: ResourceConfig;
    [attribute: string]: unknown;
  };
  restart_policy?: { condition?: string; delay?: string; max_attempts?: number; window?: string };
  [attribute: string]: unknown;
}

/** `post_start` / `pre_stop` entry (`service_hook` in the schema), as loaded. */
export interface ServiceHookConfig {
  /** The command as argv: the loader shell-splits a string form. */
  command: string[];
  user?: string;
  privileged?: boolean | string;
  working_dir?: string;
  /** Map or `KEY=value` list; a bare `KEY` (or a null value) is taken from the project environment. */
  environment?: Record<string, string | number | boolean | null> | string[];
  [attribute: string]: unknown;
}

/** `deploy.resources.limits` / `reservations`. */
export interface ResourceConfig {
  /** Number of CPUs (fractional). */
  cpus?: number;
  /** Bytes. */
  memory?: number;
  pids?: number;
  /** Device reservations (`reservations` only). */
  devices?: DeviceRequest[];
  [attribute: string]: unknown;
}

/**
 * A device request (`gpus:` entry, `deploy.resources.reservations.devices` entry). `count` is a
 * number, `-1` meaning all devices; it defaults to `-1` when neither `count` nor `device_ids` is set.
 */
export interface DeviceRequest {
  capabilities?: string[];
  driver?: string;
  count?: number;
  device_ids?: string[];
  options?: Record<string, string>;
  [attribute: string]: unknown;
}

/** `devices:` entry in long form: `SRC[:DST[:PERMS]]` becomes `{source, target, permissions}`. */
export interface DeviceMapping {
  /** Host path, or a CDI device name (`vendor.com/class=name`). */
  source: string;
  target: string;
  /** Cgroup permissions, default `rwm`. */
  permissions: string;
  [attribute: string]: unknown;
}

/** `blkio_config:`; every `rate` is in bytes (or operations) per second. */
export interface BlkioConfig {
  weight?: number;
  weight_device?: { path: string; weight: number; [attribute: string]: unknown }[];
  device_read_bps?: ThrottleDevice[];
  device_read_iops?: ThrottleDevice[];
  device_write_bps?: ThrottleDevice[];
  device_write_iops?: ThrottleDevice[];
  [attribute: string]: unknown;
}

/** One `blkio_config.device_*_{bps,iops}` entry. */
export interface ThrottleDevice {
  path: string;
  rate: number;
  [attribute: string]: unknown;
}

/** Service `secrets:` / `configs:` / `build.secrets:` entry, long form. */
export interface ServiceFileReference {
  source: string;
  /** Service secrets default to `/run/secrets/<source>`. */
  target?: string;
  uid?: string;
  gid?: string;
  /** File mode as compose prints it: an octal string with a leading `0` (`"0440"`). */
  mode?: string;
  [attribute: string]: unknown;
}

/** Top-level `networks.<key>`. `name` is always set after normalisation. */
export interface NetworkConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: {
    driver?: string;
    config?: { subnet?: string; ip_range?: string; gateway?: string; aux_addresses?: Record<string, string> }[];
    options?: Record<string, string>;
  };
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
}

/** Top-level `volumes.<key>`. `name` is always set after normalisation. */
export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
}

/** Top-level `secrets.<key>`. */
export interface SecretConfig {
  name: string;
  file?: string;
  environment?: string;
  /**
   * The value of `environment` in the project environment, set by the loader. Never printed by
   * `config` (compose keeps secret values out of its output).
   */
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
  // Kept as loaded.
  driver?: ComposeSecret['driver'];
  driver_opts?: ComposeSecret['driver_opts'];
  template_driver?: ComposeSecret['template_driver'];
  [attribute: string]: unknown;
}

/** Top-level `configs.<key>`. */
export interface ConfigObjConfig {
  name: string;
  file?: string;
  environment?: string;
  /** Inline content, or the value of `environment` in the project environment (set by the loader). */
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
  template_driver?: ComposeConfig['template_driver'];
  [attribute: string]: unknown;
}

/**
 * Top-level `models.<key>` (Docker Model Runner), as loaded. ({@link Project.models} keeps them
 * typed `unknown`.)
 */
export interface ModelConfig {
  name?: string;
  /** The model's OCI reference, e.g. `ai/smollm2`. */
  model: string;
  context_size?: ComposeModel['context_size'];
  runtime_flags?: ComposeModel['runtime_flags'];
  [attribute: string]: unknown;
}
