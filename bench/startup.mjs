#!/usr/bin/env node
/**
 * Benchmark: start-up time of short command lines, where loading and compiling Capstan's code is
 * most of the run: `capstan --version`, `capstan config -q` on a small file and `capstan ps` on a
 * project with no containers (one Engine API request). Prints the median wall time of each.
 *
 * With `--b <dir>` it compares two builds, A (`--a <dir>`, default this checkout) and B, each a
 * directory holding `bin/capstan` and its `dist/`: runs are interleaved (A, B, B, A, …) so both see
 * the same machine load, and the ratio B/A is printed per scenario.
 *
 * With `--cpu` it reports the CPU time (user + system) each run took instead of its wall time:
 * steadier on a loaded machine, since waiting for a core does not count.
 *
 * Usage: npm run build && node bench/startup.mjs [--runs 21] [--a dir] [--b dir] [--node path] [--cpu] [--only version,config,ps,config200]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeComposeFile } from './large-compose-file.mjs';

const opt = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(opt('runs', 21));
const NODE = opt('node', process.execPath);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CPU = process.argv.includes('--cpu');
const builds = { A: resolve(opt('a', root)) };
if (opt('b')) builds.B = resolve(opt('b'));

const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-startup-'));
// --cpu: preloaded in each run, writes the process's CPU time (µs) to fd 3 at exit
const cpuProbe = join(dir, 'cpu-probe.cjs');
writeFileSync(cpuProbe, "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeSync(3, String(u.user + u.system)); });\n");
writeFileSync(
  join(dir, 'compose.yaml'),
  `services:
  web:
    image: "nginx:\${TAG:-1.27}"
    ports: ["8080:80"]
    environment: [MODE=prod]
    volumes: [data:/data, ./conf:/etc/conf:ro]
    depends_on: [db]
  db:
    image: postgres
    healthcheck:
      test: ["CMD", "pg_isready"]
      interval: 10s
volumes:
  data: {}
`,
);
// bench/config.mjs's compose file, for `--only config200` (not a start-up scenario: parsing and printing dominate)
writeFileSync(join(dir, 'large.yaml'), largeComposeFile(200));
const project = `capstan-bench-startup-${process.pid}`;
const scenarios = {
  version: ['--version'],
  config: ['config', '-q'],
  ps: ['-p', project, 'ps'],
  config200: ['-f', 'large.yaml', 'config'],
};
const only = opt('only')?.split(',');
const chosen = Object.entries(scenarios).filter(([name]) => (only ? only.includes(name) : name !== 'config200'));

function run(build, args) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(NODE, [...(CPU ? ['-r', cpuProbe] : []), join(build, 'bin', 'capstan'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error || res.status !== 0) throw new Error(`capstan ${args.join(' ')} (${build}) failed: ${res.error ?? res.stderr}`);
  return CPU ? Number(res.output[3]) / 1000 : ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = Object.keys(builds);
const nodeVersion = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stdout.write(`start-up on Node ${nodeVersion}, ${CPU ? 'CPU time' : 'wall time'}, median of ${RUNS} interleaved runs (ms)\n`);
for (const [name, args] of chosen) {
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) run(builds[n], args); // one unmeasured run each: file system cache
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) times[n].push(run(builds[n], args));
  }
  const m = Object.fromEntries(names.map((n) => [n, median(times[n])]));
  const line = names.map((n) => `${n} ${m[n].toFixed(1)}`).join('  ');
  const ratio = m.B === undefined ? '' : `  ratio B/A ${(m.B / m.A).toFixed(3)}`;
  process.stdout.write(`  ${`capstan ${args.join(' ')}`.padEnd(44)} ${line}${ratio}\n`);
}
rmSync(dir, { recursive: true, force: true });
