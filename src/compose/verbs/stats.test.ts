import { describe, expect, it } from 'vitest';
import type { ContainerStats } from '../../engine/types.js';
import { Compose } from '../compose.js';
import { binarySize, cpuPercent, decimalSize, memoryUsed, statsRow } from './stats.js';
import { FakeEngine } from '../../../test/support/fake-engine.js';
import { project } from '../../../test/support/fixtures.js';

/** `stats`: the docker CLI's CPU and memory arithmetic, its size formats, and the rows. */

const sample: ContainerStats = {
  cpu_stats: { cpu_usage: { total_usage: 300_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
  precpu_stats: { cpu_usage: { total_usage: 100_000_000 }, system_cpu_usage: 18_000_000_000 },
  memory_stats: { usage: 10 * 1024 * 1024, limit: 2 * 1024 * 1024 * 1024, stats: { inactive_file: 2 * 1024 * 1024 } },
  networks: { eth0: { rx_bytes: 1234, tx_bytes: 648 }, eth1: { rx_bytes: 1000, tx_bytes: 0 } },
  blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'write', value: 1_500_000 }, { op: 'Read', value: 4 }] },
  pids_stats: { current: 3 },
};

describe('cpuPercent (docker CLI calculateCPUPercentUnix)', () => {
  it('CPU delta over system delta, times online CPUs, in percent', () => {
    // 0.2 s of CPU over 2 s of host time on 4 CPUs: 40%
    expect(cpuPercent(sample)).toBeCloseTo(40, 10);
  });

  it('falls back to the length of percpu_usage when online_cpus is absent', () => {
    const s: ContainerStats = { ...sample, cpu_stats: { cpu_usage: { total_usage: 300_000_000, percpu_usage: [1, 2] }, system_cpu_usage: 20_000_000_000 } };
    expect(cpuPercent(s)).toBeCloseTo(20, 10);
  });

  it('without a previous sample (one-shot): the average since the counters began, as docker computes it', () => {
    expect(cpuPercent({ cpu_stats: sample.cpu_stats })).toBeCloseTo(6, 10);
  });

  it('0 when a delta is not positive', () => {
    expect(cpuPercent({ ...sample, precpu_stats: { cpu_usage: { total_usage: 400_000_000 }, system_cpu_usage: 1 } })).toBe(0);
    expect(cpuPercent({})).toBe(0);
  });
});

describe('memoryUsed', () => {
  it('usage minus inactive_file (cgroup v2) or total_inactive_file (v1), when smaller', () => {
    expect(memoryUsed(sample)).toBe(8 * 1024 * 1024);
    expect(memoryUsed({ memory_stats: { usage: 100, stats: { total_inactive_file: 30, inactive_file: 10 } } })).toBe(70);
    expect(memoryUsed({ memory_stats: { usage: 100, stats: { inactive_file: 300 } } })).toBe(100);
    expect(memoryUsed({})).toBe(0);
  });
});

describe('sizes as docker formats them', () => {
  it('binary (units.BytesSize, 4 significant digits)', () => {
    expect(binarySize(0)).toBe('0B');
    expect(binarySize(512)).toBe('512B');
    expect(binarySize(1536 * 1024)).toBe('1.5MiB');
    expect(binarySize(7.6 * 1024 ** 3)).toBe('7.6GiB');
    expect(binarySize(1234567)).toBe('1.177MiB');
  });

  it('decimal (units.HumanSizeWithPrecision, 3 significant digits)', () => {
    expect(decimalSize(648)).toBe('648B');
    expect(decimalSize(2234)).toBe('2.23kB');
    expect(decimalSize(1_500_000)).toBe('1.5MB');
  });
});

describe('statsRow', () => {
  it("docker's fields, formatted; IDs cut to 12 unless noTrunc", () => {
    const id = 'a'.repeat(64);
    expect(statsRow({ id, name: 'shop-web-1' }, sample)).toEqual({
      Container: 'aaaaaaaaaaaa',
      Name: 'shop-web-1',
      ID: 'aaaaaaaaaaaa',
      CPUPerc: '40.00%',
      MemUsage: '8MiB / 2GiB',
      MemPerc: '0.39%',
      NetIO: '2.23kB / 648B',
      BlockIO: '4.1kB / 1.5MB',
      PIDs: '3',
    });
    expect(statsRow({ id, name: 'x' }, {}, true)).toMatchObject({ ID: id, CPUPerc: '0.00%', MemUsage: '0B / 0B', MemPerc: '0.00%', NetIO: '0B / 0B', PIDs: '0' });
  });

  it('Container stays the 12-character ID under noTrunc (docker stats without names: only ID grows)', () => {
    const id = 'b'.repeat(64);
    expect(statsRow({ id, name: 'x' }, {}, true)).toMatchObject({ Container: 'bbbbbbbbbbbb', ID: id });
  });
});

