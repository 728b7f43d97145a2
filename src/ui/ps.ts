import type { ContainerRow } from '../compose/index.js';
import { formatPorts, goTime, timeAgo } from './format.js';
import { renderFormat, type FormatSpec } from './go-template.js';

/**
 * `ps` output as docker compose prints it (cmd/formatter/container.go over the docker CLI's
 * formatter): the table (NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS, plus ENGINE when a
 * container carries the `com.docker.compose.engine` label), one JSON object per container with
 * compose's field names (`--format json`), or a Go template (`--format TEMPLATE`, `table TEMPLATE`).
 */

/** The `com.docker.compose.engine` label: which engine runs the container (compose's ENGINE column). */
const ENGINE_LABEL = 'com.docker.compose.engine';

/** The default table template, as compose's `defaultContainerTableFormat`. */
const PS_TABLE = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';

/**
 * The fields a `ps --format` template may name, with their table headers (compose's
 * `NewContainerContext`; the fields compose gives no header get their name in capitals).
 */
export const PS_HEADERS: Readonly<Record<string, string>> = {
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  Engine: 'ENGINE',
  ExitCode: 'EXIT CODE',
  Health: 'HEALTH',
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Labels: 'LABELS',
  LocalVolumes: 'LOCAL VOLUMES',
  Mounts: 'MOUNTS',
  Name: 'NAME',
  Names: 'NAMES',
  Networks: 'NETWORKS',
  Ports: 'PORTS',
  Project: 'PROJECT',
  Publishers: 'PUBLISHERS',
  RunningFor: 'CREATED',
  Service: 'SERVICE',
  Size: 'SIZE',
  State: 'STATE',
  Status: 'STATUS',
};

/** How `ps` renders: `--no-trunc` off (IDs, commands and mounts cut) unless `noTrunc`. */
export interface PsRenderOptions {
  /** `--no-trunc`: full IDs, commands and mount names. */
  noTrunc?: boolean;
  /** Unix time, seconds, for `RunningFor`/CREATED (default: the clock). */
  now?: number;
}

/** `s` cut to `max` characters, the last one `…` (the docker CLI's `formatter.Ellipsis`). */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

/** A string as Go's `strconv.Quote` prints it (double quotes, `"` and `\` escaped). */
const goQuote = (s: string): string => JSON.stringify(s);

/**
 * One container as docker compose's template context sees it: every field `{{json .}}` prints,
 * keys sorted as Go's encoder sorts a map's (so `JSON.stringify` gives compose's line).
 */
export function psFields(r: ContainerRow, options: PsRenderOptions = {}): Record<string, unknown> {
  const trunc = !options.noTrunc;
  return {
    Command: goQuote(trunc ? ellipsis(r.command, 20) : r.command),
    CreatedAt: goTime(r.created),
    Engine: r.labels[ENGINE_LABEL] ?? '',
    ExitCode: r.exitCode,
    Health: r.health,
    ID: trunc ? r.id.slice(0, 12) : r.id,
    Image: r.image,
    Labels: Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(r.mounts.filter((m) => m.local).length),
    Mounts: r.mounts.map((m) => (trunc ? ellipsis(m.name, 15) : m.name)).join(','),
    Name: r.name,
    Names: r.name,
    Networks: r.networks.join(','),
    Ports: formatPorts(r.publishers),
    Project: r.project,
    Publishers: r.publishers,
    RunningFor: timeAgo(r.created, options.now),
    Service: r.service,
    Size: '0B',
    State: r.state,
    Status: r.status,
  };
}

/**
 * `ps`'s output for a `--format` value (`table`, `json`, a template; default `table`), every line
 * ending in `\n`; the default table gains ENGINE when a container has the engine label.
 * @throws CapstanError USAGE for a template naming an unknown field or outside the supported subset
 */
export function psFormat(rows: readonly ContainerRow[], format: string | undefined, options: PsRenderOptions = {}): string {
  const engine = rows.some((r) => r.labels[ENGINE_LABEL]);
  const spec: FormatSpec = { table: engine ? `${PS_TABLE}\t{{.Engine}}` : PS_TABLE, headers: PS_HEADERS, escapeRowJson: true };
  return renderFormat(format, rows.map((r) => psFields(r, options)), spec);
}

/**
 * The `ps` table, header included, no trailing newline.
 * @param now Unix time, seconds, for the CREATED column (default: the clock)
 */
export function psTable(rows: readonly ContainerRow[], now?: number): string {
  return psFormat(rows, 'table', { now }).slice(0, -1);
}

/**
 * One container as `ps --format json` prints it (one `JSON.stringify` per line), keys in
 * docker compose's order.
 * @param now Unix time, seconds, for `RunningFor` (default: the clock)
 */
export function psJson(r: ContainerRow, now?: number): Record<string, unknown> {
  return psFields(r, { now });
}
