/**
 * `export SERVICE` (compose's `pkg/compose/export.go`): a tar of a service container's
 * filesystem, `GET /containers/{id}/export`. Also the container choice `export` and `commit`
 * share (compose's getSpecifiedContainer with one-off containers included, running ones only).
 */
import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { Engine } from '../../engine/types.js';
import { checkServices } from '../graph.js';
import { listProjectContainers, type ObservedContainer } from '../observed.js';

/** Options of {@link exportContainer}. */
export interface ExportOptions {
  /** `--index`: container #N of the service; default the lowest-numbered one. */
  index?: number;
  /** `--dry-run`: find the container, export nothing (an empty `tar`). */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** What {@link exportContainer} resolves: the container exported and its tar stream (to be consumed). */
export interface ExportResult {
  container: string;
  tar: AsyncIterable<Buffer>;
}

/**
 * The running container of `service` numbered `index` (default: the lowest-numbered service
 * container, else a one-off `run` container).
 * @throws CapstanError USAGE for an unknown service; NOT_FOUND when no such container runs.
 */
export async function runningServiceContainer(engine: Engine, project: Project, service: string, index?: number): Promise<ObservedContainer> {
  checkServices(project, [service]);
  const containers = (await listProjectContainers(engine, project.name, { all: false, oneoff: true, services: [service] })).filter((c) => c.state === 'running' || c.state === 'paused');
  const found = index ? containers.find((c) => c.number === index) : (containers.find((c) => !c.oneoff) ?? containers[0]);
  if (!found) throw new CapstanError('NOT_FOUND', index ? `service "${service}" is not running container #${index}` : `service "${service}" is not running`);
  return found;
}

/**
 * `export`: the filesystem of the service's container as an uncompressed tar stream.
 * @throws as {@link runningServiceContainer}; EngineError from the export call.
 */
export async function exportContainer(engine: Engine, project: Project, service: string, options: ExportOptions = {}): Promise<ExportResult> {
  if (!engine.exportContainer) throw new CapstanError('UNSUPPORTED', 'this engine cannot export a container');
  const c = await runningServiceContainer(engine, project, service, options.index);
  if (options.dryRun) return { container: c.name, tar: (async function* () {})() };
  return { container: c.name, tar: await engine.exportContainer(c.id, options.signal) };
}
