import type { Engine } from '../../engine/types.js';
import { compareStrings } from '../compare.js';
import { listProjectContainers } from '../observed.js';

/** Options of {@link topProcesses} (`top`): services (all when empty). */
export interface TopOptions {
  services?: string[];
}

/** The processes of one running container (`GET /containers/{id}/top`). */
export interface ContainerProcesses {
  name: string;
  service: string;
  /** The replica number (`com.docker.compose.container-number`); 0 for a one-off `run` container. */
  replica: number;
  /** Column titles as the engine's `ps` gives them (UID PID PPID C STIME TTY TIME CMD). */
  titles: string[];
  /** One row of cells per process, in `titles` order. */
  processes: string[][];
}

/**
 * `top`: the processes of each running container of the services, one-off `run` containers
 * included (replica 0), sorted by container name (compose's pkg/compose/top.go: oneOffInclude).
 * Stopped containers are left out.
 * @throws EngineError when the engine cannot list a container's processes.
 */
export async function topProcesses(engine: Engine, project: string, options: TopOptions = {}): Promise<ContainerProcesses[]> {
  const containers = await listProjectContainers(engine, project, { all: false, oneoff: true, services: options.services });
  const running = containers.filter((c) => c.state === 'running').sort((a, b) => compareStrings(a.name, b.name));
  return Promise.all(
    running.map(async (c) => {
      const top = await engine.topContainer(c.id);
      return { name: c.name, service: c.service, replica: c.number, titles: top.Titles ?? [], processes: top.Processes ?? [] };
    }),
  );
}
