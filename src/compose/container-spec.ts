import { CapstanError } from '../errors.js';
import { parseDuration, nanosToSeconds } from '../model/duration.js';
import { parseByteSize } from '../model/units.js';
import type { Project, ServiceConfig, ServiceVolumeConfig } from '../model/types.js';
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
 * Every service attribute is either mapped onto the body, deliberately left to another layer
 * (`build`, `develop`, `depends_on`, `profiles`, `pull_policy`, `scale`, Swarm-only `deploy`
 * keys, `x-*` …), or rejected with a `VALIDATION` error naming the attribute: nothing is silently
 * dropped. Attributes that need a newer engine are checked against {@link ContainerSpecInput.apiVersion}.
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
  /** Anonymous volumes of the container being replaced: target path → volume name. */
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
 * @throws CapstanError VALIDATION for values the engine cannot take (bad duration, size), for
 *   attributes this engine's API version cannot apply, and for attributes Capstan does not support.
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
  let macAddress = stringAttr(ctx, 'mac_address');
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
  if (service.stop_grace_period) {
    body.StopTimeout = nanosToSeconds(duration(service, 'stop_grace_period', service.stop_grace_period));
  }
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
    const network = project.networks[key];
    if (!network) throw new CapstanError('VALIDATION', `service "${service.name}" refers to undefined network ${key}`);
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
  if (name === 'on-failure') return { Name: 'on-failure', MaximumRetryCount: count ? Number(count) : 0 };
  if (name === 'always' || name === 'unless-stopped') return { Name: name };
  throw new CapstanError('VALIDATION', `service "${service.name}": invalid restart policy "${policy}"`, {
    hint: 'use no, always, on-failure[:max-retries] or unless-stopped',
  });
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
  const ns = (key: 'interval' | 'timeout' | 'start_period' | 'start_interval'): number | undefined =>
    hc[key] === undefined || hc[key] === null ? undefined : duration(service, `healthcheck.${key}`, hc[key]!);
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

function duration(service: ServiceConfig, key: string, text: string): number {
  const value = parseDuration(String(text));
  if (value === undefined) {
    throw new CapstanError('VALIDATION', `service "${service.name}": ${key}: "${text}" is not a duration`, {
      hint: 'use Go duration syntax, e.g. 30s, 1m30s, 500ms',
    });
  }
  return value;
}

