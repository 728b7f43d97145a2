import { existsSync, readFileSync } from 'node:fs';
import { CapstanError, EngineError } from '../../errors.js';
import type { Filters, SwarmEngine, SwarmNode, SwarmService, SwarmTask } from '../../engine/types.js';
import { parseImageReference, registryAuth, type RegistryAuth } from '../../engine/registry-auth.js';
import type { Project } from '../../model/types.js';
import { convertStack, STACK_NAMESPACE_LABEL, vipReliance, type ConvertedStack } from './convert.js';
import { planStack, type StackAction, type StackObserved } from './plan.js';

/** `--resolve-image`: pin images to their registry digest always, only when changed, or never. */
export type ResolveImage = 'always' | 'changed' | 'never';

/** Options of {@link Stack.deploy}. */
export interface StackDeployOptions {
  prune?: boolean;
  resolveImage?: ResolveImage;
  /** Send the client's registry credentials to the manager with each service (`X-Registry-Auth`). */
  withRegistryAuth?: boolean;
  /** Print the plan only. */
  dryRun?: boolean;
  /** Wait until the created/updated services converge; progress lines through `onProgress`. */
  wait?: boolean;
  /** Wait limit, ms (default 5 minutes). */
  timeoutMs?: number;
  onProgress?: (line: string) => void;
  /** Warnings (ignored keys, VIPs without IPVS). */
  onWarning?: (message: string) => void;
  /** Whether the manager's kernel has IPVS (injected; the CLI detects it). Undefined: not checked. */
  ipvs?: { available: boolean; why: string };
}

/** A row of `stack ls`. */
export interface StackSummary {
  name: string;
  services: number;
}

/** A row of `stack services`. */
export interface StackServiceRow {
  id: string;
  name: string;
  mode: string;
  replicas: string;
  image: string;
  ports: string;
}

/** A row of `stack ps`. */
export interface StackTaskRow {
  id: string;
  name: string;
  /** As in the task's spec, digest included (`stack ps` drops it unless `--no-trunc`). */
  image: string;
  node: string;
  desiredState: string;
  currentState: string;
  error: string;
  ports: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Swarm stacks over a manager's Engine API (`docker stack` behaviour): every object carries
 * `com.docker.stack.namespace=<stack>`; nothing else is kept.
 */
export class Stack {
  constructor(private readonly engine: SwarmEngine) {}

  /**
   * Checks that the engine is a swarm manager.
   * @throws CapstanError UNSUPPORTED with a hint when it is not
   */
  async requireManager(): Promise<void> {
    const info = await this.engine.swarmInfo();
    if (info.LocalNodeState !== 'active' || !info.ControlAvailable) {
      throw new CapstanError('UNSUPPORTED', `this engine is not a swarm manager (swarm state: ${info.LocalNodeState})`, {
        hint: 'point DOCKER_HOST at a manager (e.g. scripts/swarm-cluster.sh up, then DOCKER_HOST=unix:///run/capstan-swarm/node1.sock)',
      });
    }
  }

  /** The stack's objects, by namespace label. */
  async observe(namespace: string): Promise<StackObserved> {
    const filters: Filters = { label: [`${STACK_NAMESPACE_LABEL}=${namespace}`] };
    const [services, networks, secrets, configs] = await Promise.all([
      this.engine.listServices(filters),
      this.engine.listNetworks(filters),
      this.engine.listSwarmObjects('secrets', filters),
      this.engine.listSwarmObjects('configs', filters),
    ]);
    return { services, networks, secrets, configs };
  }

