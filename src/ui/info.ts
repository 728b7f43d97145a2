import type { ContainerImage, ContainerProcesses, ProjectSummary, PublishedPort, VolumeSummary } from '../compose/index.js';
import { humanDuration } from './format.js';
import { renderFormat, type FormatSpec } from './go-template.js';
import { formatTable } from './table.js';

/**
 * Output of the read-only verbs as docker compose prints it: `ls`, `port`, `top`, `images`,
 * `volumes` (cmd/compose/list.go, port.go, top.go, images.go, volumes.go). Tables through formatter.Print's tabwriter
 * (columns at least 20 wide, 3 spaces apart) except `top` (at least 4, 2 apart).
 */

const PRINT_TABLE = { minWidth: 20, padding: 3 };

/** `ls --format`: the fields of a project (compose's `stackView`) and their headers. */
const LS_SPEC: FormatSpec = {
  table: 'table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}',
  headers: { Name: 'NAME', Status: 'STATUS', ConfigFiles: 'CONFIG FILES' },
  ...PRINT_TABLE,
};

/**
 * `ls`'s output for a `--format` value, every line ending in `\n`: the NAME STATUS CONFIG FILES
 * table (default), one JSON array (`json`), or a Go template over `Name`, `Status`,
 * `ConfigFiles` (`TEMPLATE`, `table TEMPLATE`; docker compose itself takes only table and json).
 * @throws CapstanError USAGE for a template naming an unknown field
 */
export function lsFormat(projects: readonly ProjectSummary[], format: string | undefined): string {
  if (format === 'json') return `${lsJson(projects)}\n`;
  return renderFormat(format, projects.map((p) => ({ Name: p.name, Status: p.status, ConfigFiles: p.configFiles })), LS_SPEC);
}

/** `ls`: NAME STATUS CONFIG FILES (no trailing newline). */
export function lsTable(projects: readonly ProjectSummary[]): string {
  return lsFormat(projects, 'table').slice(0, -1);
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

/** `images --format`: the fields of a table row (the JSON field names, with the table's values) and their headers. */
const IMAGES_SPEC: FormatSpec = {
  table: 'table {{.ContainerName}}\t{{.Repository}}\t{{.Tag}}\t{{.Platform}}\t{{.ID}}\t{{.Size}}\t{{.Created}}',
  headers: { ContainerName: 'CONTAINER', Repository: 'REPOSITORY', Tag: 'TAG', Platform: 'PLATFORM', ID: 'IMAGE ID', Size: 'SIZE', Created: 'CREATED' },
  ...PRINT_TABLE,
};

/**
 * `images`'s output for a `--format` value, every line ending in `\n`: the CONTAINER REPOSITORY
 * TAG PLATFORM IMAGE ID SIZE CREATED table (default), one JSON array (`json`, compose's field
 * names), or a Go template over the table's values named as the JSON fields (`ContainerName`,
 * `Repository`, `Tag`, `Platform`, `ID`, `Size`, `Created`; docker compose itself takes only table
 * and json).
 * @param now Unix time, seconds, for CREATED (default: the clock)
 * @throws CapstanError USAGE for a template naming an unknown field
 */
export function imagesFormat(images: readonly ContainerImage[], format: string | undefined, now = Date.now() / 1000): string {
  if (format === 'json') return `${imagesJson(images)}\n`;
  const rows = images.map((i) => ({
    ContainerName: i.containerName,
    Repository: i.repository || '<none>',
    Tag: i.tag || '<none>',
    Platform: i.platform,
    ID: shortId(i.id),
    Size: humanSize(i.size),
    Created: i.created ? `${humanDuration(Math.max(0, now - Date.parse(i.created) / 1000))} ago` : 'N/A',
  }));
  return renderFormat(format, rows, IMAGES_SPEC);
}

/**
 * `images`: CONTAINER REPOSITORY TAG PLATFORM IMAGE ID SIZE CREATED (no trailing newline).
 * @param now Unix time, seconds, for CREATED (default: the clock)
 */
export function imagesTable(images: readonly ContainerImage[], now = Date.now() / 1000): string {
  return imagesFormat(images, 'table', now).slice(0, -1);
}

/**
 * `images --format json`: one JSON array, compose's field names (`null` when there is no
 * container, as Go encodes compose's empty list).
 */
export function imagesJson(images: readonly ContainerImage[]): string {
  if (!images.length) return 'null';
  return JSON.stringify(
    images.map((i) => ({
      ID: i.id,
      ContainerName: i.containerName,
      Repository: i.repository,
      Tag: i.tag,
      Platform: i.platform,
      Size: i.size,
      ...(i.created ? { Created: i.created } : {}),
      ...(i.lastTagTime ? { LastTagTime: i.lastTagTime } : {}),
    })),
  );
}

/** `images -q`: image IDs without `sha256:`, each once. */
export function imageIds(images: readonly ContainerImage[]): string[] {
  return [...new Set(images.map((i) => i.id.replace(/^sha256:/, '')))];
}

/** `volumes --format`: the docker CLI's volume context fields and headers. */
const VOLUMES_SPEC: FormatSpec = {
  table: 'table {{.Driver}}\t{{.Name}}',
  escapeRowJson: true,
  headers: {
    Availability: 'AVAILABILITY',
    Driver: 'DRIVER',
    Group: 'GROUP',
    Labels: 'LABELS',
    Links: 'LINKS',
    Mountpoint: 'MOUNTPOINT',
    Name: 'VOLUME NAME',
    Scope: 'SCOPE',
    Size: 'SIZE',
    Status: 'STATUS',
  },
};

/**
 * `volumes`'s output for a `--format` value, every line ending in `\n`: the DRIVER VOLUME NAME
 * table (default; the docker CLI's volume formatter, columns at least 10 wide, 3 apart), one JSON
 * object per line (`json`), or a Go template over the fields of {@link volumeJson}.
 * @throws CapstanError USAGE for a template naming an unknown field
 */
export function volumesFormat(volumes: readonly VolumeSummary[], format: string | undefined): string {
  return renderFormat(format, volumes.map(volumeJson), VOLUMES_SPEC);
}

/** `volumes`: DRIVER VOLUME NAME (no trailing newline). */
export function volumesTable(volumes: readonly VolumeSummary[]): string {
  return volumesFormat(volumes, 'table').slice(0, -1);
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
