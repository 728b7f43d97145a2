#!/usr/bin/env node
/**
 * Benchmark: `capstan watch` (issue 14), on a generated tree of 20 000 files (200 directories of
 * 100 files under 20 top-level ones). Prints:
 *   - setup:   medians of setting the watch up on the tree as Capstan's watcher does it
 *              (@parcel/watcher `subscribe`, `.git` ignored), in process, and the inotify watches
 *              it holds (counted from /proc/self/fdinfo) against the tree's directories;
 *              chokidar 4 once, for comparison, when it is installed (--no-chokidar skips it);
 *   - cli:     the built CLI from start to "⦿ Watch enabled" (`watch --dry-run`: Node start,
 *              loading the project, the watch), and the watches the process holds;
 *   - latency: with a busybox service syncing the tree to /app (`up -d`, then `watch --no-up`),
 *              from writing one file to the new size being visible in the container (polled with
 *              `HEAD /containers/{id}/archive` every 10 ms), median of --runs edits. 500 ms of it
 *              is compose's quiet period.
 * Targets (issue 14): setup < 300 ms, watches ≤ directories, latency median < 700 ms. Exits 1
 * when one is missed.
 *
 * Usage: npm run build && node bench/watch.mjs [--files 20000] [--runs 9] [--no-chokidar] [--no-engine]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const FILES = arg('files', 20000);
const RUNS = arg('runs', 9);
const TARGET = { setupMs: 300, latencyMs: 700 };
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'capstan');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** inotify watches held by process `pid` (each `inotify wd:` line of its inotify fds' fdinfo). */
function watches(pid = 'self') {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (link === 'anon_inode:inotify') n += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
  }
  return n;
}

const work = mkdtempSync(join(tmpdir(), 'capstan-bench-watch-'));
const tree = join(work, 'tree');
let dirs = 1;
for (let i = 0; i < FILES; i++) {
  const dir = join(tree, `a${i % 20}`, `b${Math.floor(i / 20) % 10}`);
  if (i < 200) {
    mkdirSync(dir, { recursive: true });
    dirs += i < 20 ? 2 : 1;
  }
  writeFileSync(join(dir, `f${i}.txt`), 'x');
}
mkdirSync(join(tree, '.git', 'objects'), { recursive: true }); // not watched
const failures = [];
const project = `capstan-bench-watch-${process.pid}`;
try {
  // ── setup, in process ──
  const { subscribe } = await import('@parcel/watcher');
  const times = [];
  let held = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const sub = await subscribe(tree, () => {}, { ignore: ['**/.git'] });
    times.push(performance.now() - t0);
    held = watches();
    await sub.unsubscribe();
  }
  const setup = median(times);
  console.log(`setup    @parcel/watcher  median ${setup.toFixed(0)} ms over ${RUNS} runs, ${held} inotify watches for ${dirs} directories (${FILES} files)`);
  if (setup >= TARGET.setupMs) failures.push(`setup ${setup.toFixed(0)} ms ≥ ${TARGET.setupMs} ms`);
  if (held > dirs) failures.push(`${held} watches > ${dirs} directories`);
  // chokidar is not a dependency of Capstan: compared only where it is installed
  const chokidar = process.argv.includes('--no-chokidar') ? undefined : await import('chokidar').catch(() => undefined);
  if (chokidar) {
    const { watch } = chokidar;
    const t0 = performance.now();
    const w = watch(tree, { ignoreInitial: true, ignored: (p) => p.includes('/.git') });
    await new Promise((r) => w.once('ready', r));
    console.log(`setup    chokidar 4       ${(performance.now() - t0).toFixed(0)} ms, ${watches()} inotify watches (for comparison)`);
    await w.close();
  }

  // ── the CLI ──
  writeFileSync(
    join(work, 'compose.yaml'),
    `services:\n  web:\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n    develop:\n      watch:\n        - path: ./tree\n          action: sync\n          target: /app\n`,
  );
  const env = { ...process.env, NO_COLOR: '1', COMPOSE_PROGRESS: 'plain' };
  /** Starts `capstan args`; resolves once "Watch enabled" is printed, with the child and the ms it took. */
  const startWatch = (args) =>
    new Promise((res, rej) => {
      const t0 = performance.now();
      const child = spawn(BIN, ['-p', project, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Watch enabled')) res({ child, ms: performance.now() - t0 });
      });
      child.on('close', (code) => rej(new Error(`capstan ${args.join(' ')} exited ${code}: ${err}`)));
    });
  const stop = (child) => new Promise((r) => (child.once('close', r), child.kill('SIGINT')));
  const cli = [];
  let cliWatches = 0;
  for (let r = 0; r < Math.min(RUNS, 5); r++) {
    const { child, ms } = await startWatch(['watch', '--dry-run']);
    cli.push(ms);
    cliWatches = watches(child.pid);
    await stop(child);
  }
  console.log(`cli      watch --dry-run  median ${median(cli).toFixed(0)} ms from start to "Watch enabled", ${cliWatches} inotify watches`);

  // ── one-file latency ──
  if (!process.argv.includes('--no-engine')) {
    const { EngineClient } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
    const engine = EngineClient.fromEnvironment();
    await new Promise((res, rej) => {
      const up = spawn(BIN, ['-p', project, 'up', '-d'], { cwd: work, env, stdio: 'ignore' });
      up.on('close', (code) => (code === 0 ? res() : rej(new Error(`up exited ${code}`))));
    });
    const [c] = await engine.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
    const { child } = await startWatch(['watch', '--no-up']);
    const latencies = [];
    const file = join(tree, 'a3', 'b4', 'edited.txt');
    try {
      for (let r = 0; r < RUNS; r++) {
        const size = 100 + r;
        const t0 = performance.now();
        writeFileSync(file, 'y'.repeat(size));
        for (;;) {
          const st = await engine.statContainerPath(c.Id, '/app/a3/b4/edited.txt');
          if (st?.size === size) break;
          if (performance.now() - t0 > 10_000) throw new Error('the change did not reach the container in 10 s');
          await sleep(10);
        }
        latencies.push(performance.now() - t0);
        await sleep(300);
      }
    } finally {
      await stop(child);
    }
    const lat = median(latencies);
    console.log(`latency  one file → container  median ${lat.toFixed(0)} ms (min ${Math.min(...latencies).toFixed(0)}, max ${Math.max(...latencies).toFixed(0)}) over ${RUNS} edits; 500 ms quiet period included`);
    if (lat >= TARGET.latencyMs) failures.push(`latency ${lat.toFixed(0)} ms ≥ ${TARGET.latencyMs} ms`);
  }
} finally {
  await new Promise((r) => spawn(BIN, ['-p', project, 'down', '-t', '0'], { cwd: work, stdio: 'ignore' }).on('close', r));
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`missed: ${failures.join('; ')}`);
  process.exit(1);
}
