import type { ContainerRow } from '../compose/index.js';
import { formatPorts, goTime, quoteCommand, timeAgo } from './format.js';
import { formatTable } from './table.js';

/**
 * `ps` output as docker compose prints it: the table (NAME IMAGE COMMAND SERVICE CREATED STATUS
 * PORTS) or one JSON object per container with compose's key names (`--format json`).
 */

/**
 * The `ps` table, header included, no trailing newline.
 * @param now Unix time, seconds, for the CREATED column (default: the clock)
 */
export function psTable(rows: readonly ContainerRow[], now?: number): string {
  const cells = rows.map((r) => [r.name, r.image, quoteCommand(r.command), r.service, timeAgo(r.created, now), r.status, formatPorts(r.publishers)]);
  return formatTable(['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], cells);
}

/**
 * One container as `ps --format json` prints it (one `JSON.stringify` per line), keys in
 * docker compose's order.
 * @param now Unix time, seconds, for `RunningFor` (default: the clock)
 */
export function psJson(r: ContainerRow, now?: number): Record<string, unknown> {
  return {
    Command: quoteCommand(r.command),
    CreatedAt: goTime(r.created),
    ExitCode: r.exitCode,
    Health: r.health,
    ID: r.id,
    Image: r.image,
    Labels: Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(r.mounts.filter((m) => m.local).length),
    Mounts: r.mounts.map((m) => m.name).join(','),
    Name: r.name,
    Names: r.name,
    Networks: r.networks.join(','),
    Ports: formatPorts(r.publishers),
    Project: r.project,
    Publishers: r.publishers,
    RunningFor: timeAgo(r.created, now),
    Service: r.service,
    Size: '0B',
    State: r.state,
    Status: r.status,
  };
}