  /** Converts and plans, without changing anything. */
  async plan(project: Project, namespace: string, options: StackDeployOptions = {}): Promise<{ stack: ConvertedStack; actions: StackAction[] }> {
    const stack = convertStack(project, namespace, { read: (p) => readFileSync(p) });
    const auths = new Map<string, RegistryAuth | undefined>();
    const authFor = async (image: string): Promise<RegistryAuth | undefined> => {
      const registry = parseImageReference(image).registry;
      if (!auths.has(registry)) auths.set(registry, await registryAuth(registry).catch(() => undefined));
      return auths.get(registry);
    };
    const observed = await this.observe(namespace);
    const mode = options.resolveImage ?? 'always';
    for (const [name, spec] of Object.entries(stack.services)) {
      const image = spec.TaskTemplate.ContainerSpec.Image;
      const built = stack.built.includes(name);
      const current = observed.services.find((s) => s.Spec.Name === spec.Name);
      const currentImage = current?.Spec.TaskTemplate.ContainerSpec.Image;
      const unchanged = currentImage !== undefined && currentImage.replace(/@sha256:[0-9a-f]+$/, '') === image;
      if (mode === 'never' || image.includes('@') || (mode === 'changed' && unchanged)) {
        if (mode === 'changed' && unchanged && currentImage) spec.TaskTemplate.ContainerSpec.Image = currentImage;
        if (!built) continue;
      }
      const digest = await this.engine.distributionDigest(image, await authFor(image)).catch(() => undefined);
      if (digest === undefined) {
        if (built) {
          throw new CapstanError('NOT_FOUND', `service ${name}: image ${image} is built by compose and not in a registry the nodes can pull from`, {
            hint: `push it first (capstan build && capstan push), with an image: name on a registry every node reaches (e.g. 10.231.0.1:5000/…)`,
          });
        }
        if (mode !== 'never') options.onWarning?.(`image ${image} could not be accessed on a registry to record its digest: the nodes may run different versions of it`);
        continue; // as docker stack: deployed unresolved (the nodes may have it)
      }
      if (mode !== 'never' && !(mode === 'changed' && unchanged)) spec.TaskTemplate.ContainerSpec.Image = `${image}@${digest}`;
    }
    const actions = planStack(stack, observed, { prune: options.prune });
    return { stack, actions };
  }

  /**
   * `stack deploy`: networks, secrets and configs first, then services (created or updated), then
   * `--prune` removals and the secret/config versions no service uses any more.
   * @returns the plan that was (or, with `dryRun`, would be) carried out
   * @throws CapstanError UNSUPPORTED when not a manager; NOT_FOUND for a missing external network;
   *   TIMEOUT when `wait` and the services do not converge in time; EngineError from the manager
   */
  async deploy(project: Project, namespace: string, options: StackDeployOptions = {}): Promise<StackAction[]> {
    await this.requireManager();
    const { stack, actions } = await this.plan(project, namespace, options);
    for (const w of stack.warnings) options.onWarning?.(w);
    if (options.ipvs && !options.ipvs.available) {
      const reliance = vipReliance(stack);
      if (reliance.length) {
        options.onWarning?.(
          `this swarm cannot provide service VIPs or the ingress routing mesh (${options.ipvs.why}); these services rely on them: ${reliance.join('; ')}. Use deploy.endpoint_mode: dnsrr and ports with mode: host`,
        );
      }
    }
    for (const n of stack.networks.filter((x) => x.external)) {
      const found = await this.engine.listNetworks({ name: [n.name] });
      if (!found.some((f) => f.Name === n.name)) throw new CapstanError('NOT_FOUND', `network ${n.name} declared as external, but could not be found`, { hint: `create it with: docker network create -d overlay --scope swarm ${n.name}` });
    }
    if (options.dryRun) return actions;
    const auth = options.withRegistryAuth ? await registryAuthFor(stack) : undefined;
    for (const a of actions.filter((x) => x.kind === 'network' && x.action === 'create')) {
      options.onProgress?.(`Creating network ${a.name}`);
      await this.engine.createNetwork(stack.networks.find((n) => n.name === a.name)!.body!);
    }
    for (const a of actions.filter((x) => (x.kind === 'secret' || x.kind === 'config') && x.action === 'create')) {
      const o = stack.objects.find((x) => x.name === a.name)!;
      options.onProgress?.(`Creating ${a.kind} ${a.name}`);
      await this.engine.createSwarmObject(o.kind, o.name, o.data!, o.labels);
    }
    // the specs name secrets and configs; the engine wants their IDs too
    const ids = new Map<string, string>();
    for (const kind of ['secrets', 'configs'] as const) {
      if (!stack.objects.some((o) => o.kind === kind)) continue;
      for (const o of await this.engine.listSwarmObjects(kind)) ids.set(`${kind}/${o.Spec.Name}`, o.ID);
    }
    const idOf = (kind: 'secrets' | 'configs', name: string): string => {
      const id = ids.get(`${kind}/${name}`);
      if (!id) throw new CapstanError('NOT_FOUND', `${kind === 'secrets' ? 'secret' : 'config'} not found: ${name}`, { hint: 'an external one must be created first (docker secret create / docker config create)' });
      return id;
    };
    for (const a of actions.filter((x) => x.kind === 'service' && x.action !== 'remove')) {
      const c = a.spec!.TaskTemplate.ContainerSpec;
      c.Secrets = c.Secrets?.map((x) => ({ ...x, SecretID: idOf('secrets', x.SecretName) }));
      c.Configs = c.Configs?.map((x) => ({ ...x, ConfigID: idOf('configs', x.ConfigName) }));
      if (a.action === 'create') {
        options.onProgress?.(`Creating service ${a.name}`);
        await this.engine.createService(a.spec!, auth?.get(a.name));
      } else {
        options.onProgress?.(`Updating service ${a.name} (${a.reason})`);
        for (const w of await this.engine.updateService(a.id!, a.version!, a.spec!, auth?.get(a.name))) options.onWarning?.(w);
      }
    }
    for (const a of actions.filter((x) => x.kind === 'service' && x.action === 'remove')) {
      options.onProgress?.(`Removing service ${a.name}`);
      await this.engine.removeService(a.id!);
    }
    const changed = actions.filter((x) => x.kind === 'service' && x.action !== 'remove').map((x) => x.name);
    if (options.wait && changed.length) await this.waitConverged(namespace, changed, options);
    for (const a of actions.filter((x) => (x.kind === 'secret' || x.kind === 'config') && x.action === 'remove')) {
      // a service still rolling off it keeps it in use (409): it is removed on a later deploy
      await this.engine.removeSwarmObject(a.kind === 'secret' ? 'secrets' : 'configs', a.id!).catch((err: unknown) => {
        if (!(err instanceof EngineError)) throw err;
      });
    }
    return actions;

    async function registryAuthFor(s: ConvertedStack): Promise<Map<string, RegistryAuth | undefined>> {
      const out = new Map<string, RegistryAuth | undefined>();
      for (const spec of Object.values(s.services)) {
        const registry = parseImageReference(spec.TaskTemplate.ContainerSpec.Image).registry;
        out.set(spec.Name, await registryAuth(registry).catch(() => undefined));
      }
      return out;
    }
  }

