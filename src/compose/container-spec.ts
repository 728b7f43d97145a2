import { CapstanError } from '../errors.js';
import { parseDuration, nanosToSeconds } from '../model/duration.js';
import type { DeviceMapping, DeviceRequest, Project, ServiceConfig, ServiceVolumeConfig } from '../model/types.js';
import type { ContainerCreateBody, EndpointSettings, HostConfig } from '../engine/types.js';
import { compareApiVersions, MAX_API_VERSION } from '../engine/api-version.js';
import { Label, COMPOSE_VERSION_LABEL } from './labels.js';
import { containerName, serviceImage } from './naming.js';
import { secretsAndConfigs, type ContainerFile } from './secrets.js';
import { serviceHooks, type ContainerHooks } from './hooks.js';
import { compareStrings } from './compare.js';

/**
 * Maps a service's canonical config onto the body of `POST /containers/create` (Engine API 1.41
 * and newer). Pure: the planner calls it, the executor sends the result.
 *
 * The service is the loader's typed model: every value was parsed and checked at load time
 * (durations, sizes, ulimits…, with file and line; an unknown restart policy only warned about,
 * as compose leaves it to the engine), so this mapping reads typed fields and converts units
 * (duration strings to nanoseconds) without checking again. Every service attribute is either
 * mapped onto the body, deliberately left to another layer (`build`, `develop`, `depends_on`,
 * `profiles`, `pull_policy`, `scale`, Swarm-only `deploy` keys, `extensions` …), or refused with an
 * `UNSUPPORTED` error naming it: nothing is silently dropped. Those refusals depend on the
 * engine (its API version, {@link ContainerSpecInput.apiVersion}, or OS) or on what Capstan can
 * run (`provider`, `models`, …), never on the file's syntax: they are not validation errors.
 *
 * Units sent: **nanoseconds** for healthcheck durations, CPUs × 10⁹ for `NanoCpus`,
 * **microseconds** for the CFS/RT periods and quotas, **bytes** for memory, shm, tmpfs and
 * block-IO rates, **seconds** for `StopTimeout`.
 *
 * API 1.41 accepts only one entry in `NetworkingConfig.EndpointsConfig` at create time, so the
 * first network goes into the body and the others are returned in `extraNetworks` to be connected
 * before start (what docker compose does on engines older than API 1.44).
 */

/** Everything the `create-container` step needs to create and prepare one container. */
export interface ContainerSpec {
  /** Body of `POST /containers/create`. */
  body: ContainerCreateBody;
  /** Networks (engine names) to connect after create, with their endpoint settings. */
  extraNetworks: { network: string; endpoint: EndpointSettings }[];
  /** `platform` query parameter of `POST /containers/create` (`os[/arch[/variant]]`), from `platform:`. */
  platform?: string;
  /**
   * Files to copy into the container after create and before start (`environment:`/`content:`
   * secrets and configs), sent as one tar with `PUT /containers/{id}/archive?path=/`.
   */
  files?: ContainerFile[];
  /** `post_start` / `pre_stop` hooks, run by the start and stop steps. */
  hooks?: ContainerHooks;
  /** Things the user should know that do not stop the create (printed as warnings). */
  warnings?: string[];
}

/** What {@link containerSpec} maps: one replica of one service, and what the engine can take. */
export interface ContainerSpecInput {
  project: Project;
  service: ServiceConfig;
  /** The container number; the container's final name follows from it (`containerName`). */
  replica: number;
  configHash: string;
  configDigest: string;
  /**
   * Volumes of the container being replaced that the new one keeps: target path → volume name.
   * Its anonymous volumes, and those at paths its image declares that the service does not mount
   * (added as volume mounts of their own).
   */
  inheritedVolumes?: Record<string, string>;
  /** The negotiated Engine API version (`Engine.negotiatedApiVersion`); default `'1.41'`. */
  apiVersion?: string;
  /** The engine's operating system (`GET /version` `Os`); default `'linux'`. */
  engineOs?: string;
}

