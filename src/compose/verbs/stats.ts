/**
 * `stats [SERVICE]` (compose's `cmd/compose/stats.go`, which runs the docker CLI's `docker stats`
 * over the project's containers): resource usage per container from
 * `GET /containers/{id}/stats`, computed and formatted as the docker CLI does (Linux).
 */
import { CapstanError, EngineError } from '../../errors.js';
import type { ContainerStats, CpuStats, Engine } from '../../engine/types.js';
import { compareStrings } from '../compare.js';
import { projectFilter } from '../labels.js';
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
  /**
   * The container as the stats command named it; compose names none (it filters by label), so
   * docker stats shows the 12-character ID here, `--no-trunc` or not.
   */
  Container: string;
  Name: string;
  /** The container's ID: 12 characters unless `noTrunc`. */
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
    Container: c.id.slice(0, 12),
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
 * about a second, so the CPU percentage has a previous sample); with it, streamed (containers
 * starting later join while `signal` is given; see {@link streamStats}).
 * @throws EngineError from the stats calls; CapstanError UNSUPPORTED without `Engine.containerStats`.
 */
export async function containerStats(engine: Engine, project: string, options: StatsOptions = {}): Promise<StatsRow[]> {
  if (!engine.containerStats) throw new CapstanError('UNSUPPORTED', 'this engine cannot report container stats');
  const since = String(Math.floor(Date.now() / 1000)); // events from before the listing: none is missed
  const list = await listProjectContainers(engine, project, { all: true, oneoff: true, services: options.services });
  const containers = list.filter((c) => options.all || c.state === 'running').sort((a, b) => compareStrings(a.name, b.name));
  const rows = new Map<string, StatsRow>(containers.map((c) => [c.id, statsRow(c, {}, options.noTrunc)]));
  if (!options.onSample) {
    const sampler = engine.containerStats.bind(engine);
    await Promise.all(
      containers.map(async (c) => {
        for await (const s of sampler(c.id, { stream: false, ...(options.signal ? { signal: options.signal } : {}) })) rows.set(c.id, statsRow(c, s, options.noTrunc));
      }),
    );
    return containers.map((c) => rows.get(c.id)!);
  }
  return streamStats(engine, project, since, containers, rows, options, options.onSample);
}

/**
 * The streaming half of {@link containerStats}: one sampling task per container; with a
 * `signal`, also follows the engine's events as `docker stats` does without container names —
 * a container that starts joins, one that dies leaves (unless `all`), one removed leaves — and
 * runs until `signal` aborts. Without a signal, ends when every container's stream has ended.
 * When it ends for any reason (abort, an error from one stream or the events), every stream it
 * opened is closed before it settles.
 */
async function streamStats(
  engine: Engine,
  project: string,
  since: string,
  containers: ObservedContainer[],
  rows: Map<string, StatsRow>,
  options: StatsOptions,
  onSample: (rows: StatsRow[]) => void,
): Promise<StatsRow[]> {
  const sampler = engine.containerStats!.bind(engine);
  // every stream (stats, events) ends with this one: on the caller's abort, and when we end early (an error)
  const stop = new AbortController();
  const signal = stop.signal;
  const onAbort = (): void => stop.abort();
  if (options.signal?.aborted) stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const current = (): StatsRow[] => containers.map((c) => rows.get(c.id)!);
  const tasks = new Map<string, Promise<void>>();
  let fresh = false;
  const watch = (c: ObservedContainer, stream: boolean): void => {
    if (tasks.has(c.id)) return;
    if (!rows.has(c.id)) {
      containers.push(c);
      containers.sort((a, b) => compareStrings(a.name, b.name));
      rows.set(c.id, statsRow(c, {}, options.noTrunc));
      fresh = true;
    }
    const task = (async () => {
      try {
        for await (const s of sampler(c.id, { stream, signal })) {
          if (!rows.has(c.id)) return;
          rows.set(c.id, statsRow(c, s, options.noTrunc));
          fresh = true;
        }
      } catch (err) {
        // a container removed meanwhile (404) just leaves the table
        if (!signal.aborted && !(err instanceof EngineError && err.statusCode === 404)) throw err;
      } finally {
        tasks.delete(c.id);
      }
    })();
    tasks.set(c.id, task);
  };
  const forget = (id: string): void => {
    const at = containers.findIndex((c) => c.id === id);
    if (at >= 0) containers.splice(at, 1);
    rows.delete(id);
    fresh = true;
  };
  const timer = setInterval(() => {
    if (fresh) onSample(current());
    fresh = false;
  }, options.intervalMs ?? 1000);
  try {
    for (const c of containers) watch(c, c.state === 'running');
    if (options.signal) {
      const filters = { ...projectFilter(project), type: ['container'], event: ['start', 'die', 'destroy'] };
      for await (const e of engine.events({ filters, since, signal })) {
        const id = e.Actor?.ID ?? '';
        if (e.Action === 'start') {
          const found = (await listProjectContainers(engine, project, { all: true, oneoff: true, services: options.services })).find((c) => c.id === id);
          if (found) watch(found, true);
        } else if (e.Action === 'destroy' || (e.Action === 'die' && !options.all)) forget(id);
      }
    }
    while (tasks.size) await Promise.all([...tasks.values()]);
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort(); // an error above: close the other containers' streams too
    await Promise.allSettled([...tasks.values()]);
  }
  if (fresh) onSample(current());
  return current();
}
