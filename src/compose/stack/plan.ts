import type { Network } from 'docker-types/generated/1.41';
import type { SwarmObject, SwarmService, SwarmServiceSpec } from '../../engine/types.js';
import { specHash, stableJson, STACK_SPEC_HASH_LABEL, type ConvertedStack } from './convert.js';

/** One change a deploy or rm makes, with why. */
export interface StackAction {
  kind: 'service' | 'network' | 'secret' | 'config';
  action: 'create' | 'update' | 'remove';
  /** The Swarm object name (`stack_web`, `stack_default`, `stack_x-0a1b2c3d4e`). */
  name: string;
  reason: string;
  /** Service create/update: the spec to send (spec-hash label included); update: the ID and version. */
  spec?: SwarmServiceSpec;
  id?: string;
  version?: number;
}

/** What exists of a stack on the manager, read back from `com.docker.stack.namespace` labels. */
export interface StackObserved {
  services: SwarmService[];
  networks: Network[];
  secrets: SwarmObject[];
  configs: SwarmObject[];
}

/** The parts of a ServiceSpec whose change is named as the reason of an update. */
const SPEC_PARTS: ReadonlyArray<[string, (s: SwarmServiceSpec) => unknown]> = [
  ['image', (s) => s.TaskTemplate.ContainerSpec.Image],
  ['environment', (s) => s.TaskTemplate.ContainerSpec.Env ?? []],
  ['command', (s) => [s.TaskTemplate.ContainerSpec.Command, s.TaskTemplate.ContainerSpec.Args]],
  ['secrets', (s) => (s.TaskTemplate.ContainerSpec.Secrets ?? []).map((x) => [x.SecretName, x.File])],
  ['configs', (s) => (s.TaskTemplate.ContainerSpec.Configs ?? []).map((x) => [x.ConfigName, x.File])],
  ['mounts', (s) => s.TaskTemplate.ContainerSpec.Mounts ?? []],
  ['healthcheck', (s) => s.TaskTemplate.ContainerSpec.Healthcheck],
  ['labels', (s) => [s.Labels ? Object.fromEntries(Object.entries(s.Labels).filter(([k]) => k !== STACK_SPEC_HASH_LABEL)) : {}, s.TaskTemplate.ContainerSpec.Labels]],
  ['mode/replicas', (s) => s.Mode],
  ['placement', (s) => s.TaskTemplate.Placement],
  ['resources', (s) => s.TaskTemplate.Resources],
  ['restart_policy', (s) => s.TaskTemplate.RestartPolicy],
  ['update_config', (s) => [s.UpdateConfig, s.RollbackConfig]],
  ['endpoint', (s) => s.EndpointSpec],
  ['networks', (s) => (s.TaskTemplate.Networks ?? []).map((n) => n.Target)],
];

/** Which named parts differ between the desired spec and the engine's (networks compared by name). */
function changedParts(desired: SwarmServiceSpec, observed: SwarmServiceSpec, networkIds: Map<string, string>): string[] {
  const obs: SwarmServiceSpec = {
    ...observed,
    TaskTemplate: { ...observed.TaskTemplate, Networks: observed.TaskTemplate.Networks?.map((n) => ({ ...n, Target: networkIds.get(n.Target) ?? n.Target })) },
  };
  return SPEC_PARTS.filter(([, get]) => stableJson(get(desired)) !== stableJson(subset(get(desired), get(obs)))).map(([name]) => name);
}

/**
 * `observed` restricted to the object keys `desired` has, recursively: the engine fills in
 * defaults (`UpdateConfig.FailureAction: "pause"`, `Isolation: "default"`) that are no change.
 */
export function subset(desired: unknown, observed: unknown): unknown {
  if (Array.isArray(desired) && Array.isArray(observed)) return observed.map((o, i) => subset(desired[i], o));
  if (desired && observed && typeof desired === 'object' && typeof observed === 'object' && !Array.isArray(desired)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(desired)) out[k] = subset((desired as Record<string, unknown>)[k], (observed as Record<string, unknown>)[k]);
    return out;
  }
  return observed;
}