/** Default API version assumed when the caller does not pass the negotiated one. */
const DEFAULT_SPEC_API_VERSION = '1.41';

/** What the mapping helpers need to name the service and check the engine. */
interface Ctx {
  service: ServiceConfig;
  project: Project;
  api: string;
  os: string;
}

/**
 * Builds the create body and the side work (extra networks, files, hooks) for one container.
 *
 * @throws CapstanError `UNSUPPORTED` for attributes this engine's API version or OS cannot apply,
 *   and for attributes Capstan does not run (`provider`, `models`, `use_api_socket`,
 *   image volumes). Nothing else: values were checked by the loader.
 */
export function containerSpec(input: ContainerSpecInput): ContainerSpec {
  const { project, service, replica } = input;
  const ctx: Ctx = { service, project, api: input.apiVersion ?? DEFAULT_SPEC_API_VERSION, os: input.engineOs ?? 'linux' };
  rejectUnsupported(ctx);
  const labels: Record<string, string> = {
    ...(service.labels ?? {}),
    [Label.project]: project.name,
    [Label.service]: service.name,
    [Label.containerNumber]: String(replica),
    [Label.oneoff]: 'False',
    [Label.configHash]: input.configHash,
    [Label.configDigest]: input.configDigest,
    [Label.version]: COMPOSE_VERSION_LABEL,
    [Label.workingDir]: project.workingDir,
    [Label.configFiles]: project.configFiles.join(','),
  };
  if (project.envFiles.length) labels[Label.environmentFile] = project.envFiles.join(',');
  const dependsOn = Object.entries(service.depends_on ?? {})
    .map(([on, d]) => `${on}:${d.condition}:${d.restart ? 'true' : 'false'}`)
    .join(',');
  if (dependsOn) labels[Label.dependsOn] = dependsOn;

  const env = Object.entries(service.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);

  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp?: string; HostPort?: string }[]> = {};
  for (const port of service.ports ?? []) {
    const key = `${port.target}/${port.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: port.host_ip ?? '', HostPort: port.published ?? '' });
  }
  for (const e of service.expose ?? []) {
    const [port, proto] = String(e).split('/');
    exposed[`${port}/${proto ?? 'tcp'}`] = {};
  }

  const host: HostConfig = {
    PortBindings: bindings,
    RestartPolicy: restartPolicy(service),
    Privileged: service.privileged || undefined,
    Init: service.init || undefined,
    ReadonlyRootfs: service.read_only || undefined,
    CapAdd: service.cap_add,
    CapDrop: service.cap_drop,
    Dns: service.dns,
    ExtraHosts: service.extra_hosts?.map((h) => h.replace('=', ':')),
  };
  applyMounts(host, ctx, input.inheritedVolumes ?? {});
  applyResources(host, ctx);
  applyHostOptions(host, ctx);
  applyNamespaces(host, ctx);

  const secrets = secretsAndConfigs(project, service);
  if (secrets.mounts.length) host.Mounts = [...(host.Mounts ?? []), ...secrets.mounts];

  const networks = serviceNetworks(project, service, containerName(project.name, service, replica));
  let endpoints: Record<string, EndpointSettings> | undefined;
  const extraNetworks: ContainerSpec['extraNetworks'] = [];
  let macAddress = service.mac_address || undefined;
  if (service.network_mode) {
    host.NetworkMode = resolveNetworkMode(service.network_mode, project);
  } else if (networks.length) {
    macAddress = endpointMacs(ctx, networks, macAddress);
    host.NetworkMode = networks[0]!.network;
    endpoints = { [networks[0]!.network]: networks[0]!.endpoint };
    extraNetworks.push(...networks.slice(1).map(({ network, endpoint }) => ({ network, endpoint })));
  }

  const body: ContainerCreateBody = {
    Image: serviceImage(project.name, service),
    Labels: labels,
    Env: env,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: service.tty || undefined,
    OpenStdin: service.stdin_open || undefined,
    AttachStdin: service.stdin_open || undefined,
    User: service.user,
    WorkingDir: service.working_dir,
    Hostname: service.hostname,
    Domainname: service.domainname,
    MacAddress: macAddress,
    StopSignal: service.stop_signal,
    Healthcheck: healthcheck(ctx),
    HostConfig: dropUndefined(host),
    NetworkingConfig: endpoints ? { EndpointsConfig: endpoints } : undefined,
  };
  if (service.command !== undefined) body.Cmd = service.command ?? [];
  if (service.entrypoint !== undefined) body.Entrypoint = service.entrypoint ?? [''];
  const stop = nanos(service.stop_grace_period);
  if (stop !== undefined) body.StopTimeout = nanosToSeconds(stop);
  const spec: ContainerSpec = { body: dropUndefined(body), extraNetworks };
  if (service.platform) spec.platform = service.platform;
  if (secrets.files.length) spec.files = secrets.files;
  if (secrets.warnings.length) spec.warnings = secrets.warnings;
  const hooks = serviceHooks(service, project.environment);
  if (hooks) spec.hooks = hooks;
  return spec;
}

/**
 * The networks a service joins, as engine names with endpoint settings, by priority then key.
 * `container` is the final container name (an alias on every network, as compose sets it).
 */
export function serviceNetworks(
  project: Project,
  service: ServiceConfig,
  container: string,
): { key: string; network: string; endpoint: EndpointSettings }[] {
  const entries = Object.entries(service.networks ?? {});
  entries.sort(([a, ca], [b, cb]) => (cb?.priority ?? 0) - (ca?.priority ?? 0) || compareStrings(a, b));
  return entries.map(([key, config]) => {
    // the loader refuses undefined networks (consistency); a hand-built project names it as is
    const network = project.networks[key] ?? { name: key };
    // compose `getAliases`: the container name, the service name, then `networks.*.aliases`.
    const endpoint: EndpointSettings = { Aliases: [container, service.name, ...(config?.aliases ?? [])] };
    if (config?.ipv4_address || config?.ipv6_address || config?.link_local_ips) {
      endpoint.IPAMConfig = {
        IPv4Address: config.ipv4_address,
        IPv6Address: config.ipv6_address,
        LinkLocalIPs: config.link_local_ips,
      };
    }
    if (config?.mac_address) endpoint.MacAddress = config.mac_address;
    if (config?.driver_opts) endpoint.DriverOpts = config.driver_opts;
    return { key, network: network.name, endpoint: dropUndefined(endpoint) };
  });
}

function restartPolicy(service: ServiceConfig): HostConfig['RestartPolicy'] {
  const policy = service.restart ?? deployRestart(service);
  if (!policy || policy === 'no') return { Name: 'no' };
  const [name, count] = policy.split(':');
  if (name === 'on-failure') {
    // a count that is not a number reads as 0, as docker compose's getRestartPolicy does
    const retries = Number(count);
    return { Name: 'on-failure', MaximumRetryCount: Number.isInteger(retries) ? retries : 0 };
  }
  // an unknown policy goes to the engine, which refuses it at create as it does for docker
  // compose; the loader has already warned about it with its file and line
  return { Name: name as 'always' | 'unless-stopped' };
}

function deployRestart(service: ServiceConfig): string | undefined {
  const rp = service.deploy?.restart_policy;
  if (!rp?.condition) return undefined;
  if (rp.condition === 'none') return 'no';
  if (rp.condition === 'on-failure') return rp.max_attempts ? `on-failure:${rp.max_attempts}` : 'on-failure';
  return 'always';
}

function healthcheck(ctx: Ctx): ContainerCreateBody['Healthcheck'] {
  const { service } = ctx;
  const hc = service.healthcheck;
  if (!hc) return undefined;
  if (hc.disable) return { Test: ['NONE'] };
  const ns = (key: 'interval' | 'timeout' | 'start_period' | 'start_interval'): number | undefined => nanos(hc[key]);
  const startInterval = ns('start_interval');
  if (startInterval !== undefined) requireApi(ctx, 'healthcheck.start_interval');
  return dropUndefined({
    Test: hc.test,
    Interval: ns('interval'),
    Timeout: ns('timeout'),
    StartPeriod: ns('start_period'),
    StartInterval: startInterval,
    Retries: hc.retries,
  } as NonNullable<ContainerCreateBody['Healthcheck']>);
}

/** A duration the loader checked → nanoseconds (`undefined` when absent). */
function nanos(text: string | undefined | null): number | undefined {
  return text === undefined || text === null || text === '' ? undefined : parseDuration(text);
}

// ───────────────────────────── what cannot be applied ─────────────────────────────

/** Oldest Engine API version that takes each version-gated attribute. */
const API_MIN = {
  annotations: '1.43',
  'healthcheck.start_interval': '1.44',
  'networks.mac_address': '1.44',
  'devices (CDI)': '1.44',
  'volumes.bind.recursive': '1.44',
  'volumes.volume.subpath': '1.45',
  'volumes type image': '1.47',
  'networks.gw_priority': '1.48',
  'networks.interface_name': '1.49',
} as const;

/** `service "x": <attr> is not supported by this engine (API 1.41)`. */
function unsupportedByEngine(ctx: Ctx, attr: string, hint?: string): CapstanError {
  return new CapstanError('UNSUPPORTED', `service "${ctx.service.name}": ${attr} is not supported by this engine (API ${ctx.api})`, {
    hint: hint ?? 'remove it, or use a newer Docker Engine',
  });
}

/** Throws unless the engine speaks at least the API version `attr` needs. */
function requireApi(ctx: Ctx, attr: keyof typeof API_MIN): void {
  const min = API_MIN[attr];
  if (compareApiVersions(ctx.api, min) >= 0) return;
  // Capstan speaks at most MAX_API_VERSION: past it, a newer engine would not help
  const hint = compareApiVersions(min, MAX_API_VERSION) > 0
    ? `${attr} needs Engine API ${min}; Capstan speaks at most ${MAX_API_VERSION} yet`
    : `${attr} needs Docker Engine API ${min} or newer`;
  throw unsupportedByEngine(ctx, attr, hint);
}

function unsupportedByCapstan(ctx: Ctx, attr: string, hint: string): CapstanError {
  return new CapstanError('UNSUPPORTED', `service "${ctx.service.name}": ${attr} is not supported by Capstan`, { hint });
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * Attributes with no Engine API counterpart here. Attributes handled elsewhere (`build`,
 * `develop`, `depends_on`, `profiles`, `pull_policy`, `scale`, `attach`, `container_name`,
 * `env_file`, `label_file`, `extends`, `x-*`) and Swarm-only `deploy` keys are not errors.
 */
function rejectUnsupported(ctx: Ctx): void {
  const s = ctx.service;
  if (isSet(s.provider)) throw unsupportedByCapstan(ctx, 'provider', 'provider services need a docker-<type> plugin run by docker compose');
  if (isSet(s.models)) throw unsupportedByCapstan(ctx, 'models', 'models need Docker Model Runner; set the endpoint variables in environment: instead');
  if (isSet(s.use_api_socket)) {
    throw unsupportedByCapstan(ctx, 'use_api_socket', 'bind-mount the socket yourself: volumes: [/var/run/docker.sock:/var/run/docker.sock]');
  }
  if (ctx.os !== 'windows') {
    for (const attr of ['cpu_count', 'cpu_percent', 'credential_spec'] as const) {
      if (isSet(s[attr]) && s[attr] !== 0) {
        throw new CapstanError('UNSUPPORTED', `service "${s.name}": ${attr} is not supported by this engine (${ctx.os}; Windows only)`, {
          hint: attr === 'credential_spec' ? 'remove it' : 'use cpus: or cpu_quota/cpu_period instead',
        });
      }
    }
  }
  if (isSet(s.annotations)) requireApi(ctx, 'annotations');
}

// ───────────────────────────── namespaces and links ─────────────────────────────

/** The first container of service `name` in this project: its `container_name`, else `<project>-<name>-1`. */
function firstContainer(project: Project, name: string): string {
  // with `up --no-deps` the parent is a disabled service of the project, still named as configured
  const target = project.services[name] ?? project.disabledServices[name];
  return target ? containerName(project.name, target, 1) : `${project.name}-${name}-1`;
}

/** `service:X` → `container:<first container of X>`; `container:NAME`, `host`, … stay as they are. */
export function resolveNetworkMode(mode: string, project: Project): string {
  if (mode.startsWith('service:')) return `container:${firstContainer(project, mode.slice(8))}`;
  return mode;
}

/** `ipc`, `pid`, `uts`, `userns_mode`, `cgroup`, `links`, `external_links`, `volumes_from`. */
function applyNamespaces(host: HostConfig, ctx: Ctx): void {
  const { service, project } = ctx;
  if (service.ipc) host.IpcMode = resolveNetworkMode(service.ipc, project);
  if (service.pid) host.PidMode = resolveNetworkMode(service.pid, project);
  if (service.uts) host.UTSMode = service.uts;
  if (service.userns_mode) host.UsernsMode = service.userns_mode;
  // `service:X` only orders the start (an implicit dependency); the engine takes host or private
  if (service.cgroup && !service.cgroup.startsWith('service:')) host.CgroupnsMode = service.cgroup as HostConfig['CgroupnsMode'];

  const links: string[] = [];
  for (const link of service.links ?? []) {
    const [name, alias] = splitOnce(link, ':');
    links.push(`${firstContainer(project, name)}:${alias ?? name}`);
  }
  for (const link of service.external_links ?? []) {
    const [name, alias] = splitOnce(link, ':');
    links.push(`${name}:${alias ?? name}`);
  }
  if (links.length) host.Links = links;

  const from: string[] = [];
  for (const entry of service.volumes_from ?? []) {
    let ref = entry;
    let mode: string | undefined;
    const m = /^(.*):(ro|rw)$/.exec(entry);
    if (m) [ref, mode] = [m[1]!, m[2]];
    const name = ref.startsWith('container:') ? ref.slice('container:'.length) : firstContainer(project, ref);
    if (name) from.push(mode ? `${name}:${mode}` : name);
  }
  if (from.length) host.VolumesFrom = from;
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

// ───────────────────────────── host options ─────────────────────────────

/**
 * `security_opt`, `devices`, `device_cgroup_rules`, `dns_search`, `dns_opt`, `ulimits`, `sysctls`,
 * `logging`, `group_add`, `runtime`, `storage_opt`, `isolation`, `tmpfs`, `annotations`,
 * `gpus` and `deploy.resources.reservations.devices`, `credential_spec` (Windows).
 */
function applyHostOptions(host: HostConfig & { Annotations?: Record<string, string> }, ctx: Ctx): void {
  const { service } = ctx;
  const securityOpt = [...(service.security_opt ?? [])];
  const credential = service.credential_spec;
  if (credential && ctx.os === 'windows') {
    if (credential.file) securityOpt.push(`credentialspec=file://${credential.file}`);
    else if (credential.registry) securityOpt.push(`credentialspec=registry://${credential.registry}`);
    else if (credential.config) securityOpt.push(`credentialspec=config://${credential.config}`);
  }
  if (securityOpt.length) host.SecurityOpt = securityOpt;

  const requests: NonNullable<HostConfig['DeviceRequests']> = [];
  const devices: NonNullable<HostConfig['Devices']> = [];
  for (const d of service.devices ?? []) {
    const mapped = deviceOf(ctx, d);
    if ('Driver' in mapped) requests.push(mapped);
    else devices.push(mapped);
  }
  if (devices.length) host.Devices = devices;
  if (service.device_cgroup_rules?.length) host.DeviceCgroupRules = service.device_cgroup_rules;

  for (const g of service.gpus ?? []) requests.push(deviceRequest(g, ['gpu']));
  for (const d of service.deploy?.resources?.reservations?.devices ?? []) requests.push(deviceRequest(d, []));
  if (requests.length) host.DeviceRequests = requests;

  if (service.dns_search?.length) host.DnsSearch = service.dns_search;
  if (service.dns_opt?.length) host.DnsOptions = service.dns_opt;

  const ulimits = Object.entries(service.ulimits ?? {});
  if (ulimits.length) {
    host.Ulimits = ulimits.map(([name, u]) => (typeof u === 'number' ? { Name: name, Soft: u, Hard: u } : { Name: name, Soft: u.soft, Hard: u.hard }));
  }

  const nonEmpty = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? m : undefined);
  const sysctls = nonEmpty(service.sysctls);
  if (sysctls) host.Sysctls = sysctls;
  const storage = nonEmpty(service.storage_opt);
  if (storage) host.StorageOpt = storage;
  const annotations = nonEmpty(service.annotations);
  if (annotations) host.Annotations = annotations;

  const logging = service.logging;
  if (logging && (logging.driver || isSet(logging.options))) {
    host.LogConfig = dropUndefined({
      Type: (logging.driver || undefined) as NonNullable<HostConfig['LogConfig']>['Type'],
      Config: nonEmpty(logging.options),
    });
  }

  if (service.group_add?.length) host.GroupAdd = service.group_add;
  if (service.runtime) host.Runtime = service.runtime;
  if (service.isolation) host.Isolation = service.isolation as HostConfig['Isolation'];

  if (service.tmpfs?.length) {
    host.Tmpfs = {};
    for (const entry of service.tmpfs) {
      const [path, opts] = splitOnce(entry, ':');
      host.Tmpfs[path] = opts ?? '';
    }
  }
}

