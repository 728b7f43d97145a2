import { CapstanError } from '../errors.js';
import { parseDuration, nanosToSeconds } from '../model/duration.js';
import { parseByteSize } from '../model/units.js';
import type { Project, ServiceConfig, ServiceVolumeConfig } from '../model/types.js';
import type { ContainerCreateBody, EndpointSettings, HostConfig } from '../engine/types.js';
import { Label, COMPOSE_VERSION_LABEL } from './labels.js';
import { serviceImage } from './naming.js';

/**
 * Maps a service's canonical config onto the body of `POST /containers/create` (Engine API 1.41).
 * Pure: the planner calls it, the executor sends the result.
 *
 * API 1.41 accepts only one entry in `NetworkingConfig.EndpointsConfig` at create time, so the
 * first network goes into the body and the others are returned in `extraNetworks` to be connected
 * before start (what docker compose does on engines older than API 1.44).
 */

export interface ContainerSpec {
  body: ContainerCreateBody;
  /** Networks (engine names) to connect after create, with their endpoint settings. */
  extraNetworks: { network: string; endpoint: EndpointSettings }[];
}

export interface ContainerSpecInput {
  project: Project;
  service: ServiceConfig;
  replica: number;
  name: string;
  configHash: string;
  configDigest: string;
  /** Anonymous volumes of the container being replaced: target path → volume name. */
  inheritedVolumes?: Record<string, string>;
}

/** @throws CapstanError VALIDATION for values the engine cannot take (bad duration, size). */
export function containerSpec(input: ContainerSpecInput): ContainerSpec {
  const { project, service, replica } = input;
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
  applyMounts(host, service, project, input.inheritedVolumes ?? {});
  applyResources(host, service);

  const networks = serviceNetworks(project, service);
  let endpoints: Record<string, EndpointSettings> | undefined;
  const extraNetworks: ContainerSpec['extraNetworks'] = [];
  if (service.network_mode) {
    host.NetworkMode = resolveNetworkMode(service.network_mode, project.name);
  } else if (networks.length) {
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
    StopSignal: service.stop_signal,
    Healthcheck: healthcheck(service),
    HostConfig: host,
    NetworkingConfig: endpoints ? { EndpointsConfig: endpoints } : undefined,
  };
  if (service.command !== undefined) body.Cmd = service.command ?? [];
  if (service.entrypoint !== undefined) body.Entrypoint = service.entrypoint ?? [''];
  if (service.stop_grace_period) {
    body.StopTimeout = nanosToSeconds(duration(service, 'stop_grace_period', service.stop_grace_period));
  }
  return { body: dropUndefined(body), extraNetworks };
}

/** The networks a service joins, as engine names with endpoint settings, by priority then key. */
export function serviceNetworks(
  project: Project,
  service: ServiceConfig,
): { key: string; network: string; endpoint: EndpointSettings }[] {
  const entries = Object.entries(service.networks ?? {});
  entries.sort(([a, ca], [b, cb]) => (cb?.priority ?? 0) - (ca?.priority ?? 0) || a.localeCompare(b));
  return entries.map(([key, config]) => {
    const network = project.networks[key];
    if (!network) throw new CapstanError('VALIDATION', `service "${service.name}" refers to undefined network ${key}`);
    const endpoint: EndpointSettings = { Aliases: [service.name, ...(config?.aliases ?? [])] };
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

function resolveNetworkMode(mode: string, project: string): string {
  // `service:X` is resolved by the planner to `container:<id>`; keep others as they are.
  if (mode.startsWith('service:')) return `container:${project}-${mode.slice(8)}-1`;
  return mode;
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

function healthcheck(service: ServiceConfig): ContainerCreateBody['Healthcheck'] {
  const hc = service.healthcheck;
  if (!hc) return undefined;
  if (hc.disable) return { Test: ['NONE'] };
  const ns = (key: 'interval' | 'timeout' | 'start_period' | 'start_interval'): number | undefined =>
    hc[key] === undefined ? undefined : duration(service, `healthcheck.${key}`, hc[key]!);
  return dropUndefined({
    Test: hc.test,
    Interval: ns('interval'),
    Timeout: ns('timeout'),
    StartPeriod: ns('start_period'),
    Retries: hc.retries,
  });
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

function applyMounts(
  host: HostConfig,
  service: ServiceConfig,
  project: Project,
  inherited: Record<string, string>,
): void {
  const binds: string[] = [];
  const mounts: NonNullable<HostConfig['Mounts']> = [];
  for (const v of service.volumes ?? []) {
    if (v.type === 'bind' && v.bind?.create_host_path !== false) {
      // Binds (not Mounts) so the engine creates a missing host path, as `create_host_path` asks.
      const opts = [v.read_only ? 'ro' : '', v.bind?.selinux ?? '', v.bind?.propagation ?? ''].filter(Boolean);
      binds.push(`${v.source}:${v.target}${opts.length ? `:${opts.join(',')}` : ''}`);
      continue;
    }
    mounts.push(mountOf(v, service, project, inherited));
  }
  if (binds.length) host.Binds = binds;
  if (mounts.length) host.Mounts = mounts;
}

function mountOf(
  v: ServiceVolumeConfig,
  service: ServiceConfig,
  project: Project,
  inherited: Record<string, string>,
): NonNullable<HostConfig['Mounts']>[number] {
  switch (v.type) {
    case 'volume': {
      const source = v.source ? project.volumes[v.source]?.name : inherited[v.target];
      if (v.source && !source) {
        throw new CapstanError('VALIDATION', `service "${service.name}" refers to undefined volume ${v.source}`);
      }
      return dropUndefined({
        Type: 'volume' as const,
        Source: source,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        VolumeOptions: v.volume?.nocopy ? { NoCopy: true } : undefined,
      });
    }
    case 'bind':
      return dropUndefined({
        Type: 'bind' as const,
        Source: v.source,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        BindOptions: v.bind?.propagation ? { Propagation: v.bind.propagation as 'rprivate' } : undefined,
      });
    case 'tmpfs':
      return dropUndefined({
        Type: 'tmpfs' as const,
        Target: v.target,
        TmpfsOptions: dropUndefined({
          SizeBytes: v.tmpfs?.size === undefined ? undefined : bytes(service, 'tmpfs.size', v.tmpfs.size),
          Mode: v.tmpfs?.mode,
        }),
      });
    default:
      throw new CapstanError('VALIDATION', `service "${service.name}": volume type "${v.type}" is not supported by this engine`);
  }
}

function applyResources(host: HostConfig, service: ServiceConfig): void {
  const limits = service.deploy?.resources?.limits;
  const memory = (service.mem_limit as string | number | undefined) ?? limits?.memory;
  if (memory !== undefined) host.Memory = bytes(service, 'mem_limit', memory);
  const cpus = (service.cpus as string | number | undefined) ?? limits?.cpus;
  if (cpus !== undefined) host.NanoCpus = Math.round(Number(cpus) * 1e9);
  const pids = (service.pids_limit as number | undefined) ?? limits?.pids;
  if (pids !== undefined) host.PidsLimit = pids;
  const reservation = service.deploy?.resources?.reservations?.memory ?? service.mem_reservation;
  if (reservation !== undefined) host.MemoryReservation = bytes(service, 'mem_reservation', reservation as string);
  if (service.shm_size !== undefined) host.ShmSize = bytes(service, 'shm_size', service.shm_size as string);
}

/** Copy without `undefined` members, so request bodies and hashes stay minimal. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
