import { createHash } from 'node:crypto';
import { CapstanError } from '../../errors.js';
import type { NetworkCreateBody, SwarmServiceSpec, SwarmUpdateConfig } from '../../engine/types.js';
import { parseDuration } from '../../model/duration.js';
import type { Project, ServiceConfig, ServiceFileReference, UpdateConfig } from '../../model/types.js';

/**
 * A loaded Project turned into what a Swarm manager is asked to create (`docker stack deploy`'s
 * `cli/compose/convert` behaviour; Compose Specification, deploy.md). Pure: file contents come
 * through the injected `read`, nothing talks to an engine.
 */

/** The label every object of a stack carries (as docker stack). */
export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';
/** The image as written in the compose file (docker stack sets it on services). */
export const STACK_IMAGE_LABEL = 'com.docker.stack.image';
/** Capstan's hash of the desired ServiceSpec: equal hash = nothing to update. */
export const STACK_SPEC_HASH_LABEL = 'com.capstan.stack.spec-hash';

/** A secret or config to create: its content-suffixed name, data and labels. */
export interface StackFileObject {
  kind: 'secrets' | 'configs';
  /** The compose key (`secrets.<key>`). */
  key: string;
  /** The Swarm object name: `<name>-<first 10 hex of sha256(content)>`, or the external name. */
  name: string;
  external: boolean;
  data?: Buffer;
  labels: Record<string, string>;
}

/** A network the stack needs: created (overlay) or expected to exist (external). */
export interface StackNetwork {
  key: string;
  name: string;
  external: boolean;
  body?: NetworkCreateBody;
}

/** The converted stack. */
export interface ConvertedStack {
  namespace: string;
  /** Compose service name → spec (without the spec-hash label; see {@link specHash}). */
  services: Record<string, SwarmServiceSpec>;
  networks: StackNetwork[];
  objects: StackFileObject[];
  /** Services whose image is only built by compose (`build:`), by compose name. */
  built: string[];
  /** Warnings, each once (`Ignoring unsupported options: build, links`). */
  warnings: string[];
}

/** Service keys Swarm ignores; reported once each, as `docker stack deploy` does. */
const UNSUPPORTED_KEYS: readonly (keyof ServiceConfig)[] = [
  'build', 'cgroup_parent', 'container_name', 'depends_on', 'devices', 'external_links', 'links',
  'network_mode', 'privileged', 'security_opt', 'userns_mode', 'restart', 'pid', 'ipc',
  'cpu_shares', 'cpu_quota', 'cpuset', 'mem_limit', 'mem_reservation', 'shm_size', 'volumes_from',
];

/** Nanoseconds of a Compose duration string; undefined stays undefined. */
function ns(value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDuration(value);
  if (n === undefined) throw new CapstanError('VALIDATION', `${where}: invalid duration ${JSON.stringify(value)}`);
  return n;
}

/** The first 10 hex digits of the sha256 of `data`. */
export function contentSuffix(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 10);
}