/** One device request (`gpus` entry, `deploy.resources.reservations.devices` entry) → `DeviceRequest`. */
function deviceRequest(d: DeviceRequest, extraCaps: string[]): NonNullable<HostConfig['DeviceRequests']>[number] {
  const caps = [...(d.capabilities ?? [])];
  for (const c of extraCaps) if (!caps.includes(c)) caps.push(c);
  // the loader sets count -1 (all) when neither count nor device_ids is given
  const count = d.count ?? (d.device_ids?.length ? undefined : -1);
  return dropUndefined({
    Driver: d.driver ?? '',
    Count: count,
    DeviceIDs: d.device_ids?.length ? d.device_ids : undefined,
    Capabilities: caps.length ? [caps] : undefined,
    Options: d.options && Object.keys(d.options).length ? d.options : undefined,
  });
}

type Device = NonNullable<HostConfig['Devices']>[number];
type DeviceReq = NonNullable<HostConfig['DeviceRequests']>[number] & { Driver: string };

/** `devices:` entry: a host device, or a CDI name (`vendor/class=name`) sent as a `cdi` device request. */
function deviceOf(ctx: Ctx, d: DeviceMapping): Device | DeviceReq {
  if (!d.source.startsWith('/') && d.source.includes('=')) {
    requireApi(ctx, 'devices (CDI)');
    return { Driver: 'cdi', DeviceIDs: [d.source] };
  }
  return { PathOnHost: d.source, PathInContainer: d.target || d.source, CgroupPermissions: d.permissions || 'rwm' };
}

