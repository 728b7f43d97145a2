import type { ContainerImage, ContainerProcesses, ProjectSummary, PublishedPort, VolumeSummary } from '../compose/index.js';
import { humanDuration } from './format.js';
import { formatTable } from './table.js';

/**
 * Output of the read-only verbs as docker compose prints it: `ls`, `port`, `top`, `images`,
 * `volumes` (cmd/compose/list.go, port.go, top.go, images.go, volumes.go). Tables through formatter.Print's tabwriter
 * (columns at least 20 wide, 3 spaces apart) except `top` (at least 4, 2 apart).
 */

const PRINT_TABLE = { minWidth: 20, padding: 3 };

/** `ls`: NAME STATUS CONFIG FILES. */
export function lsTable(projects: readonly ProjectSummary[]): string {
  return formatTable(['NAME', 'STATUS', 'CONFIG FILES'], projects.map((p) => [p.name, p.status, p.configFiles]), PRINT_TABLE);
}

/** `ls --format json`: one JSON array, compose's field names. */
export function lsJson(projects: readonly ProjectSummary[]): string {
  return JSON.stringify(projects.map((p) => ({ Name: p.name, Status: p.status, ConfigFiles: p.configFiles })));
}

/** `port`: `HOST:PORT`. */
export function portText(p: PublishedPort): string {
  return `${p.host}:${p.port}`;
}

/**
 * `top`: one table for all containers, SERVICE and # first, then the engine's titles in the order
 * met, CMD last; a cell a container's `ps` lacks prints `-`. Empty string when nothing runs.
 */
export function topTable(containers: readonly ContainerProcesses[]): string {
  const titles: string[] = [];
  for (const c of containers) for (const t of c.titles) if (!titles.includes(t)) titles.push(t);
  const cmd = titles.indexOf('CMD');
  if (cmd >= 0) titles.push(...titles.splice(cmd, 1));
  const rows = containers.flatMap((c) =>
    c.processes.map((proc) => [c.service, String(c.replica), ...titles.map((t) => (c.titles.includes(t) ? (proc[c.titles.indexOf(t)] ?? '') : '-'))]),
  );
  if (!rows.length) return '';
  return formatTable(['SERVICE', '#', ...titles], rows, { minWidth: 4, padding: 2 });
}

/** Bytes in decimal units with 3 significant digits, as go-units' HumanSizeWithPrecision(…, 3): `4.26MB`, `512B`. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(3))}${units[i]}`;
}

/** An image ID without `sha256:`, 12 characters. */
const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/**
 * `images`: CONTAINER REPOSITORY TAG PLATFORM IMAGE ID SIZE CREATED.
 * @param now Unix time, seconds, for CREATED (default: the clock)
 */
export function imagesTable(images: readonly ContainerImage[], now = Date.now() / 1000): string {
  const rows = images.map((i) => [
    i.containerName,
    i.repository || '<none>',
    i.tag || '<none>',
    i.platform,
    shortId(i.id),
    humanSize(i.size),
    i.created ? `${humanDuration(Math.max(0, now - Date.parse(i.created) / 1000))} ago` : 'N/A',
  ]);
  return formatTable(['CONTAINER', 'REPOSITORY', 'TAG', 'PLATFORM', 'IMAGE ID', 'SIZE', 'CREATED'], rows, PRINT_TABLE);
}

/** `images --format json`: one JSON array, compose's field names. */
export function imagesJson(images: readonly ContainerImage[]): string {
  return JSON.stringify(
    images.map((i) => ({
      ID: i.id,
      ContainerName: i.containerName,
      Repository: i.repository,
      Tag: i.tag,
      Platform: i.platform,
      Size: i.size,
      ...(i.created ? { Created: i.created } : {}),
    })),
  );
}

/** `images -q`: image IDs without `sha256:`, each once. */
export function imageIds(images: readonly ContainerImage[]): string[] {
  return [...new Set(images.map((i) => i.id.replace(/^sha256:/, '')))];
}

/** `volumes`: DRIVER VOLUME NAME, as the docker CLI's volume formatter (columns at least 10 wide, 3 apart). */
export function volumesTable(volumes: readonly VolumeSummary[]): string {
  return formatTable(['DRIVER', 'VOLUME NAME'], volumes.map((v) => [v.driver, v.name]), { minWidth: 10, padding: 3 });
}

/** `volumes --format json`: one object per volume (one line each), the docker CLI's field names. */
export function volumeJson(v: VolumeSummary): Record<string, string> {
  return {
    Availability: 'N/A',
    Driver: v.driver,
    Group: 'N/A',
    Labels: Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).sort().join(','),
    Links: 'N/A',
    Mountpoint: v.mountpoint,
    Name: v.name,
    Scope: v.scope,
    Size: 'N/A',
    Status: 'N/A',
  };
}