/** A stable hash of a ServiceSpec (keys sorted), for {@link STACK_SPEC_HASH_LABEL}. */
export function specHash(spec: SwarmServiceSpec): string {
  const labels = { ...(spec.Labels ?? {}) };
  delete labels[STACK_SPEC_HASH_LABEL];
  return createHash('sha256').update(stableJson({ ...spec, Labels: labels })).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, undefined dropped. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function updateConfig(c: UpdateConfig | undefined, where: string): SwarmUpdateConfig | undefined {
  if (!c) return undefined;
  return {
    Parallelism: c.parallelism ?? 1,
    Delay: ns(c.delay, `${where}.delay`),
    FailureAction: c.failure_action,
    Monitor: ns(c.monitor, `${where}.monitor`),
    MaxFailureRatio: c.max_failure_ratio,
    Order: c.order,
  };
}

function restartPolicy(s: ServiceConfig): NonNullable<SwarmServiceSpec['TaskTemplate']['RestartPolicy']> | undefined {
  const rp = s.deploy?.restart_policy;
  if (rp) {
    const condition = rp.condition ?? 'any';
    if (condition !== 'none' && condition !== 'on-failure' && condition !== 'any') {
      throw new CapstanError('VALIDATION', `services.${s.name}.deploy.restart_policy.condition: invalid value ${JSON.stringify(condition)}`, { hint: 'use none, on-failure or any' });
    }
    return {
      Condition: condition,
      Delay: ns(rp.delay, `services.${s.name}.deploy.restart_policy.delay`),
      MaxAttempts: rp.max_attempts,
      Window: ns(rp.window, `services.${s.name}.deploy.restart_policy.window`),
    };
  }
  // `restart:` read as docker stack reads it when there is no deploy.restart_policy
  const r = s.restart;
  if (!r) return undefined;
  if (r === 'no') return { Condition: 'none' };
  if (r === 'always' || r === 'unless-stopped') return { Condition: 'any' };
  const m = /^on-failure(?::(\d+))?$/.exec(r);
  if (m) return { Condition: 'on-failure', ...(m[1] ? { MaxAttempts: Number(m[1]) } : {}) };
  return undefined;
}

function fileMode(mode: string | undefined): number {
  return mode === undefined ? 0o444 : parseInt(mode, 8);
}

/** The Swarm `Mode` and its replica count. */
function serviceMode(s: ServiceConfig): SwarmServiceSpec['Mode'] {
  const mode = s.deploy?.mode ?? 'replicated';
  const replicas = s.deploy?.replicas ?? s.scale ?? 1;
  if ((mode === 'global' || mode === 'global-job') && s.deploy?.replicas !== undefined) {
    // as docker stack deploy: a global service runs one task per node
    throw new CapstanError('VALIDATION', `services.${s.name}.deploy.replicas: replicas can only be used with replicated or replicated-job mode (mode is ${mode})`, {
      hint: 'remove replicas, or use mode: replicated',
    });
  }
  switch (mode) {
    case 'replicated':
      return { Replicated: { Replicas: replicas } };
    case 'global':
      return { Global: {} };
    case 'replicated-job':
      return { ReplicatedJob: { MaxConcurrent: replicas, TotalCompletions: replicas } };
    case 'global-job':
      return { GlobalJob: {} };
    default:
      throw new CapstanError('VALIDATION', `services.${s.name}.deploy.mode: invalid value ${JSON.stringify(mode)}`, {
        hint: 'use replicated, global, replicated-job or global-job',
      });
  }
}

/** Options of {@link convertStack}. */
export interface ConvertOptions {
  /** Reads a secret/config `file:` (absolute path). */
  read: (path: string) => Buffer;
}

/**
 * Converts `project` into stack `namespace`'s services, networks, secrets and configs.
 * @throws CapstanError VALIDATION for a value Swarm cannot take (port range, unknown mode, replicas of a
 *   global service), naming the key
 */
export function convertStack(project: Project, namespace: string, options: ConvertOptions): ConvertedStack {
  const nsLabel = { [STACK_NAMESPACE_LABEL]: namespace };
  const warnings: string[] = [];
  const ignored = new Set<string>();
  const built: string[] = [];

  // networks: every network a service uses; a service without networks joins `default`
  const usedNetworks = new Set<string>();
  for (const s of Object.values(project.services)) {
    if (s.network_mode) continue;
    for (const key of Object.keys(s.networks ?? { default: null })) usedNetworks.add(key);
  }
  const networks: StackNetwork[] = [];
  for (const key of [...usedNetworks].sort()) {
    const n = project.networks[key] ?? { name: `${namespace}_${key}` };
    if (n.external) {
      networks.push({ key, name: n.name, external: true });
      continue;
    }
    const body: NetworkCreateBody = {
      Name: n.name,
      Driver: n.driver ?? 'overlay',
      Labels: { ...(n.labels ?? {}), ...nsLabel },
      ...(n.attachable ? { Attachable: true } : {}),
      ...(n.internal ? { Internal: true } : {}),
      ...(n.enable_ipv6 ? { EnableIPv6: true } : {}),
      ...(n.driver_opts ? { Options: n.driver_opts } : {}),
      ...(n.ipam
        ? {
            IPAM: {
              Driver: n.ipam.driver,
              Config: (n.ipam.config ?? []).map((c) => ({ Subnet: c.subnet, IPRange: c.ip_range, Gateway: c.gateway, AuxiliaryAddresses: c.aux_addresses })),
              Options: n.ipam.options,
            },
          }
        : {}),
    };
    networks.push({ key, name: n.name, external: false, body });
  }

  // secrets and configs: content-suffixed names, so that a change rolls the services using them
  const objects: StackFileObject[] = [];
  const objectName = new Map<string, string>();
  const addObjects = (kind: 'secrets' | 'configs'): void => {
    const used = new Set<string>();
    for (const s of Object.values(project.services)) for (const r of s[kind] ?? []) used.add(r.source);
    const defs = project[kind];
    for (const key of [...used].sort()) {
      const def = defs[key];
      if (!def) throw new CapstanError('VALIDATION', `${kind}.${key}: not defined at the top level`);
      if (def.external) {
        objects.push({ kind, key, name: def.name, external: true, labels: {} });
        objectName.set(`${kind}/${key}`, def.name);
        continue;
      }
      let data: Buffer;
      if (def.file) data = options.read(def.file);
      else if (def.content !== undefined) data = Buffer.from(def.content);
      else throw new CapstanError('VALIDATION', `${kind}.${key}: needs file, environment or content for a stack`);
      const name = `${def.name}-${contentSuffix(data)}`;
      objects.push({ kind, key, name, external: false, data, labels: { ...(def.labels ?? {}), ...nsLabel } });
      objectName.set(`${kind}/${key}`, name);
    }
  };
  addObjects('secrets');
  addObjects('configs');

  const services: Record<string, SwarmServiceSpec> = {};
  for (const s of Object.values(project.services).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const key of UNSUPPORTED_KEYS) if (s[key] !== undefined && !(key === 'restart' && s.deploy?.restart_policy === undefined)) ignored.add(key);
    if (s.build) built.push(s.name);
    const where = `services.${s.name}`;
    const image = s.image ?? `${project.name}-${s.name}`;
    const d = s.deploy ?? {};

    const env = Object.entries(s.environment ?? {})
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([k, v]) => `${k}=${v}`)
      .sort();

    const mounts: NonNullable<SwarmServiceSpec['TaskTemplate']['ContainerSpec']['Mounts']> = [];
    for (const v of s.volumes ?? []) {
      if (v.type === 'bind') {
        mounts.push({ Type: 'bind', Source: v.source, Target: v.target, ReadOnly: v.read_only || undefined, ...(v.bind?.propagation ? { BindOptions: { Propagation: v.bind.propagation } } : {}) });
      } else if (v.type === 'volume') {
        const top = v.source ? project.volumes[v.source] : undefined;
        const driver = top && !top.external && (top.driver || top.driver_opts) ? { DriverConfig: { Name: top.driver, Options: top.driver_opts } } : {};
        mounts.push({
          Type: 'volume',
          Source: top ? top.name : v.source,
          Target: v.target,
          ReadOnly: v.read_only || undefined,
          VolumeOptions: { ...(v.volume?.nocopy ? { NoCopy: true } : {}), Labels: top && !top.external ? { ...(top.labels ?? {}), ...nsLabel } : undefined, ...driver },
        });
      } else if (v.type === 'tmpfs') {
        mounts.push({ Type: 'tmpfs', Target: v.target, ...(v.tmpfs ? { TmpfsOptions: { SizeBytes: v.tmpfs.size, Mode: v.tmpfs.mode } } : {}) });
      } else {
        throw new CapstanError('UNSUPPORTED', `${where}.volumes: type ${v.type} is not supported by Swarm services`);
      }
    }

    const fileRefs = (kind: 'secrets' | 'configs', refs: ServiceFileReference[] | undefined) =>
      (refs ?? []).map((r) => {
        const name = objectName.get(`${kind}/${r.source}`)!;
        const file = { Name: r.target ?? (kind === 'secrets' ? r.source : `/${r.source}`), UID: r.uid ?? '0', GID: r.gid ?? '0', Mode: fileMode(r.mode) };
        return { file, name };
      });

    const hc = s.healthcheck;
    const healthCheck = hc
      ? hc.disable
        ? { Test: ['NONE'] }
        : {
            Test: hc.test,
            Interval: ns(hc.interval, `${where}.healthcheck.interval`),
            Timeout: ns(hc.timeout, `${where}.healthcheck.timeout`),
            Retries: hc.retries,
            StartPeriod: ns(hc.start_period, `${where}.healthcheck.start_period`),
          }
      : undefined;

    const ports = (s.ports ?? []).map((p) => {
      let published: number | undefined;
      if (p.published !== undefined && p.published !== '') {
        if (!/^\d+$/.test(p.published)) throw new CapstanError('VALIDATION', `${where}.ports: published port range ${p.published} is not supported by Swarm`, { hint: 'publish one port per entry' });
        published = Number(p.published);
      }
      const mode = p.mode ?? 'ingress';
      if (mode !== 'ingress' && mode !== 'host') throw new CapstanError('VALIDATION', `${where}.ports.mode: invalid value ${JSON.stringify(mode)}`, { hint: 'use ingress or host' });
      return { ...(p.name ? { Name: p.name } : {}), Protocol: p.protocol ?? 'tcp', TargetPort: p.target, PublishedPort: published, PublishMode: mode as 'ingress' | 'host' };
    });

    const lim = d.resources?.limits;
    const res = d.resources?.reservations;
    const generic = (res?.generic_resources ?? []).map((g) => ({ DiscreteResourceSpec: { Kind: g.discrete_resource_spec?.kind ?? '', Value: g.discrete_resource_spec?.value ?? 0 } }));
    const resources =
      lim || res
        ? {
            ...(lim ? { Limits: { NanoCPUs: lim.cpus !== undefined ? Math.round(lim.cpus * 1e9) : undefined, MemoryBytes: lim.memory, Pids: lim.pids } } : {}),
            ...(res
              ? { Reservations: { NanoCPUs: res.cpus !== undefined ? Math.round(res.cpus * 1e9) : undefined, MemoryBytes: res.memory, ...(generic.length ? { GenericResources: generic } : {}) } }
              : {}),
          }
        : undefined;

    const pl = d.placement;
    const placement = pl
      ? {
          Constraints: pl.constraints,
          Preferences: pl.preferences?.map((p) => ({ Spread: { SpreadDescriptor: p.spread ?? '' } })),
          MaxReplicas: pl.max_replicas_per_node,
        }
      : undefined;

    const nets = s.network_mode
      ? []
      : Object.entries(s.networks ?? { default: null })
          .map(([key, cfg]) => ({
            Target: networks.find((n) => n.key === key)!.name,
            Aliases: [s.name, ...(cfg?.aliases ?? [])],
            ...(cfg?.driver_opts ? { DriverOpts: cfg.driver_opts } : {}),
          }))
          .sort((a, b) => (a.Target < b.Target ? -1 : 1));

    const endpointMode = d.endpoint_mode ?? 'vip';
    if (endpointMode !== 'vip' && endpointMode !== 'dnsrr') throw new CapstanError('VALIDATION', `${where}.deploy.endpoint_mode: invalid value ${JSON.stringify(endpointMode)}`, { hint: 'use vip or dnsrr' });

    const spec: SwarmServiceSpec = {
      Name: `${namespace}_${s.name}`,
      Labels: { ...(d.labels ?? {}), ...nsLabel, [STACK_IMAGE_LABEL]: image },
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Labels: { ...(s.labels ?? {}), ...nsLabel },
          ...(s.entrypoint ? { Command: s.entrypoint } : {}),
          ...(s.command ? { Args: s.command } : {}),
          ...(s.hostname ? { Hostname: s.hostname } : {}),
          ...(env.length ? { Env: env } : {}),
          ...(s.working_dir ? { Dir: s.working_dir } : {}),
          ...(s.user ? { User: s.user } : {}),
          ...(s.group_add ? { Groups: s.group_add } : {}),
          ...(s.tty ? { TTY: true } : {}),
          ...(s.stdin_open ? { OpenStdin: true } : {}),
          ...(s.read_only ? { ReadOnly: true } : {}),
          ...(s.init !== undefined ? { Init: s.init } : {}),
          ...(mounts.length ? { Mounts: mounts } : {}),
          ...(s.stop_signal ? { StopSignal: s.stop_signal } : {}),
          ...(s.stop_grace_period ? { StopGracePeriod: ns(s.stop_grace_period, `${where}.stop_grace_period`) } : {}),
          ...(healthCheck ? { Healthcheck: healthCheck } : {}),
          ...(s.extra_hosts?.length ? { Hosts: s.extra_hosts.map((h) => { const i = h.indexOf('='); return `${h.slice(i + 1)} ${h.slice(0, i)}`; }) } : {}),
          ...(s.dns || s.dns_search || s.dns_opt ? { DNSConfig: { Nameservers: s.dns, Search: s.dns_search, Options: s.dns_opt } } : {}),
          ...(s.secrets?.length ? { Secrets: fileRefs('secrets', s.secrets).map(({ file, name }) => ({ File: file, SecretID: '', SecretName: name })) } : {}),
          ...(s.configs?.length ? { Configs: fileRefs('configs', s.configs).map(({ file, name }) => ({ File: file, ConfigID: '', ConfigName: name })) } : {}),
          ...(s.sysctls ? { Sysctls: s.sysctls } : {}),
          ...(s.cap_add ? { CapabilityAdd: s.cap_add } : {}),
          ...(s.cap_drop ? { CapabilityDrop: s.cap_drop } : {}),
          ...(s.ulimits
            ? { Ulimits: Object.entries(s.ulimits).map(([name, u]) => (typeof u === 'number' ? { Name: name, Soft: u, Hard: u } : { Name: name, Soft: u.soft, Hard: u.hard })) }
            : {}),
          ...(s.isolation ? { Isolation: s.isolation } : {}),
        },
        ...(resources ? { Resources: resources } : {}),
        ...(restartPolicy(s) ? { RestartPolicy: restartPolicy(s) } : {}),
        ...(placement ? { Placement: placement } : {}),
        ...(nets.length ? { Networks: nets } : {}),
        ...(s.logging?.driver ? { LogDriver: { Name: s.logging.driver, Options: s.logging.options } } : {}),
      },
      Mode: serviceMode(s),
      ...(d.update_config ? { UpdateConfig: updateConfig(d.update_config, `${where}.deploy.update_config`) } : {}),
      ...(d.rollback_config ? { RollbackConfig: updateConfig(d.rollback_config, `${where}.deploy.rollback_config`) } : {}),
      EndpointSpec: { Mode: endpointMode, ...(ports.length ? { Ports: ports } : {}) },
    };
    services[s.name] = JSON.parse(JSON.stringify(spec)) as SwarmServiceSpec; // drops undefined
  }
  if (ignored.size) warnings.push(`Ignoring unsupported options: ${[...ignored].sort().join(', ')}`);
  return { namespace, services, networks, objects, built, warnings };
}

/**
 * Whether the stack relies on service VIPs or the ingress routing mesh (IPVS): a service with
 * `endpoint_mode: vip` (the default) on a network, or a port published in `ingress` mode.
 * Returns the reasons, one per service.
 */
export function vipReliance(stack: ConvertedStack): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(stack.services)) {
    const ingress = (spec.EndpointSpec?.Ports ?? []).filter((p) => p.PublishMode !== 'host');
    if (ingress.length) out.push(`${name}: ports ${ingress.map((p) => `${p.PublishedPort ?? ''}:${p.TargetPort}`).join(', ')} published in ingress mode (routing mesh)`);
    else if (spec.EndpointSpec?.Mode !== 'dnsrr' && spec.TaskTemplate.Networks?.length) out.push(`${name}: endpoint_mode vip (a virtual IP)`);
  }
  return out;
}
