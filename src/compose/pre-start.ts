/**
 * `pre_start` hooks (compose-behaviour.md §3.22; docker compose `pkg/compose/pre_start.go`):
 * init containers run one after the other, to completion, before a service's containers start —
 * once per service, and only when no replica of it is already running. Each hook container shares
 * the volumes of the service's lowest-numbered container (`VolumesFrom`) and joins its networks.
 * A non-zero exit fails the service; the failed hook container is kept (label
 * `com.docker.compose.hook=pre_start`) for `docker logs`, removed by the next run or by `down`.
 */
import { CapstanError } from '../errors.js';
import type { ContainerCreateBody, Engine, EndpointSettings } from '../engine/types.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { resolveNetworkMode, serviceNetworks } from './container-spec.js';
import type { EventSink } from './events.js';
import { hookEnvironment } from './hooks.js';
import { COMPOSE_VERSION_LABEL, Label, projectFilter } from './labels.js';
import { serviceImage } from './naming.js';

/** The `com.docker.compose.hook` value of `pre_start` hook containers. */
export const PRE_START_HOOK = 'pre_start';

/** One `pre_start` hook as a container to create, run to its exit and remove. */
export interface PreStartContainer {
  /** Position in the service's `pre_start` list (0-based). */
  index: number;
  /** Container name: `<first container>-pre_start-<index + 1>`. */
  name: string;
  /** Body of `POST /containers/create`. */
  body: ContainerCreateBody;
  /** Networks to connect after create (API 1.41 takes one at create). */
  extraNetworks: { network: string; endpoint: EndpointSettings }[];
}

/**
 * The images a service's `pre_start` hooks run, other than the service's own image (those are
 * pulled as the service's dependent images, as docker compose's `GetDependentImages`).
 */
export function preStartImages(project: Project, service: ServiceConfig): string[] {
  const own = serviceImage(project.name, service);
  return [...new Set((service.pre_start ?? []).map((h) => h.image).filter((i): i is string => Boolean(i) && i !== own))];
}

/**
 * The hook containers of `service`, sharing the volumes of container `target` (its final name).
 * Environment: the service's, then the hook's (a bare `KEY` from the project environment).
 *
 * @throws CapstanError UNSUPPORTED for `per_replica: true` (docker compose rejects it too).
 */
export function preStartContainers(project: Project, service: ServiceConfig, target: string): PreStartContainer[] {
  const hooks = service.pre_start ?? [];
  hooks.forEach((hook, i) => {
    if (hook.per_replica) {
      throw new CapstanError('UNSUPPORTED', `service "${service.name}": pre_start[${i}].per_replica is not supported`, {
        hint: 'remove per_replica or set it to false: the hooks run once per service',
      });
    }
  });
  const serviceEnv = Object.entries(service.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const networks = serviceNetworks(project, service, target).map(({ network }) => ({ network, endpoint: {} as EndpointSettings }));
  return hooks.map((hook, index) => {
    const body: ContainerCreateBody = {
      Image: hook.image || serviceImage(project.name, service),
      Env: [...serviceEnv, ...hookEnvironment(hook.environment, project.environment)],
      Labels: {
        [Label.project]: project.name,
        [Label.service]: service.name,
        [Label.version]: COMPOSE_VERSION_LABEL,
        [Label.hook]: PRE_START_HOOK,
      },
      HostConfig: { VolumesFrom: [target], ...(hook.privileged ? { Privileged: true } : {}) },
    };
    if (hook.command?.length) body.Cmd = hook.command;
    if (hook.user) body.User = hook.user;
    if (hook.working_dir) body.WorkingDir = hook.working_dir;
    let extraNetworks: PreStartContainer['extraNetworks'] = [];
    if (service.network_mode) {
      body.HostConfig!.NetworkMode = resolveNetworkMode(service.network_mode, project);
    } else if (networks.length) {
      body.HostConfig!.NetworkMode = networks[0]!.network;
      body.NetworkingConfig = { EndpointsConfig: { [networks[0]!.network]: {} } };
      extraNetworks = networks.slice(1);
    }
    return { index, name: `${target}-pre_start-${index + 1}`, body, extraNetworks };
  });
}

/**
 * Remove the `pre_start` hook containers a failed earlier run kept for `service` (label-filtered:
 * project, service and hook labels). Removal failures are warnings.
 */
export async function removeStalePreStart(engine: Engine, emit: EventSink, project: string, service: string): Promise<void> {
  const filters = projectFilter(project);
  filters.label!.push(`${Label.service}=${service}`, `${Label.hook}=${PRE_START_HOOK}`);
  for (const c of await engine.listContainers({ all: true, filters })) {
    if (c.Labels?.[Label.project] !== project || c.Labels?.[Label.hook] !== PRE_START_HOOK || !c.Id) continue;
    await engine.removeContainer(c.Id, { force: true, volumes: true }).catch((err: unknown) => {
      emit({ type: 'warning', message: `could not remove the pre_start hook container ${c.Names?.[0] ?? c.Id}: ${(err as Error).message}` });
    });
  }
}

/**
 * Run one hook container to its exit: create (`POST /containers/create`), connect its other
 * networks, start, wait (`POST /containers/{id}/wait`, subscribed before the start). Exit 0
 * removes it; anything else keeps it for inspection and throws.
 *
 * @throws CapstanError ENGINE `service "web" pre_start[0] exited with status 3: <last output line>`;
 *   CANCELLED when `signal` aborts (the container is removed).
 */
export async function runPreStartContainer(engine: Engine, service: string, hook: PreStartContainer, signal?: AbortSignal): Promise<void> {
  const id = await engine.createContainer(hook.name, hook.body);
  let code: number;
  try {
    for (const extra of hook.extraNetworks) await engine.connectNetwork(extra.network, id, extra.endpoint);
    const exited = engine.waitContainer(id, 'next-exit', signal);
    exited.catch(() => undefined);
    await engine.startContainer(id);
    code = await exited;
  } catch (err) {
    await engine.removeContainer(id, { force: true, volumes: true }).catch(() => undefined);
    if (signal?.aborted) throw new CapstanError('CANCELLED', 'cancelled');
    throw err;
  }
  if (code === 0) {
    await engine.removeContainer(id, { volumes: true }).catch(() => undefined);
    return;
  }
  const tail = await lastLine(engine, id);
  throw new CapstanError('ENGINE', `service "${service}" pre_start[${hook.index}] exited with status ${code}${tail ? `: ${tail}` : ''}`, {
    hint: `the hook container ${hook.name} is kept: \`docker logs ${hook.name}\` shows its output`,
  });
}

/** The last non-blank line a container printed (stdout or stderr), or '' . */
async function lastLine(engine: Engine, id: string): Promise<string> {
  let text = '';
  try {
    for await (const chunk of engine.containerLogs(id, { tail: 5, tty: false })) text += chunk.data.toString();
  } catch {
    return '';
  }
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}
