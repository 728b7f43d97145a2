import type { Network } from 'docker-types/generated/1.41';
import type { Filters, NetworkCreateBody, SwarmEngine, SwarmInfo, SwarmNode, SwarmObject, SwarmService, SwarmServiceSpec, SwarmTask } from '../../src/engine/types.js';

/**
 * An in-memory Swarm manager for `compose/stack` unit tests: services, networks, secrets and
 * configs kept in maps, label filters honoured, every call recorded in `calls`. Tasks are not
 * simulated (`listTasks` returns `tasks`, set by the test).
 */
export class FakeSwarm implements SwarmEngine {
  info: SwarmInfo = { LocalNodeState: 'active', ControlAvailable: true };
  services = new Map<string, SwarmService>();
  networks = new Map<string, Network>();
  objects = { secrets: new Map<string, SwarmObject>(), configs: new Map<string, SwarmObject>() };
  tasks: SwarmTask[] = [];
  nodes: SwarmNode[] = [];
  /** Digest per image reference (`distributionDigest`); absent = not in a registry. */
  digests: Record<string, string> = {};
  calls: string[] = [];
  private next = 1;

  private id(): string {
    return `id${this.next++}`;
  }

  private static match(labels: Record<string, string> | undefined, filters?: Filters): boolean {
    for (const f of filters?.label ?? []) {
      const [k, v] = f.split('=');
      if (!labels || !(k! in labels) || (v !== undefined && labels[k!] !== v)) return false;
    }
    return true;
  }

  async swarmInfo(): Promise<SwarmInfo> {
    return this.info;
  }
  async listNodes(): Promise<SwarmNode[]> {
    return this.nodes;
  }
  async listServices(filters?: Filters): Promise<SwarmService[]> {
    return [...this.services.values()].filter((s) => FakeSwarm.match(s.Spec.Labels, filters));
  }
  async createService(spec: SwarmServiceSpec): Promise<string> {
    const ID = this.id();
    this.calls.push(`create service ${spec.Name}`);
    this.services.set(ID, { ID, Version: { Index: 1 }, Spec: structuredClone(spec) });
    return ID;
  }
  async updateService(id: string, version: number, spec: SwarmServiceSpec): Promise<string[]> {
    const s = this.services.get(id)!;
    if (s.Version.Index !== version) throw new Error('update out of sequence');
    this.calls.push(`update service ${spec.Name}`);
    this.services.set(id, { ID: id, Version: { Index: version + 1 }, Spec: structuredClone(spec) });
    return [];
  }
  async removeService(id: string): Promise<void> {
    this.calls.push(`remove service ${this.services.get(id)?.Spec.Name}`);
    this.services.delete(id);
  }
  async listTasks(): Promise<SwarmTask[]> {
    return this.tasks;
  }
  async listSwarmObjects(kind: 'secrets' | 'configs', filters?: Filters): Promise<SwarmObject[]> {
    return [...this.objects[kind].values()].filter((o) => FakeSwarm.match(o.Spec.Labels, filters));
  }
  async createSwarmObject(kind: 'secrets' | 'configs', name: string, data: Buffer, labels: Record<string, string>): Promise<string> {
    const ID = this.id();
    this.calls.push(`create ${kind} ${name}`);
    this.objects[kind].set(ID, { ID, Version: { Index: 1 }, Spec: { Name: name, Labels: labels, Data: data.toString('base64') } });
    return ID;
  }
  async removeSwarmObject(kind: 'secrets' | 'configs', id: string): Promise<void> {
    this.calls.push(`remove ${kind} ${this.objects[kind].get(id)?.Spec.Name}`);
    this.objects[kind].delete(id);
  }
  async distributionDigest(ref: string): Promise<string | undefined> {
    return this.digests[ref];
  }
  async listNetworks(filters?: Filters): Promise<Network[]> {
    return [...this.networks.values()].filter((n) => FakeSwarm.match(n.Labels, filters) && (!filters?.name || filters.name.includes(n.Name ?? '')));
  }
  async createNetwork(body: NetworkCreateBody): Promise<string> {
    const Id = this.id();
    this.calls.push(`create network ${body.Name}`);
    this.networks.set(Id, { Id, Name: body.Name, Labels: body.Labels ?? {}, Driver: body.Driver });
    return Id;
  }
  async removeNetwork(id: string): Promise<void> {
    this.calls.push(`remove network ${this.networks.get(id)?.Name}`);
    this.networks.delete(id);
  }
}