// ───────────────────────────── networks ─────────────────────────────

/**
 * Per-network settings the engine takes only on newer APIs. Before API 1.44 the MAC address is
 * the container's (`Config.MacAddress`): a `mac_address` on the first network becomes it; on
 * another network it cannot be applied. Returns the container MAC address to use.
 */
function endpointMacs(ctx: Ctx, networks: ReturnType<typeof serviceNetworks>, serviceMac: string | undefined): string | undefined {
  let mac = serviceMac;
  networks.forEach((n, i) => {
    const config = ctx.service.networks?.[n.key];
    if (config?.gw_priority) requireApi(ctx, 'networks.gw_priority');
    if (config?.interface_name) requireApi(ctx, 'networks.interface_name');
    if (compareApiVersions(ctx.api, API_MIN['networks.mac_address']) >= 0 || !n.endpoint.MacAddress) return;
    if (i > 0) throw unsupportedByEngine(ctx, `networks.${n.key}.mac_address`, 'on this engine only the first network can set a MAC address');
    // before API 1.44 both land in Config.MacAddress: two different ones cannot be applied
    if (mac && mac !== n.endpoint.MacAddress) throw unsupportedByEngine(ctx, `mac_address and networks.${n.key}.mac_address together`, 'they differ; keep one');
    mac = n.endpoint.MacAddress;
    delete n.endpoint.MacAddress;
  });
  return mac;
}