describe('Compose.stats', () => {
  it('one sample per running container (stream=false), sorted by name; -a adds stopped ones', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake });
    const p = project('shop', { web: {}, db: {} });
    await compose.up(p, { detach: true });
    const db = (await fake.listContainers({ all: true })).find((c) => c.Names?.[0] === '/shop-db-1')!;
    await fake.stopContainer(db.Id!);
    const asked: unknown[] = [];
    Object.assign(fake, {
      containerStats: async function* (id: string, options: { stream: boolean }) {
        asked.push(options.stream);
        yield { ...sample, id };
      },
    });
    const rows = await compose.stats('shop');
    expect(rows.map((r) => [r.Name, r.CPUPerc])).toEqual([['shop-web-1', '40.00%']]);
    expect(asked).toEqual([false]);
    expect((await compose.stats('shop', { all: true })).map((r) => r.Name)).toEqual(['shop-db-1', 'shop-web-1']);
    expect((await compose.stats('shop', { services: ['db'], all: true })).map((r) => r.Name)).toEqual(['shop-db-1']);
  });
});

describe('Compose.stats streaming', () => {
  it('streams (stream=true) and hands every container\'s latest row to onSample until the streams end', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake });
    await compose.up(project('shop', { web: {} }), { detach: true });
    Object.assign(fake, {
      containerStats: async function* (_id: string, options: { stream: boolean }) {
        expect(options.stream).toBe(true);
        for (const pids of [1, 2, 3]) {
          yield { ...sample, pids_stats: { current: pids } };
          await new Promise((r) => setTimeout(r, 30));
        }
      },
    });
    const seen: string[][] = [];
    const rows = await compose.stats('shop', { intervalMs: 10, onSample: (r) => seen.push(r.map((x) => `${x.Name} ${x.PIDs}`)) });
    expect(rows.map((r) => r.PIDs)).toEqual(['3']);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toEqual(['shop-web-1 3']);
  });

  it('ends quietly when the signal aborts', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake });
    await compose.up(project('shop', { web: {} }), { detach: true });
    const stop = new AbortController();
    Object.assign(fake, {
      containerStats: async function* (_id: string, options: { signal: AbortSignal }) {
        yield sample;
        await new Promise((resolve) => options.signal.addEventListener('abort', resolve));
      },
    });
    setTimeout(() => stop.abort(), 50);
    const rows = await compose.stats('shop', { intervalMs: 10, signal: stop.signal, onSample: () => undefined });
    expect(rows).toHaveLength(1);
  });

  it('an error from the events stream closes every stats stream before it is thrown', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake });
    await compose.up(project('shop', { web: {}, db: {} }), { detach: true });
    let open = 0;
    Object.assign(fake, {
      containerStats: async function* (_id: string, options: { signal: AbortSignal }) {
        open++;
        try {
          yield sample;
          await new Promise((resolve) => options.signal.addEventListener('abort', resolve));
        } finally {
          open--;
        }
      },
      events: async function* () {
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('engine went away');
      },
    });
    const stop = new AbortController();
    await expect(compose.stats('shop', { intervalMs: 5, signal: stop.signal, onSample: () => undefined })).rejects.toThrow('engine went away');
    expect(open).toBe(0);
  });

  it('with a signal, follows the engine: a container that starts joins, one that stops leaves (unless -a)', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const compose = new Compose({ engine: fake });
    await compose.up(project('shop', { web: {} }), { detach: true });
    Object.assign(fake, {
      containerStats: async function* (_id: string, options: { signal: AbortSignal }) {
        while (!options.signal.aborted) {
          yield sample;
          await new Promise((r) => setTimeout(r, 10));
        }
      },
    });
    const stop = new AbortController();
    const seen: string[] = [];
    const done = compose.stats('shop', { intervalMs: 5, signal: stop.signal, onSample: (rows) => seen.push(rows.map((r) => r.Name).join(',')) });
    const until = async (names: string): Promise<void> => {
      for (let i = 0; i < 200 && seen.at(-1) !== names; i++) await new Promise((r) => setTimeout(r, 5));
      expect(seen.at(-1)).toBe(names);
    };
    await until('shop-web-1');
    await compose.up(project('shop', { web: {}, db: {} }), { detach: true });
    await until('shop-db-1,shop-web-1');
    await compose.stop(project('shop', { web: {}, db: {} }), { services: ['db'] });
    await until('shop-web-1');
    stop.abort();
    expect((await done).map((r) => r.Name)).toEqual(['shop-web-1']);
  });
});
