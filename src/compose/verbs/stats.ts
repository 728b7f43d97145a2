/**
 * `stats [SERVICE]` (compose's `cmd/compose/stats.go`, which runs the docker CLI's `docker stats`
 * over the project's containers): resource usage per container from
 * `GET /containers/{id}/stats`, computed and formatted as the docker CLI does (Linux).
 */
import { CapstanError } from '../../errors.js';
import type { ContainerStats, CpuStats, Engine } from '../../engine/types.js';
import { compareStrings } from '../compare.js';
import { listProjectContainers, type ObservedContainer } from '../observed.js';

/** Options of {@link containerStats}. */
export interface StatsOptions {
  /** Only these services' containers (all when empty). */
  services?: string[];
  /** `-a`: stopped containers too (default: running ones). */
  all?: boolean;
  /** `--no-trunc`: full container IDs. */
  noTrunc?: boolean;
  /**
   * Streaming (no `--no-stream`): called with every container's latest row about once a second,
   * until `signal` aborts or every container's stream ends. Without it, one sample each.
   */
  onSample?: (rows: StatsRow[]) => void;
  /** Milliseconds between two `onSample` calls while streaming; default 1000. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * One container's usage, as docker's stats formatter names it (these are the fields a
 * `--format` Go template sees, and `--format json` prints): strings, formatted.
 */
export interface StatsRow {
  /** The container's ID, as given to the stats command (12 characters unless `noTrunc`). */
  Container: string;
  Name: string;
  ID: string;
  /** `12.34%`: CPU time used over host CPU time since the previous sample, × online CPUs. */
  CPUPerc: string;
  /** `1.5MiB / 7.6GiB`: memory used (minus inactive page cache) over the limit, binary units. */
  MemUsage: string;
  /** `0.02%`. */
  MemPerc: string;
  /** `1.2kB / 648B`: bytes received / sent over all networks, decimal units. */
  NetIO: string;
  /** `0B / 4.1kB`: bytes read / written on block devices, decimal units. */
  BlockIO: string;
  PIDs: string;
}

/**
 * CPU usage in percent (docker CLI's `calculateCPUPercentUnix`): the container's CPU time delta
 * over the host's CPU time delta since `precpu_stats`, times the online CPUs (so 200% is two
 * CPUs busy). 0 when either delta is not positive. A one-shot sample has no previous one: the
 * deltas are then the counters themselves (the average since they began), as docker computes it.
 */
export function cpuPercent(s: ContainerStats): number {
  const cpu: CpuStats = s.cpu_stats ?? {};
  const pre: CpuStats = s.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 0;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * online * 100;
}

/**
 * Memory used, bytes: usage minus the inactive file cache (`total_inactive_file` on cgroup v1,
 * `inactive_file` on v2), as `docker stats` counts it.
 */
export function memoryUsed(s: ContainerStats): number {
  const m = s.memory_stats ?? {};
  const usage = m.usage ?? 0;
  const v1 = m.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = m.stats?.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** `%.4g` of Go, as a plain number string. */
function g(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

/** Binary size as docker's `units.BytesSize`: `1.5MiB`, `512B`. */
export function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${g(size, 4)}${units[i]}`;
}

/** Decimal size as docker's `units.HumanSizeWithPrecision(n, 3)`: `1.23kB`, `648B`. */
export function decimalSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${g(size, 3)}${units[i]}`;
}

/** The formatted row of one sample of container `c`. */
export function statsRow(c: Pick<ObservedContainer, 'id' | 'name'>, s: ContainerStats, noTrunc = false): StatsRow {
  const id = noTrunc ? c.id : c.id.slice(0, 12);
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  let read = 0;
  let write = 0;
  for (const b of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (b.op ?? '').toLowerCase();
    if (op === 'read') read += b.value ?? 0;
    else if (op === 'write') write += b.value ?? 0;
  }
  const used = memoryUsed(s);
  const limit = s.memory_stats?.limit ?? 0;
  return {
    Container: id,
    Name: c.name,
    ID: id,
    CPUPerc: `${cpuPercent(s).toFixed(2)}%`,
    MemUsage: `${binarySize(used)} / ${binarySize(limit)}`,
    MemPerc: `${(limit ? (used / limit) * 100 : 0).toFixed(2)}%`,
    NetIO: `${decimalSize(rx)} / ${decimalSize(tx)}`,
    BlockIO: `${decimalSize(read)} / ${decimalSize(write)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}

/**
 * `stats`: one row per container of the project (one-off `run` containers included, as compose's
 * label filter does), by container name. Without `onSample`, one sample each (`stream=false`:
 * about a second, so the CPU percentage has a previous sample); with it, streamed.
 * @throws EngineError from the stats calls; CapstanError UNSUPPORTED without `Engine.containerStats`.
 */
export async function containerStats(engine: Engine, project: string, options: StatsOptions = {}): Promise<StatsRow[]> {
  if (!engine.containerStats) throw new CapstanError('UNSUPPORTED', 'this engine cannot report container stats');
  const list = await listProjectContainers(engine, project, { all: true, oneoff: true, services: options.services });
  const containers = list.filter((c) => options.all || c.state === 'running').sort((a, b) => compareStrings(a.name, b.name));
  const rows = new Map<string, StatsRow>(containers.map((c) => [c.id, statsRow(c, {}, options.noTrunc)]));
  const current = (): StatsRow[] => containers.map((c) => rows.get(c.id)!);
  const sampler = engine.containerStats.bind(engine);
  if (!options.onSample) {
    await Promise.all(
      containers.map(async (c) => {
        for await (const s of sampler(c.id, { stream: false, ...(options.signal ? { signal: options.signal } : {}) })) rows.set(c.id, statsRow(c, s, options.noTrunc));
      }),
    );
    return current();
  }
  const onSample = options.onSample;
  let fresh = false;
  const timer = setInterval(() => {
    if (fresh) onSample(current());
    fresh = false;
  }, options.intervalMs ?? 1000);
  try {
    await Promise.all(
      containers.map(async (c) => {
        try {
          for await (const s of sampler(c.id, { stream: c.state === 'running', ...(options.signal ? { signal: options.signal } : {}) })) {
            rows.set(c.id, statsRow(c, s, options.noTrunc));
            fresh = true;
          }
        } catch (err) {
          if (!options.signal?.aborted) throw err;
        }
      }),
    );
  } finally {
    clearInterval(timer);
  }
  if (fresh) onSample(current());
  return current();
}