// ───────────────────────────── mounts ─────────────────────────────

function applyMounts(host: HostConfig, ctx: Ctx, inherited: Record<string, string>): void {
  const binds: string[] = [];
  const mounts: NonNullable<HostConfig['Mounts']> = [];
  for (const v of ctx.service.volumes ?? []) {
    const recursive = v.bind?.recursive;
    if (v.type === 'bind' && (v.bind?.create_host_path !== false || v.bind?.selinux) && (!recursive || recursive === 'enabled')) {
      // Binds (not Mounts) so the engine creates a missing host path, as `create_host_path` asks.
      const opts = [v.read_only ? 'ro' : '', v.bind?.selinux ?? '', v.bind?.propagation ?? ''].filter(Boolean);
      binds.push(`${v.source}:${v.target}${opts.length ? `:${opts.join(',')}` : ''}`);
      continue;
    }
    mounts.push(mountOf(v, ctx, inherited));
  }
  // the old container's volumes at paths its image declares, which the service mounts nothing on
  const declared = new Set((ctx.service.volumes ?? []).map((v) => v.target));
  for (const [target, source] of Object.entries(inherited)) {
    if (!declared.has(target)) mounts.push({ Type: 'volume', Source: source, Target: target });
  }
  if (binds.length) host.Binds = binds;
  if (mounts.length) host.Mounts = mounts;
}

