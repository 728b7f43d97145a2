import type { StatsRow } from '../compose/index.js';
import { renderFormat, type FormatSpec } from './go-template.js';

/**
 * `stats` output as the docker CLI prints it (docker compose's stats runs `docker stats`):
 * the default table (its formatter's tabwriter: columns at least 10 wide, 3 spaces apart),
 * `--format json` (one JSON object per container and line, docker's field names) and Go templates.
 */

/** The fields a `stats --format` template may name, with their column headers (docker CLI's stats formatter). */
const STATS_SPEC: FormatSpec = {
  table: 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
  headers: {
    BlockIO: 'BLOCK I/O',
    CPUPerc: 'CPU %',
    Container: 'CONTAINER',
    ID: 'CONTAINER ID',
    MemPerc: 'MEM %',
    MemUsage: 'MEM USAGE / LIMIT',
    Name: 'NAME',
    NetIO: 'NET I/O',
    PIDs: 'PIDS',
  },
};

/** A row's fields in docker's (alphabetical) order, as its JSON prints them. */
const fields = (r: StatsRow): Record<string, string> => ({
  BlockIO: r.BlockIO,
  CPUPerc: r.CPUPerc,
  Container: r.Container,
  ID: r.ID,
  MemPerc: r.MemPerc,
  MemUsage: r.MemUsage,
  Name: r.Name,
  NetIO: r.NetIO,
  PIDs: r.PIDs,
});

/**
 * `stats --format table|json|TEMPLATE` (ui/go-template.ts): one line per container, newline
 * terminated; the table has its header even with no rows.
 * @throws CapstanError USAGE for a template naming an unknown field
 */
export function statsFormat(format: string | undefined, rows: readonly StatsRow[]): string {
  return renderFormat(format, rows.map(fields), STATS_SPEC);
}

/** CONTAINER ID   NAME   CPU %   MEM USAGE / LIMIT   MEM %   NET I/O   BLOCK I/O   PIDS (no trailing newline). */
export function statsTable(rows: readonly StatsRow[]): string {
  return statsFormat('table', rows).slice(0, -1);
}

/** `--format json`: one line per container, keys in docker's (alphabetical) order (no trailing newline). */
export function statsJson(rows: readonly StatsRow[]): string {
  return statsFormat('json', rows).slice(0, -1);
}
