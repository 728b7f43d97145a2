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
 * Durations are **checked** at load time (a bad one is a LoaderError with its position), so
 * `parseDuration` never fails on a loaded model. Every attribute is typed canonically: no value
 * stays in its "as loaded" schema form, and `x-*` extensions live in an `extensions` field of the
 * object that carried them (`config` prints them back in place).
 */

// Every attribute of the Compose schema has a field in these types: `./spec-coverage.ts` fails type
// checking (`npm run typecheck`, and the `tsc` of `npm run build`) when the schema has one the model
// lacks.

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
  /** Top-level `models:` (Docker Model Runner). */
  models?: Record<string, ModelConfig>;
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
  /** Percent, 0–100 (read as compose-go reads it, as `UnitBytes`); out of range only warned about at load. */
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
  /** Lifecycle hooks run by `docker exec` after the container starts. */
  post_start?: ServiceHookConfig[];
  /** Lifecycle hooks run by `docker exec` before the container stops. */
  pre_stop?: ServiceHookConfig[];
  /** Ephemeral init containers run before the service starts; `image` defaults to the service's. */
  pre_start?: ServiceHookConfig[];

  annotations?: Record<string, string>;
  /** Kernel parameters; the list form `k=v` is read into a map by the loader. */
  sysctls?: Record<string, string>;
  dns_search?: string[];
  /** `PATH[:OPTIONS]` entries; every `PATH` is absolute (checked by the loader). */
  tmpfs?: string[];
  cpu_count?: number;
  cpu_percent?: number;
  cpu_shares?: number;
  oom_score_adj?: number;
  pids_limit?: number;
  oom_kill_disable?: boolean;
  use_api_socket?: boolean;
  develop?: DevelopConfig;
  /** `host` or `private` (`service:X` is read as a dependency on X). */
  cgroup?: string;
  cgroup_parent?: string;
  /** CFS quota and period, RT period and runtime, in **microseconds** (a duration is converted). */
  cpu_quota?: number;
  cpu_period?: number;
  cpu_rt_period?: number;
  cpu_rt_runtime?: number;
  cpuset?: string;
  credential_spec?: CredentialSpecConfig;
  device_cgroup_rules?: string[];
  dns_opt?: string[];
  provider?: ProviderConfig;
  external_links?: string[];
  /** Group names or ids (numbers become strings). */
  group_add?: string[];
  ipc?: string;
  isolation?: string;
  /** `SERVICE[:ALIAS]` entries. */
  links?: string[];
  logging?: LoggingConfig;
  mac_address?: string;
  /**
   * Docker Model Runner models used: top-level `models:` keys, as written — a list of keys, or a
   * map of key → variable names.
   */
  models?: string[] | Record<string, ServiceModelConfig | null>;
  pid?: string;
  pull_refresh_after?: string;
  runtime?: string;
  security_opt?: string[];
  storage_opt?: Record<string, string>;
  /**
   * Resource limits by name. A single number sets soft and hard limits alike (kept as one
   * number, as compose-go keeps `Single`); a mapping gives both.
   */
  ulimits?: Record<string, UlimitConfig>;
  uts?: string;
  userns_mode?: string;
  /** `SERVICE[:ro|rw]` or `container:NAME[:ro|rw]` entries. */
  volumes_from?: string[];
  /** The service's `x-*` keys, kept as loaded. */
  extensions?: Record<string, unknown>;
}

/** One `ulimits` entry: a number (soft = hard), or both limits. */
export type UlimitConfig = number | { soft: number; hard: number };

/** `logging:`. Option values are strings (numbers are written as text, as compose-go does). */
export interface LoggingConfig {
  driver?: string;
  options?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** `credential_spec:` (Windows): one of `config`, `file`, `registry`. */
export interface CredentialSpecConfig {
  config?: string;
  file?: string;
  registry?: string;
  extensions?: Record<string, unknown>;
}

/** `provider:` — a service implemented by a `docker-<type>` plugin. */
export interface ProviderConfig {
  type: string;
  /** Option values: strings, or lists of strings for repeated options. */
  options?: Record<string, string | string[]>;
  extensions?: Record<string, unknown>;
}

/** One entry of the map form of service `models:`. */
export interface ServiceModelConfig {
  endpoint_var?: string;
  model_var?: string;
  extensions?: Record<string, unknown>;
}

/** `develop:` (Compose Develop Specification). */
export interface DevelopConfig {
  watch?: WatchRule[];
  extensions?: Record<string, unknown>;
}

/** One `develop.watch` rule. `ignore`/`include` are lists after loading. */
export interface WatchRule {
  path: string;
  action: 'rebuild' | 'sync' | 'restart' | 'sync+restart' | 'sync+exec';
  target?: string;
  ignore?: string[];
  include?: string[];
  exec?: ServiceHookConfig;
  initial_sync?: boolean;
  extensions?: Record<string, unknown>;
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
  entitlements?: string[];
  cache_from?: string[];
  cache_to?: string[];
  isolation?: string;
  privileged?: boolean;
  /** As {@link ServiceConfig.ulimits}. */
  ulimits?: Record<string, UlimitConfig>;
  platforms?: string[];
  /** `true`/`false` or an attestation option string, as text (`"true"`, `"mode=max"`). */
  provenance?: string;
  sbom?: string;
  no_cache_filter?: string[];
  /** `x-*` keys of `build:`, kept as loaded. */
  extensions?: Record<string, unknown>;
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
  extensions?: Record<string, unknown>;
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
  /** `size` in bytes. */
  tmpfs?: { size?: number; mode?: number };
  image?: { subpath?: string };
  extensions?: Record<string, unknown>;
}

/** A service's `networks.<key>` entry (long form); list values are lists, `driver_opts` values strings. */
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
  extensions?: Record<string, unknown>;
}

