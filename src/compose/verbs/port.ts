import { CapstanError } from '../../errors.js';
import type { Engine } from '../../engine/types.js';
import { listProjectContainers } from '../observed.js';

/** Options of {@link publishedPort} (`port`): `--protocol` (default tcp), `--index` (replica, default 1). */
export interface PortOptions {
  protocol?: 'tcp' | 'udp' | 'sctp' | string;
  index?: number;
}

/** Where a container port is published on the host: `0.0.0.0` and `8000` print as `0.0.0.0:8000`. */
export interface PublishedPort {
  host: string;
  port: number;
}

/**
 * `port SERVICE PRIVATE_PORT`: the host address a service container's port is published on,
 * read from the container list's `Ports` (`GET /containers/json`), first binding found (compose's
 * pkg/compose/port.go).
 * @throws CapstanError NOT_FOUND `service "web" is not running container #2` when the service
 *   has no running container with that index, or `no port 81/tcp for container p-web-1: 8080/tcp` (the
 *   container's published ports, as compose's port.go words it) when the port is not published.
 */
export async function publishedPort(engine: Engine, project: string, service: string, privatePort: number, options: PortOptions = {}): Promise<PublishedPort> {
  const protocol = options.protocol ?? 'tcp';
  const index = options.index ?? 1;
  const containers = await listProjectContainers(engine, project, { all: false, services: [service] });
  const container = containers.find((c) => c.number === index);
  if (!container) throw new CapstanError('NOT_FOUND', `service "${service}" is not running container #${index}`);
  const ports = container.summary.Ports ?? [];
  const binding = ports.find((p) => p.PrivatePort === privatePort && p.Type === protocol && p.PublicPort);
  if (!binding) {
    const published = ports.map((p) => `${p.PublicPort ?? 0}/${p.Type}`).join(', ');
    throw new CapstanError('NOT_FOUND', `no port ${privatePort}/${protocol} for container ${container.name}: ${published}`);
  }
  return { host: binding.IP ?? '', port: binding.PublicPort! };
}