type MountSpec = NonNullable<HostConfig['Mounts']>[number];

function mountOf(v: ServiceVolumeConfig, ctx: Ctx, inherited: Record<string, string>): MountSpec {
  const { service, project } = ctx;
  switch (v.type) {
    case 'volume': {
      // the loader refuses undefined volumes (consistency); a hand-built project names it as is
      const source = v.source ? (project.volumes[v.source]?.name ?? v.source) : inherited[v.target];
      if (v.volume?.subpath) requireApi(ctx, 'volumes.volume.subpath');
      const options = dropUndefined({
        NoCopy: v.volume?.nocopy || undefined,
        Labels: v.volume?.labels && Object.keys(v.volume.labels).length ? v.volume.labels : undefined,
        Subpath: v.volume?.subpath || undefined,
      });
      return dropUndefined({
        Type: 'volume' as const,
        Source: source,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        VolumeOptions: Object.keys(options).length ? options : undefined,
      });
    }
    case 'bind': {
      const recursive = v.bind?.recursive;
      const bindOptions: Record<string, unknown> = {};
      if (v.bind?.propagation) bindOptions.Propagation = v.bind.propagation;
      if (recursive === 'disabled') bindOptions.NonRecursive = true;
      else if (recursive === 'writable' || recursive === 'readonly') {
        requireApi(ctx, 'volumes.bind.recursive');
        bindOptions[recursive === 'writable' ? 'ReadOnlyNonRecursive' : 'ReadOnlyForceRecursive'] = true;
      }
      // `enabled` is the engine's default; the schema allows nothing else
      return dropUndefined({
        Type: 'bind' as const,
        Source: v.source,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        BindOptions: Object.keys(bindOptions).length ? (bindOptions as MountSpec['BindOptions']) : undefined,
      });
    }
    case 'tmpfs':
      return dropUndefined({
        Type: 'tmpfs' as const,
        Target: v.target,
        TmpfsOptions: dropUndefined({
          SizeBytes: v.tmpfs?.size === undefined ? undefined : Number(v.tmpfs.size),
          Mode: v.tmpfs?.mode,
        }),
      });
    case 'image':
      requireApi(ctx, 'volumes type image');
      throw unsupportedByCapstan(ctx, 'volumes type image', 'copy the files into a named volume instead');
    default:
      throw new CapstanError('UNSUPPORTED', `service "${service.name}": volume type "${v.type}" is not supported by this engine (${ctx.os}, API ${ctx.api})`);
  }
}

