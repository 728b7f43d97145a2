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

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SERVICES = arg('services', 200);
const RUNS = arg('runs', 5);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A compose file exercising the common attributes, one service depending on the previous. */
function composeFile(n) {
  let y = 'version: "3.8"\nservices:\n';
  for (let i = 0; i < n; i++) {
    y += `  svc${i}:\n    image: "busybox:\${TAG:-1.36}"\n    command: ["sh", "-c", "echo ${i} && sleep 1"]\n`;
    y += `    environment:\n      - INDEX=${i}\n      - MODE=\${MODE:-prod}\n    ports:\n      - "${10000 + i}:80"\n`;
    y += `    volumes:\n      - data${i % 10}:/data\n      - ./conf:/etc/conf:ro\n    labels:\n      com.example.index: "${i}"\n`;
    y += `    healthcheck:\n      test: ["CMD", "true"]\n      interval: 30s\n    networks: [front, back]\n`;
    if (i > 0) y += `    depends_on: [svc${i - 1}]\n`;
  }
  y += 'networks:\n  front: {}\n  back: {}\nvolumes:\n';
  for (let v = 0; v < 10; v++) y += `  data${v}: {}\n`;
  return y;
}

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
const capstan = time(process.execPath, [join(root, 'bin', 'capstan'), 'config'], dir);
const v1 = time('docker-compose', ['config'], dir);
const fmt = (r) => (r.error ? `error: ${r.error}` : `${r.median.toFixed(0)} ms`);
process.stdout.write(`config of ${SERVICES} services, median of ${RUNS} runs\n`);
process.stdout.write(`  capstan config         ${fmt(capstan)}\n  docker-compose config  ${fmt(v1)}\n`);
if (!capstan.error && !v1.error) {
  const ratio = capstan.median / v1.median;
  process.stdout.write(`  ratio capstan/docker-compose = ${ratio.toFixed(3)} (target < 0.25: ${ratio < 0.25 ? 'met' : 'NOT met'})\n`);
}
