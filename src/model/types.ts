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
 *
 * First cut (issue 2): the attributes the spine uses are typed; other attributes that the schema
 * accepts are kept on the object as loaded (see {@link ServiceConfig} index signature) so that
 * `config` shows them and later issues can type them.
 */

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
  dns?: string[];
  extra_hosts?: string[];
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
    limits?: { cpus?: number | string; memory?: number | string; pids?: number };
    reservations?: { cpus?: number | string; memory?: number | string; devices?: unknown[] };
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

/** Service `secrets:` / `configs:` entry, long form. */
export interface ServiceFileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
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
  external?: boolean;
  labels?: Record<string, string>;
  [attribute: string]: unknown;
}

/** Top-level `configs.<key>`. */
export interface ConfigObjConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
  [attribute: string]: unknown;
}