// ───────────────────────────── resources ─────────────────────────────

/**
 * `mem_limit`, `cpus`, `pids_limit` (or `deploy.resources.limits`), `mem_reservation` (or
 * `deploy.resources.reservations.memory`), `shm_size`, `memswap_limit`, `mem_swappiness`,
 * `oom_kill_disable`, `oom_score_adj`, `cpu_shares`, `cpu_quota`, `cpu_period`, `cpu_rt_*`,
 * `cpuset`, `cgroup_parent`, `blkio_config`, `cpu_count`/`cpu_percent` (Windows).
 */
function applyResources(host: HostConfig, ctx: Ctx): void {
  const { service } = ctx;
  const limits = service.deploy?.resources?.limits;
  const memory = service.mem_limit ?? limits?.memory;
  if (memory !== undefined) host.Memory = memory;
  const cpus = service.cpus ?? limits?.cpus;
  if (cpus !== undefined) host.NanoCpus = Math.round(cpus * 1e9);
  const pids = service.pids_limit ?? limits?.pids;
  if (pids !== undefined) host.PidsLimit = pids;
  const reservation = service.deploy?.resources?.reservations?.memory ?? service.mem_reservation;
  if (reservation !== undefined) host.MemoryReservation = reservation;
  if (service.shm_size !== undefined) host.ShmSize = service.shm_size;
  if (service.memswap_limit !== undefined) host.MemorySwap = service.memswap_limit;
  if (service.mem_swappiness !== undefined) host.MemorySwappiness = service.mem_swappiness;
  if (service.oom_kill_disable !== undefined) host.OomKillDisable = service.oom_kill_disable;
  if (service.oom_score_adj !== undefined) host.OomScoreAdj = service.oom_score_adj;

  if (service.cpu_shares !== undefined) host.CpuShares = service.cpu_shares;
  if (service.cpu_quota !== undefined) host.CpuQuota = service.cpu_quota;
  if (service.cpu_period !== undefined) host.CpuPeriod = service.cpu_period;
  if (service.cpu_rt_period !== undefined) host.CpuRealtimePeriod = service.cpu_rt_period;
  if (service.cpu_rt_runtime !== undefined) host.CpuRealtimeRuntime = service.cpu_rt_runtime;
  if (service.cpuset) host.CpusetCpus = service.cpuset;
  if (service.cgroup_parent) host.CgroupParent = service.cgroup_parent;
  if (ctx.os === 'windows') {
    if (service.cpu_count !== undefined) host.CpuCount = service.cpu_count;
    if (service.cpu_percent !== undefined) host.CpuPercent = service.cpu_percent;
  }
  applyBlkio(host, ctx);
}

/** `blkio_config`: weights, byte rates (bytes per second), IO rates (per second). */
function applyBlkio(host: HostConfig, ctx: Ctx): void {
  const b = ctx.service.blkio_config;
  if (!b) return;
  if (b.weight !== undefined) host.BlkioWeight = b.weight;
  if (b.weight_device?.length) host.BlkioWeightDevice = b.weight_device.map((d) => ({ Path: d.path, Weight: d.weight }));
  const rates = (key: 'device_read_bps' | 'device_write_bps' | 'device_read_iops' | 'device_write_iops') =>
    b[key]?.length ? b[key]!.map((d) => ({ Path: d.path, Rate: d.rate })) : undefined;
  const readBps = rates('device_read_bps');
  if (readBps) host.BlkioDeviceReadBps = readBps;
  const writeBps = rates('device_write_bps');
  if (writeBps) host.BlkioDeviceWriteBps = writeBps;
  const readIops = rates('device_read_iops');
  if (readIops) host.BlkioDeviceReadIOps = readIops;
  const writeIops = rates('device_write_iops');
  if (writeIops) host.BlkioDeviceWriteIOps = writeIops;
}

/** Copy without `undefined` members, so request bodies and hashes stay minimal. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
