#!/usr/bin/env node
/**
 * Benchmark: `capstan config` vs `docker-compose config` (v1, `apt-get install docker-compose`)
 * on a generated 200-service compose file. Prints the median wall time of each and the ratio
 * (capstan / docker-compose; the issue-3 target is < 0.25).
 *
 * Usage: npm run build && node bench/config.mjs [--services 200] [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeComposeFile } from './large-compose-file.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SERVICES = arg('services', 200);
const RUNS = arg('runs', 5);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The shared file with the `version:` key docker-compose v1 (the baseline) wants. */
const composeFile = (n) => `version: "3.8"\n${largeComposeFile(n)}`;

function time(cmd, args, cwd) {
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.error || res.status !== 0) return { error: String(res.error ?? res.stderr).split('\n')[0] };
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] };
}

const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-config-'));
writeFileSync(join(dir, 'docker-compose.yml'), composeFile(SERVICES));
const capstan = time(join(root, 'bin', 'capstan'), ['config'], dir);
const v1 = time('docker-compose', ['config'], dir);
const fmt = (r) => (r.error ? `error: ${r.error}` : `${r.median.toFixed(0)} ms`);
process.stdout.write(`config of ${SERVICES} services, median of ${RUNS} runs\n`);
process.stdout.write(`  capstan config         ${fmt(capstan)}\n  docker-compose config  ${fmt(v1)}\n`);
if (!capstan.error && !v1.error) {
  const ratio = capstan.median / v1.median;
  process.stdout.write(`  ratio capstan/docker-compose = ${ratio.toFixed(3)} (target < 0.25: ${ratio < 0.25 ? 'met' : 'NOT met'})\n`);
}
