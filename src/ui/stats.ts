import type { StatsRow } from '../compose/index.js';
import { formatTable } from './table.js';

/**
 * `stats` output as the docker CLI prints it (docker compose's stats runs `docker stats`):
 * the default table (its formatter's tabwriter: columns at least 10 wide, 3 spaces apart) and
 * `--format json` (one JSON object per container and line, docker's field names).
 */

const STATS_TABLE = { minWidth: 10, padding: 3 };

/** CONTAINER ID   NAME   CPU %   MEM USAGE / LIMIT   MEM %   NET I/O   BLOCK I/O   PIDS. */
export function statsTable(rows: readonly StatsRow[]): string {
  return formatTable(
    ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'],
    rows.map((r) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs]),
    STATS_TABLE,
  );
}

/** `--format json`: one line per container, keys in docker's (alphabetical) order. */
export function statsJson(rows: readonly StatsRow[]): string {
  return rows
    .map((r) => JSON.stringify({ BlockIO: r.BlockIO, CPUPerc: r.CPUPerc, Container: r.Container, ID: r.ID, MemPerc: r.MemPerc, MemUsage: r.MemUsage, Name: r.Name, NetIO: r.NetIO, PIDs: r.PIDs }))
    .join('\n');
}