/** When a dependency counts as ready (Compose Specification, `depends_on` long syntax). */
export type DependsOnCondition =
  | 'service_started'
  | 'service_healthy'
  | 'service_completed_successfully';

/** A `depends_on` entry in long form; the short (list) form gives `service_started`, required. */
export interface DependsOnConfig {
  condition: DependsOnCondition;
  /** Default true. */
  required: boolean;
  restart?: boolean;
  /** `x-*` extensions, kept as loaded. */
  extensions?: Record<string, unknown>;
}

/**
 * `healthcheck:`. Durations are Compose duration strings checked at load time (convert with
 * `parseDuration`, nanoseconds); `retries` is an integer.
 */
export interface HealthCheckConfig {
  /** `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`; a string form is normalised to CMD-SHELL. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
  extensions?: Record<string, unknown>;
}

/** An `env_file` entry in long form (a string entry is `{path, required: true}`). */
export interface EnvFileConfig {
  /** Absolute path. */
  path: string;
  required: boolean;
  format?: string;
}

/**
 * `deploy:` (Compose Deploy Specification), every key typed so that a Swarm or Kubernetes backend
 * can read it. Durations stay Compose duration strings, checked at load time.
 */
export interface DeployConfig {
  /** `replicated` (default), `global`, `replicated-job`, `global-job`. */
  mode?: string;
  endpoint_mode?: string;
  replicas?: number;
  labels?: Record<string, string>;
  rollback_config?: UpdateConfig;
  update_config?: UpdateConfig;
  resources?: DeployResources;
  restart_policy?: RestartPolicyConfig;
  placement?: PlacementConfig;
  extensions?: Record<string, unknown>;
}

/** `deploy.update_config` / `deploy.rollback_config`. */
export interface UpdateConfig {
  parallelism?: number;
  /** Duration string. */
  delay?: string;
  failure_action?: string;
  /** Duration string. */
  monitor?: string;
  max_failure_ratio?: number;
  order?: 'start-first' | 'stop-first';
  extensions?: Record<string, unknown>;
}

/** `deploy.resources`. */
export interface DeployResources {
  limits?: ResourceConfig;
  reservations?: ResourceConfig;
  extensions?: Record<string, unknown>;
}

/** `deploy.restart_policy`: `condition` is `none`, `on-failure` or `any`; durations are strings. */
export interface RestartPolicyConfig {
  condition?: string;
  delay?: string;
  max_attempts?: number;
  window?: string;
  extensions?: Record<string, unknown>;
}

/** `deploy.placement`. */
export interface PlacementConfig {
  constraints?: string[];
  preferences?: { spread?: string; extensions?: Record<string, unknown> }[];
  max_replicas_per_node?: number;
  extensions?: Record<string, unknown>;
}

/** One `deploy.resources.reservations.generic_resources` entry. */
export interface GenericResource {
  discrete_resource_spec?: { kind?: string; value?: number; extensions?: Record<string, unknown> };
  extensions?: Record<string, unknown>;
}

/**
 * `post_start` / `pre_stop` / `pre_start` entry (`service_hook` in the schema), also
 * `develop.watch[].exec`. `privileged` and `per_replica` are booleans after loading.
 */
export interface ServiceHookConfig {
  /** The command as argv: the loader shell-splits a string form. */
  command: string[];
  user?: string;
  privileged?: boolean;
  working_dir?: string;
  /**
   * Map (values as text) or `KEY=value` list, as written; a bare `KEY` (or a null value) is taken
   * from the project environment when the hook runs (`compose/hooks.ts`).
   */
  environment?: Record<string, string | null> | string[];
  /** `pre_start` only: the image to run (defaults to the service's). */
  image?: string;
  /** `pre_start` only: run once per replica rather than once per service. */
  per_replica?: boolean;
  extensions?: Record<string, unknown>;
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
  /** Swarm generic resources (`reservations` only). */
  generic_resources?: GenericResource[];
  extensions?: Record<string, unknown>;
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
  extensions?: Record<string, unknown>;
}

/** `devices:` entry in long form: `SRC[:DST[:PERMS]]` becomes `{source, target, permissions}`. */
export interface DeviceMapping {
  /** Host path, or a CDI device name (`vendor.com/class=name`). */
  source: string;
  /** Path in the container; the short form always sets it, the long form may leave it (= `source`). */
  target?: string;
  /** Cgroup permissions; the short form always sets it, `rwm` when absent. */
  permissions?: string;
  extensions?: Record<string, unknown>;
}

/** `blkio_config:`; every `rate` is in bytes (or operations) per second. */
export interface BlkioConfig {
  weight?: number;
  weight_device?: { path: string; weight: number }[];
  device_read_bps?: ThrottleDevice[];
  device_read_iops?: ThrottleDevice[];
  device_write_bps?: ThrottleDevice[];
  device_write_iops?: ThrottleDevice[];
}

/** One `blkio_config.device_*_{bps,iops}` entry. */
export interface ThrottleDevice {
  path: string;
  rate: number;
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
  extensions?: Record<string, unknown>;
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
  extensions?: Record<string, unknown>;
}

/** Top-level `volumes.<key>`. `name` is always set after normalisation. */
export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
  extensions?: Record<string, unknown>;
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
  driver?: string;
  driver_opts?: Record<string, string>;
  template_driver?: string;
  extensions?: Record<string, unknown>;
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
  template_driver?: string;
  extensions?: Record<string, unknown>;
}

/** Top-level `models.<key>` (Docker Model Runner). */
export interface ModelConfig {
  name?: string;
  /** The model's OCI reference, e.g. `ai/smollm2`. */
  model: string;
  context_size?: number;
  runtime_flags?: string[];
  extensions?: Record<string, unknown>;
}
