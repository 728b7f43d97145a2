import type { ContainerSummary, Engine } from '../engine/types.js';
import { Label } from './labels.js';

/**
 * Who holds a published host port, for the hint of "port is already allocated" (UX.md "Errors"):
 * the engine's running containers (`GET /containers/json`) whose `Ports` publish it, with their
 * compose project (`com.docker.compose.project` label) when they have one.
 */

/** A container publishing the port, and its compose project (undefined for a container compose did not create). */
export interface PortHolder {
  container: string;
  project: string | undefined;
}

/**
 * The containers of `containers` that publish host `port` (any host IP; `protocol` tcp by
 * default), in list order. `exclude` drops one container by name (the one that failed to start).
 */
export function portHolders(containers: readonly ContainerSummary[], port: number, protocol = 'tcp', exclude?: string): PortHolder[] {
  const holders: PortHolder[] = [];
  for (const c of containers) {
    const name = (c.Names?.[0] ?? c.Id ?? '').replace(/^\//, '');
    if (name === exclude) continue;
    if (!(c.Ports ?? []).some((p) => p.PublicPort === port && (p.Type ?? 'tcp') === protocol)) continue;
    holders.push({ container: name, project: c.Labels?.[Label.project] });
  }
  return holders;
}

/**
 * The hint under `port N is already allocated`: the project (or plain container) holding the
 * port and what to do, or, when no container holds it, that a host process does.
 */
export function portConflictHint(port: number, holders: readonly PortHolder[]): string {
  const holder = holders.find((h) => h.project) ?? holders[0];
  if (holder?.project) {
    return `port ${port} is held by project "${holder.project}" (container ${holder.container}) — \`capstan ls\` lists projects; \`capstan -p ${holder.project} down\` frees it, or change the published port`;
  }
  if (holder) return `port ${port} is held by container ${holder.container}, not part of a compose project — \`docker ps\` shows it; stop it or change the published port`;
  return 'another process on this host uses it (no container publishes it) — `capstan ls` lists projects; change the published port';
}

/**
 * {@link portConflictHint} with the holders looked up on the engine (running containers). A
 * failed lookup gives the hint without a holder, never an error.
 */
export async function lookUpPortConflict(engine: Pick<Engine, 'listContainers'>, port: number, protocol = 'tcp', exclude?: string): Promise<string> {
  const containers = await engine.listContainers({}).catch(() => []);
  return portConflictHint(port, portHolders(containers, port, protocol, exclude));
}
