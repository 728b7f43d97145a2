import type { Engine } from '../../engine/types.js';
import { projectFilter } from '../labels.js';
import { listProjectContainers } from '../observed.js';

/** Options of {@link projectVolumes} (`volumes`): services (all when empty). */
export interface VolumesOptions {
  services?: string[];
}

/** One volume of the project as the engine lists it (`GET /volumes`). */
export interface VolumeSummary {
  name: string;
  driver: string;
  scope: string;
  mountpoint: string;
  labels: Record<string, string>;
}

/**
 * `volumes`: the volumes carrying the project label (`GET /volumes?filters=…`), in the engine's
 * order; with services, only those mounted by one of their running containers (compose's
 * pkg/compose/volumes.go).
 * @throws EngineError when the engine cannot be reached.
 */
export async function projectVolumes(engine: Engine, project: string, options: VolumesOptions = {}): Promise<VolumeSummary[]> {
  const services = options.services ?? [];
  const [volumes, containers] = await Promise.all([
    engine.listVolumes(projectFilter(project)),
    services.length ? listProjectContainers(engine, project, { all: false, services }) : Promise.resolve([]),
  ]);
  const used = new Set(containers.flatMap((c) => (c.summary.Mounts ?? []).map((m) => m.Name ?? '')));
  return volumes
    .filter((v) => !services.length || used.has(v.Name))
    .map((v) => ({ name: v.Name, driver: v.Driver ?? '', scope: v.Scope ?? '', mountpoint: v.Mountpoint ?? '', labels: { ...(v.Labels ?? {}) } }));
}