function bytes(service: ServiceConfig, key: string, value: number | string): number {
  const n = parseByteSize(value);
  if (n === undefined) {
    throw new CapstanError('VALIDATION', `service "${service.name}": ${key}: "${value}" is not a byte size`, {
      hint: 'use a number of bytes or a unit: 512m, 1g',
    });
  }
  return n;
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
  return new CapstanError('VALIDATION', `service "${ctx.service.name}": ${attr} is not supported by this engine (API ${ctx.api})`, {
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
  return new CapstanError('VALIDATION', `service "${ctx.service.name}": ${attr} is not supported by Capstan`, { hint });
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
  if (isSet(s.pre_start)) throw unsupportedByCapstan(ctx, 'pre_start', 'run the step as a separate service with depends_on: service_completed_successfully');
  if (ctx.os !== 'windows') {
    for (const attr of ['cpu_count', 'cpu_percent', 'credential_spec'] as const) {
      if (isSet(s[attr]) && s[attr] !== 0) {
        throw new CapstanError('VALIDATION', `service "${s.name}": ${attr} is not supported by this engine (${ctx.os}; Windows only)`, {
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
function resolveNetworkMode(mode: string, project: Project): string {
  if (mode.startsWith('service:')) return `container:${firstContainer(project, mode.slice(8))}`;
  return mode;
}

/** `ipc`, `pid`, `uts`, `userns_mode`, `cgroup`, `links`, `external_links`, `volumes_from`. */
function applyNamespaces(host: HostConfig, ctx: Ctx): void {
  const { service, project } = ctx;
  const ipc = stringAttr(ctx, 'ipc');
  if (ipc) host.IpcMode = resolveNetworkMode(ipc, project);
  const pid = stringAttr(ctx, 'pid');
  if (pid) host.PidMode = resolveNetworkMode(pid, project);
  const uts = stringAttr(ctx, 'uts');
  if (uts) host.UTSMode = uts;
  const userns = stringAttr(ctx, 'userns_mode');
  if (userns) host.UsernsMode = userns;
  const cgroup = stringAttr(ctx, 'cgroup');
  if (cgroup) {
    if (cgroup !== 'host' && cgroup !== 'private') {
      throw new CapstanError('VALIDATION', `service "${service.name}": cgroup must be host or private, not "${cgroup}"`);
    }
    host.CgroupnsMode = cgroup;
  }

  const links: string[] = [];
  for (const link of stringList(ctx, 'links')) {
    const [name, alias] = splitOnce(link, ':');
    links.push(`${firstContainer(project, name)}:${alias ?? name}`);
  }
  for (const link of stringList(ctx, 'external_links')) {
    const [name, alias] = splitOnce(link, ':');
    links.push(`${name}:${alias ?? name}`);
  }
  if (links.length) host.Links = links;

  const from: string[] = [];
  for (const entry of stringList(ctx, 'volumes_from')) {
    let ref = entry;
    let mode: string | undefined;
    const m = /^(.*):(ro|rw)$/.exec(entry);
    if (m) [ref, mode] = [m[1]!, m[2]];
    const name = ref.startsWith('container:') ? ref.slice('container:'.length) : firstContainer(project, ref);
    if (!name) throw new CapstanError('VALIDATION', `service "${service.name}": volumes_from "${entry}" names no container`);
    from.push(mode ? `${name}:${mode}` : name);
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
  const securityOpt = stringList(ctx, 'security_opt');
  const credential = service.credential_spec as { config?: string; file?: string; registry?: string } | undefined;
  if (credential && ctx.os === 'windows') {
    if (credential.file) securityOpt.push(`credentialspec=file://${credential.file}`);
    else if (credential.registry) securityOpt.push(`credentialspec=registry://${credential.registry}`);
    else if (credential.config) securityOpt.push(`credentialspec=config://${credential.config}`);
  }
  if (securityOpt.length) host.SecurityOpt = securityOpt;

  const requests: NonNullable<HostConfig['DeviceRequests']> = [];
  const devices: NonNullable<HostConfig['Devices']> = [];
  for (const [i, d] of listAttr(ctx, 'devices').entries()) {
    const mapped = deviceOf(ctx, d, i);
    if ('Driver' in mapped) requests.push(mapped);
    else devices.push(mapped);
  }
  if (devices.length) host.Devices = devices;
  const rules = stringList(ctx, 'device_cgroup_rules');
  if (rules.length) host.DeviceCgroupRules = rules;

  // the loader turns `gpus: all` into [{count: -1}]; a hand-built project may still say 'all'
  const gpus = service.gpus as DeviceReservation[] | 'all' | undefined | null;
  if (gpus === 'all') requests.push({ Driver: '', Count: -1, Capabilities: [['gpu']] });
  else if (Array.isArray(gpus)) {
    for (const g of gpus as DeviceReservation[]) requests.push(deviceRequest(ctx, 'gpus', g, ['gpu']));
  } else if (gpus !== undefined && gpus !== null) {
    throw new CapstanError('VALIDATION', `service "${service.name}": gpus must be "all" or a list`);
  }
  for (const d of (service.deploy?.resources?.reservations?.devices ?? []) as DeviceReservation[]) {
    requests.push(deviceRequest(ctx, 'deploy.resources.reservations.devices', d, []));
  }
  if (requests.length) host.DeviceRequests = requests;

  const search = stringList(ctx, 'dns_search');
  if (search.length) host.DnsSearch = search;
  const dnsOpt = stringList(ctx, 'dns_opt');
  if (dnsOpt.length) host.DnsOptions = dnsOpt;

  const ulimits = service.ulimits;
  if (isSet(ulimits)) {
    if (typeof ulimits !== 'object' || Array.isArray(ulimits)) {
      throw new CapstanError('VALIDATION', `service "${service.name}": ulimits must be a mapping`);
    }
    host.Ulimits = Object.entries(ulimits as Record<string, unknown>).map(([name, value]) => {
      if (value !== null && typeof value === 'object') {
        const { soft, hard } = value as { soft?: unknown; hard?: unknown };
        return { Name: name, Soft: integer(ctx, `ulimits.${name}.soft`, soft), Hard: integer(ctx, `ulimits.${name}.hard`, hard) };
      }
      const n = integer(ctx, `ulimits.${name}`, value);
      return { Name: name, Soft: n, Hard: n };
    });
  }

  const sysctls = keyValues(ctx, 'sysctls');
  if (sysctls) host.Sysctls = sysctls;
  const storage = keyValues(ctx, 'storage_opt');
  if (storage) host.StorageOpt = storage;
  const annotations = keyValues(ctx, 'annotations');
  if (annotations) host.Annotations = annotations;

  const logging = service.logging as { driver?: string; options?: Record<string, unknown> } | undefined;
  if (logging && (logging.driver || isSet(logging.options))) {
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(logging.options ?? {})) if (v !== null && v !== undefined) config[k] = String(v);
    host.LogConfig = dropUndefined({
      Type: (logging.driver || undefined) as NonNullable<HostConfig['LogConfig']>['Type'],
      Config: Object.keys(config).length ? config : undefined,
    });
  }

  const groups = stringList(ctx, 'group_add');
  if (groups.length) host.GroupAdd = groups;
  const runtime = stringAttr(ctx, 'runtime');
  if (runtime) host.Runtime = runtime;
  const isolation = stringAttr(ctx, 'isolation');
  if (isolation) host.Isolation = isolation as HostConfig['Isolation'];

  const tmpfs = stringList(ctx, 'tmpfs');
  if (tmpfs.length) {
    host.Tmpfs = {};
    for (const entry of tmpfs) {
      const [path, opts] = splitOnce(entry, ':');
      if (!path.startsWith('/')) throw new CapstanError('VALIDATION', `service "${service.name}": tmpfs "${entry}" must be an absolute path`);
      host.Tmpfs[path] = opts ?? '';
    }
  }
}

/** `deploy.resources.reservations.devices[]` and `gpus[]` entries. */
interface DeviceReservation {
  capabilities?: string[];
  count?: number | string;
  device_ids?: string[];
  driver?: string;
  options?: Record<string, unknown> | string[];
}

/** One device reservation → `DeviceRequest`; `count: all` or no count and no IDs → `Count: -1` (all). */
function deviceRequest(ctx: Ctx, key: string, d: DeviceReservation, extraCaps: string[]): NonNullable<HostConfig['DeviceRequests']>[number] {
  const caps = [...(d.capabilities ?? [])];
  for (const c of extraCaps) if (!caps.includes(c)) caps.push(c);
  let count: number | undefined;
  if (d.count === 'all' || (d.count === undefined && !d.device_ids?.length)) count = -1;
  else if (d.count !== undefined) count = integer(ctx, `${key}.count`, d.count);
  if (count !== undefined && d.device_ids?.length) {
    throw new CapstanError('VALIDATION', `service "${ctx.service.name}": ${key}: count and device_ids cannot be set together`);
  }
  let options: Record<string, string> | undefined;
  if (Array.isArray(d.options)) {
    options = Object.fromEntries(d.options.map((o) => splitOnce(String(o), '=')).map(([k, v]) => [k, v ?? '']));
  } else if (d.options) {
    options = Object.fromEntries(Object.entries(d.options).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
  }
  return dropUndefined({
    Driver: d.driver ?? '',
    Count: count,
    DeviceIDs: d.device_ids?.length ? d.device_ids.map(String) : undefined,
    Capabilities: caps.length ? [caps] : undefined,
    Options: options,
  });
}

type Device = NonNullable<HostConfig['Devices']>[number];
type DeviceReq = NonNullable<HostConfig['DeviceRequests']>[number] & { Driver: string };

/** `devices:` entry: `SRC[:DST][:PERMS]`, `{source, target, permissions}`, or a CDI name (`vendor/class=name`). */
function deviceOf(ctx: Ctx, d: unknown, i: number): Device | DeviceReq {
  let source: string;
  let target: string | undefined;
  let perms: string | undefined;
  if (typeof d === 'string') {
    if (!d.startsWith('/') && d.includes('=')) {
      requireApi(ctx, 'devices (CDI)');
      return { Driver: 'cdi', DeviceIDs: [d] };
    }
    const parts = d.split(':');
    if (parts.length > 3 || !parts[0]) {
      throw new CapstanError('VALIDATION', `service "${ctx.service.name}": devices[${i}] "${d}" is not SRC[:DST[:PERMISSIONS]]`);
    }
    source = parts[0];
    if (parts.length === 3) [target, perms] = [parts[1], parts[2]];
    else if (parts.length === 2) {
      if (/^[rwm]{1,3}$/.test(parts[1]!)) perms = parts[1];
      else target = parts[1];
    }
  } else if (d && typeof d === 'object') {
    const o = d as { source?: string; target?: string; permissions?: string };
    if (!o.source) throw new CapstanError('VALIDATION', `service "${ctx.service.name}": devices[${i}] needs a source`);
    if (!o.source.startsWith('/') && o.source.includes('=')) {
      requireApi(ctx, 'devices (CDI)');
      return { Driver: 'cdi', DeviceIDs: [o.source] };
    }
    [source, target, perms] = [o.source, o.target, o.permissions];
  } else {
    throw new CapstanError('VALIDATION', `service "${ctx.service.name}": devices[${i}] must be a string or a mapping`);
  }
  if (perms !== undefined && !/^[rwm]{1,3}$/.test(perms)) {
    throw new CapstanError('VALIDATION', `service "${ctx.service.name}": devices[${i}]: permissions "${perms}" must be made of r, w and m`);
  }
  return { PathOnHost: source, PathInContainer: target || source, CgroupPermissions: perms || 'rwm' };
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
    if (mac && mac !== n.endpoint.MacAddress) {
      throw new CapstanError('VALIDATION', `service "${ctx.service.name}": mac_address and networks.${n.key}.mac_address differ`);
    }
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
  if (binds.length) host.Binds = binds;
  if (mounts.length) host.Mounts = mounts;
}

type MountSpec = NonNullable<HostConfig['Mounts']>[number];

function mountOf(v: ServiceVolumeConfig, ctx: Ctx, inherited: Record<string, string>): MountSpec {
  const { service, project } = ctx;
  switch (v.type) {
    case 'volume': {
      const source = v.source ? project.volumes[v.source]?.name : inherited[v.target];
      if (v.source && !source) {
        throw new CapstanError('VALIDATION', `service "${service.name}" refers to undefined volume ${v.source}`);
      }
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
      } else if (recursive && recursive !== 'enabled') {
        throw new CapstanError('VALIDATION', `service "${service.name}": bind.recursive must be enabled, disabled, writable or readonly`);
      }
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
          SizeBytes: v.tmpfs?.size === undefined ? undefined : bytes(service, 'tmpfs.size', v.tmpfs.size),
          Mode: v.tmpfs?.mode,
        }),
      });
    case 'image':
      requireApi(ctx, 'volumes type image');
      throw unsupportedByCapstan(ctx, 'volumes type image', 'copy the files into a named volume instead');
    default:
      throw new CapstanError('VALIDATION', `service "${service.name}": volume type "${v.type}" is not supported by this engine (${ctx.os}, API ${ctx.api})`);
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
  const memory = (service.mem_limit as string | number | undefined) ?? limits?.memory;
  if (memory !== undefined) host.Memory = bytes(service, 'mem_limit', memory);
  const cpus = (service.cpus as string | number | undefined) ?? limits?.cpus;
  if (cpus !== undefined) {
    const n = Number(cpus);
    if (!Number.isFinite(n) || n < 0) throw new CapstanError('VALIDATION', `service "${service.name}": cpus: "${cpus}" is not a number`);
    host.NanoCpus = Math.round(n * 1e9);
  }
  const pids = (service.pids_limit as number | string | undefined) ?? limits?.pids;
  if (pids !== undefined) host.PidsLimit = integer(ctx, 'pids_limit', pids);
  const reservation = service.deploy?.resources?.reservations?.memory ?? service.mem_reservation;
  if (reservation !== undefined) host.MemoryReservation = bytes(service, 'mem_reservation', reservation);
  if (service.shm_size !== undefined) host.ShmSize = bytes(service, 'shm_size', service.shm_size);

  const swap = service.memswap_limit as number | string | undefined;
  if (swap !== undefined && swap !== null) host.MemorySwap = String(swap).trim() === '-1' ? -1 : bytes(service, 'memswap_limit', swap);
  const swappiness = optionalInteger(ctx, 'mem_swappiness');
  if (swappiness !== undefined) {
    if (swappiness < 0 || swappiness > 100) throw new CapstanError('VALIDATION', `service "${service.name}": mem_swappiness must be between 0 and 100`);
    host.MemorySwappiness = swappiness;
  }
  if (service.oom_kill_disable !== undefined && service.oom_kill_disable !== null) host.OomKillDisable = Boolean(service.oom_kill_disable);
  const oomScore = optionalInteger(ctx, 'oom_score_adj');
  if (oomScore !== undefined) host.OomScoreAdj = oomScore;

  const shares = optionalInteger(ctx, 'cpu_shares');
  if (shares !== undefined) host.CpuShares = shares;
  const quota = microseconds(ctx, 'cpu_quota');
  if (quota !== undefined) host.CpuQuota = quota;
  const period = microseconds(ctx, 'cpu_period');
  if (period !== undefined) host.CpuPeriod = period;
  const rtPeriod = microseconds(ctx, 'cpu_rt_period');
  if (rtPeriod !== undefined) host.CpuRealtimePeriod = rtPeriod;
  const rtRuntime = microseconds(ctx, 'cpu_rt_runtime');
  if (rtRuntime !== undefined) host.CpuRealtimeRuntime = rtRuntime;
  const cpuset = stringAttr(ctx, 'cpuset');
  if (cpuset) host.CpusetCpus = cpuset;
  const parent = stringAttr(ctx, 'cgroup_parent');
  if (parent) host.CgroupParent = parent;
  if (ctx.os === 'windows') {
    const count = optionalInteger(ctx, 'cpu_count');
    if (count !== undefined) host.CpuCount = count;
    const percent = optionalInteger(ctx, 'cpu_percent');
    if (percent !== undefined) host.CpuPercent = percent;
  }
  applyBlkio(host, ctx);
}

interface BlkioConfig {
  weight?: number | string;
  weight_device?: { path: string; weight: number | string }[];
  device_read_bps?: { path: string; rate: number | string }[];
  device_write_bps?: { path: string; rate: number | string }[];
  device_read_iops?: { path: string; rate: number | string }[];
  device_write_iops?: { path: string; rate: number | string }[];
}

/** `blkio_config`: weights (10–1000), byte rates (bytes per second, units allowed), IO rates (per second). */
function applyBlkio(host: HostConfig, ctx: Ctx): void {
  const b = ctx.service.blkio_config as BlkioConfig | undefined;
  if (!b) return;
  if (b.weight !== undefined) host.BlkioWeight = integer(ctx, 'blkio_config.weight', b.weight);
  if (b.weight_device?.length) {
    host.BlkioWeightDevice = b.weight_device.map((d, i) => ({ Path: d.path, Weight: integer(ctx, `blkio_config.weight_device[${i}].weight`, d.weight) }));
  }
  const rates = (key: 'device_read_bps' | 'device_write_bps' | 'device_read_iops' | 'device_write_iops') =>
    b[key]?.length
      ? b[key]!.map((d) => ({
          Path: d.path,
          Rate: key.endsWith('bps') ? bytes(ctx.service, `blkio_config.${key}`, d.rate) : integer(ctx, `blkio_config.${key}`, d.rate),
        }))
      : undefined;
  const readBps = rates('device_read_bps');
  if (readBps) host.BlkioDeviceReadBps = readBps;
  const writeBps = rates('device_write_bps');
  if (writeBps) host.BlkioDeviceWriteBps = writeBps;
  const readIops = rates('device_read_iops');
  if (readIops) host.BlkioDeviceReadIOps = readIops;
  const writeIops = rates('device_write_iops');
  if (writeIops) host.BlkioDeviceWriteIOps = writeIops;
}

// ───────────────────────────── reading loosely typed attributes ─────────────────────────────

function stringAttr(ctx: Ctx, key: string): string | undefined {
  const v = ctx.service[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object') throw new CapstanError('VALIDATION', `service "${ctx.service.name}": ${key} must be a string`);
  return String(v);
}

function listAttr(ctx: Ctx, key: string): unknown[] {
  const v = ctx.service[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    if (typeof v === 'string') return [v];
    throw new CapstanError('VALIDATION', `service "${ctx.service.name}": ${key} must be a list`);
  }
  return v;
}

function stringList(ctx: Ctx, key: string): string[] {
  return listAttr(ctx, key).map(String);
}

/** A map, or a list of `key=value` (a bare `key` maps to `''`). `undefined` when empty. */
function keyValues(ctx: Ctx, key: string): Record<string, string> | undefined {
  const v = ctx.service[key];
  if (v === undefined || v === null) return undefined;
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const entry of v) {
      const [k, val] = splitOnce(String(entry), '=');
      out[k] = val ?? '';
    }
  } else if (typeof v === 'object') {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? '' : String(val);
  } else {
    throw new CapstanError('VALIDATION', `service "${ctx.service.name}": ${key} must be a mapping or a list`);
  }
  return Object.keys(out).length ? out : undefined;
}

function integer(ctx: Ctx, key: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || (typeof value === 'string' && value.trim() === '')) {
    throw new CapstanError('VALIDATION', `service "${ctx.service.name}": ${key}: ${JSON.stringify(value)} is not an integer`);
  }
  return n;
}

function optionalInteger(ctx: Ctx, key: string): number | undefined {
  const v = ctx.service[key];
  return v === undefined || v === null ? undefined : integer(ctx, key, v);
}

/** An integer number of microseconds, or a duration (`"400ms"`) converted to microseconds. */
function microseconds(ctx: Ctx, key: string): number | undefined {
  const v = ctx.service[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || /^\s*-?\d+\s*$/.test(String(v))) return integer(ctx, key, v);
  return Math.round(duration(ctx.service, key, String(v)) / 1e3);
}

/** Copy without `undefined` members, so request bodies and hashes stay minimal. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