  /**
   * Polls the services until each has its desired number of running tasks on the current spec and
   * no update in progress (`--detach=false`).
   * @throws CapstanError TIMEOUT; ENGINE when an update is paused or rolled back
   */
  async waitConverged(namespace: string, names: string[], options: StackDeployOptions): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    let last = '';
    for (;;) {
      const services = (await this.engine.listServices({ label: [`${STACK_NAMESPACE_LABEL}=${namespace}`] })).filter((s) => names.includes(s.Spec.Name));
      const tasks = await this.engine.listTasks({ label: [`${STACK_NAMESPACE_LABEL}=${namespace}`], 'desired-state': ['running'] });
      const lines: string[] = [];
      let done = true;
      for (const s of services) {
        const state = s.UpdateStatus?.State;
        if (state === 'paused' || state === 'rollback_completed' || state === 'rollback_paused') {
          throw new CapstanError('ENGINE', `service ${s.Spec.Name}: update ${state}: ${s.UpdateStatus?.Message ?? ''}`.trim());
        }
        const job = s.Spec.Mode?.ReplicatedJob || s.Spec.Mode?.GlobalJob;
        const running = tasks.filter((t) => t.ServiceID === s.ID && t.Status.State === 'running').length;
        const desired = s.ServiceStatus?.DesiredTasks ?? 0;
        const ok = job ? true : running >= desired && desired > 0 && (state === undefined || state === 'completed');
        if (!ok) done = false;
        lines.push(`${s.Spec.Name}: ${running}/${desired} running${state && state !== 'completed' ? ` (update ${state})` : ''}`);
      }
      const text = lines.join(', ');
      if (text !== last) options.onProgress?.(text);
      last = text;
      if (done) return;
      if (Date.now() > deadline) throw new CapstanError('TIMEOUT', `the services did not converge: ${text}`);
      await sleep(500);
    }
  }

  /** `stack ls`: stacks found by the namespace label on services, sorted. */
  async ls(): Promise<StackSummary[]> {
    await this.requireManager();
    const services = await this.engine.listServices({ label: [STACK_NAMESPACE_LABEL] });
    const counts = new Map<string, number>();
    for (const s of services) {
      const ns = s.Spec.Labels?.[STACK_NAMESPACE_LABEL];
      if (ns) counts.set(ns, (counts.get(ns) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, services]) => ({ name, services }));
  }