/** Options of {@link planStack}. */
export interface PlanStackOptions {
  /** `--prune`: remove the stack's services the file no longer has. */
  prune?: boolean;
}

/**
 * Desired (converted) against observed: networks and secrets/configs to create, services to
 * create or update (an update only when the spec hash differs; the reason names what changed),
 * with `prune` services to remove; and the stack's secrets/configs no desired service uses any
 * more (old content versions) to remove after the services moved off them. Pure.
 */
export function planStack(desired: ConvertedStack, observed: StackObserved, options: PlanStackOptions = {}): StackAction[] {
  const actions: StackAction[] = [];
  const netNames = new Set(observed.networks.map((n) => n.Name));
  for (const n of desired.networks) {
    if (n.external || netNames.has(n.name)) continue;
    actions.push({ kind: 'network', action: 'create', name: n.name, reason: 'missing' });
  }
  for (const o of desired.objects) {
    if (o.external) continue;
    const have = (o.kind === 'secrets' ? observed.secrets : observed.configs).some((x) => x.Spec.Name === o.name);
    if (!have) actions.push({ kind: o.kind === 'secrets' ? 'secret' : 'config', action: 'create', name: o.name, reason: `content of ${o.kind}.${o.key}` });
  }
  const networkIds = new Map(observed.networks.map((n) => [n.Id ?? '', n.Name ?? '']));
  const byName = new Map(observed.services.map((s) => [s.Spec.Name, s]));
  for (const spec of Object.values(desired.services)) {
    const hash = specHash(spec);
    const withHash: SwarmServiceSpec = { ...spec, Labels: { ...(spec.Labels ?? {}), [STACK_SPEC_HASH_LABEL]: hash } };
    const current = byName.get(spec.Name);
    if (!current) {
      actions.push({ kind: 'service', action: 'create', name: spec.Name, reason: 'missing', spec: withHash });
      continue;
    }
    if (current.Spec.Labels?.[STACK_SPEC_HASH_LABEL] === hash) continue;
    const parts = changedParts(spec, current.Spec, networkIds);
    actions.push({
      kind: 'service',
      action: 'update',
      name: spec.Name,
      reason: parts.length ? `${parts.join(', ')} changed` : 'spec changed',
      spec: withHash,
      id: current.ID,
      version: current.Version.Index,
    });
  }
  const wanted = new Set(Object.values(desired.services).map((s) => s.Name));
  if (options.prune) {
    for (const s of observed.services) {
      if (!wanted.has(s.Spec.Name)) actions.push({ kind: 'service', action: 'remove', name: s.Spec.Name, reason: 'not in the compose file (--prune)', id: s.ID });
    }
  }
  const desiredObjects = new Set(desired.objects.map((o) => `${o.kind}/${o.name}`));
  // old versions of a secret/config: not used by the desired services, and not by a kept service
  const keptServices = observed.services.filter((s) => !wanted.has(s.Spec.Name) && !options.prune);
  const keptUse = new Set(
    keptServices.flatMap((s) => [
      ...(s.Spec.TaskTemplate.ContainerSpec.Secrets ?? []).map((x) => `secrets/${x.SecretName}`),
      ...(s.Spec.TaskTemplate.ContainerSpec.Configs ?? []).map((x) => `configs/${x.ConfigName}`),
    ]),
  );
  for (const [kind, list] of [['secrets', observed.secrets], ['configs', observed.configs]] as const) {
    for (const o of list) {
      const key = `${kind}/${o.Spec.Name}`;
      if (desiredObjects.has(key) || keptUse.has(key)) continue;
      actions.push({ kind: kind === 'secrets' ? 'secret' : 'config', action: 'remove', name: o.Spec.Name, reason: 'no service of the stack uses it any more', id: o.ID });
    }
  }
  return actions;
}

/** The `--dry-run` text: one line per action, `service stack_web: update (environment changed)`; empty for no change. */
export function formatStackPlan(actions: readonly StackAction[]): string {
  return actions.map((a) => `${a.kind} ${a.name}: ${a.action} (${a.reason})\n`).join('');
}