  /** `stack services`: one row per service. @throws CapstanError NOT_FOUND when the stack has none */
  async services(namespace: string): Promise<StackServiceRow[]> {
    await this.requireManager();
    const services = await this.engine.listServices({ label: [`${STACK_NAMESPACE_LABEL}=${namespace}`] });
    if (!services.length) throw new CapstanError('NOT_FOUND', `nothing found in stack: ${namespace}`);
    return services
      .sort((a, b) => (a.Spec.Name < b.Spec.Name ? -1 : 1))
      .map((s) => ({
        id: s.ID,
        name: s.Spec.Name,
        mode: modeName(s),
        replicas: replicas(s),
        image: s.Spec.TaskTemplate.ContainerSpec.Image.replace(/@sha256:[0-9a-f]+$/, ''),
        ports: (s.Endpoint?.Ports ?? s.Spec.EndpointSpec?.Ports ?? []).map((p) => `*:${p.PublishedPort ?? ''}->${p.TargetPort}/${p.Protocol ?? 'tcp'}`).join(', '),
      }));
  }

  /**
   * `stack ps`: the tasks of the stack's services, newest first per slot, older tasks of a slot
   * named ` \_ stack_web.1` (as `docker stack ps`).
   * `filters` are passed to `GET /tasks` (id, name, node, desired-state, service, label).
   */
  async ps(namespace: string, filters: Filters = {}): Promise<StackTaskRow[]> {
    await this.requireManager();
    const [services, tasks, nodes] = await Promise.all([
      this.engine.listServices({ label: [`${STACK_NAMESPACE_LABEL}=${namespace}`] }),
      this.engine.listTasks({ ...filters, label: [...(filters.label ?? []), `${STACK_NAMESPACE_LABEL}=${namespace}`] }),
      this.engine.listNodes(),
    ]);
    if (!services.length && !tasks.length) throw new CapstanError('NOT_FOUND', `nothing found in stack: ${namespace}`);
    const svc = new Map(services.map((s) => [s.ID, s]));
    const node = new Map(nodes.map((n) => [n.ID, n]));
    return tasks
      .sort((a, b) => {
        const sa = svc.get(a.ServiceID)?.Spec.Name ?? '';
        const sb = svc.get(b.ServiceID)?.Spec.Name ?? '';
        if (sa !== sb) return sa < sb ? -1 : 1;
        if ((a.Slot ?? 0) !== (b.Slot ?? 0)) return (a.Slot ?? 0) - (b.Slot ?? 0);
        return (b.CreatedAt ?? '') < (a.CreatedAt ?? '') ? -1 : 1;
      })
      .map((t) => taskRow(t, svc.get(t.ServiceID), node.get(t.NodeID ?? '')))
      .map((row, i, rows) => (i > 0 && rows[i - 1]!.name.replace(/^ \\_ /, '') === row.name ? { ...row, name: ` \\_ ${row.name}` } : row));
  }

  /** The nodes of the swarm (for tests and `ps`). */
  nodes(): Promise<SwarmNode[]> {
    return this.engine.listNodes();
  }

  /**
   * `stack rm`: services, then secrets and configs, then networks (retried while tasks let go of
   * them, up to `timeoutMs`, default 30 s). Returns what was removed.
   */
  async rm(namespace: string, options: { dryRun?: boolean; wait?: boolean; timeoutMs?: number; onProgress?: (line: string) => void } = {}): Promise<StackAction[]> {
    await this.requireManager();
    const o = await this.observe(namespace);
    const actions: StackAction[] = [
      ...o.services.map((s): StackAction => ({ kind: 'service', action: 'remove', name: s.Spec.Name, reason: 'stack rm', id: s.ID })),
      ...o.secrets.map((s): StackAction => ({ kind: 'secret', action: 'remove', name: s.Spec.Name, reason: 'stack rm', id: s.ID })),
      ...o.configs.map((s): StackAction => ({ kind: 'config', action: 'remove', name: s.Spec.Name, reason: 'stack rm', id: s.ID })),
      ...o.networks.map((n): StackAction => ({ kind: 'network', action: 'remove', name: n.Name ?? '', reason: 'stack rm', id: n.Id })),
    ];
    if (!actions.length) throw new CapstanError('NOT_FOUND', `nothing found in stack: ${namespace}`);
    if (options.dryRun) return actions;
    for (const a of actions.filter((x) => x.kind === 'service')) {
      options.onProgress?.(`Removing service ${a.name}`);
      await this.engine.removeService(a.id!);
    }
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const retry = async (fn: () => Promise<void>): Promise<void> => {
      for (;;) {
        try {
          return await fn();
        } catch (err) {
          if (!(err instanceof EngineError) || Date.now() > deadline) throw err;
          await sleep(500);
        }
      }
    };
    for (const a of actions.filter((x) => x.kind === 'secret' || x.kind === 'config')) {
      options.onProgress?.(`Removing ${a.kind} ${a.name}`);
      await retry(() => this.engine.removeSwarmObject(a.kind === 'secret' ? 'secrets' : 'configs', a.id!));
    }
    for (const a of actions.filter((x) => x.kind === 'network')) {
      options.onProgress?.(`Removing network ${a.name}`);
      await retry(() => this.engine.removeNetwork(a.id!));
    }
    // the manager removes networks once their tasks are gone: wait for that when asked
    while (options.wait) {
      const left = await this.observe(namespace);
      const tasks = await this.engine.listTasks({ label: [`${STACK_NAMESPACE_LABEL}=${namespace}`] });
      if (!left.services.length && !left.networks.length && !tasks.length) break;
      if (Date.now() > deadline) throw new CapstanError('TIMEOUT', `stack ${namespace}: ${left.networks.length} network(s) and ${tasks.length} task(s) still there`);
      await sleep(500);
    }
    return actions;
  }
}

function modeName(s: SwarmService): string {
  const m = s.Spec.Mode ?? {};
  return m.Global ? 'global' : m.ReplicatedJob ? 'replicated job' : m.GlobalJob ? 'global job' : 'replicated';
}

function replicas(s: SwarmService): string {
  const st = s.ServiceStatus;
  const m = s.Spec.Mode ?? {};
  if (m.Replicated) return `${st?.RunningTasks ?? 0}/${m.Replicated.Replicas}${s.Spec.TaskTemplate.Placement?.MaxReplicas ? ` (max ${s.Spec.TaskTemplate.Placement.MaxReplicas} per node)` : ''}`;
  if (m.ReplicatedJob) return `${st?.RunningTasks ?? 0}/${m.ReplicatedJob.TotalCompletions ?? 0} (${st?.CompletedTasks ?? 0}/${m.ReplicatedJob.TotalCompletions ?? 0} completed)`;
  return `${st?.RunningTasks ?? 0}/${st?.DesiredTasks ?? 0}`;
}

/** `docker stack ps`'s CURRENT STATE: `Running 5 seconds ago`. */
function currentState(t: SwarmTask, now = Date.now()): string {
  const state = t.Status.State.charAt(0).toUpperCase() + t.Status.State.slice(1);
  if (!t.Status.Timestamp) return state;
  const secs = Math.max(0, Math.round((now - Date.parse(t.Status.Timestamp)) / 1000));
  const ago = secs < 60 ? `${secs} seconds` : secs < 3600 ? `${Math.round(secs / 60)} minutes` : `${Math.round(secs / 3600)} hours`;
  return `${state} ${ago} ago`;
}

function taskRow(t: SwarmTask, s: SwarmService | undefined, n: SwarmNode | undefined): StackTaskRow {
  const service = s?.Spec.Name ?? t.ServiceID;
  const global = s?.Spec.Mode?.Global || s?.Spec.Mode?.GlobalJob;
  return {
    id: t.ID,
    name: global ? `${service}.${t.NodeID ?? ''}` : `${service}.${t.Slot ?? ''}`,
    image: t.Spec.ContainerSpec?.Image ?? '',
    node: n?.Description.Hostname ?? t.NodeID ?? '',
    desiredState: t.DesiredState.charAt(0).toUpperCase() + t.DesiredState.slice(1),
    currentState: currentState(t),
    error: t.Status.Err ?? '',
    ports: '',
  };
}

/**
 * Whether the kernel of a local manager has IPVS (service VIPs and the routing mesh need it):
 * `/proc/net/ip_vs` exists once the module is loaded. Only meaningful when the engine runs on
 * this machine (a unix socket); undefined otherwise.
 */
export function detectIpvs(dockerHost: string | undefined): { available: boolean; why: string } | undefined {
  if (dockerHost && !dockerHost.startsWith('unix://')) return undefined;
  if (existsSync('/proc/net/ip_vs')) return { available: true, why: '/proc/net/ip_vs present' };
  const modules = `/lib/modules/${readRelease()}`;
  let listed = false;
  try {
    listed = /\/ip_vs\.ko/.test(readFileSync(`${modules}/modules.dep`, 'utf8'));
  } catch {
    listed = false;
  }
  return listed
    ? { available: true, why: 'ip_vs module available (not loaded yet)' }
    : { available: false, why: `the kernel has no IPVS: /proc/net/ip_vs absent and no ip_vs module in ${modules}` };
}

function readRelease(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
