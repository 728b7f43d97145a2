#!/usr/bin/env node
/**
 * Benchmark: `capstan exec -T web true` against `docker exec <container> true` (the docker CLI
 * found on PATH) on a one-service busybox project, interleaved (capstan, docker, docker,
 * capstan, …) so both see the same machine load. Prints the median wall time of each and the
 * ratio capstan/docker (issue 10 asks for at most 1.2). Starts the project with the built CLI
 * and removes it at the end, failed runs included.
 *
 * Also timed, in the same interleaving: Node itself running an empty script (`node floor`), the
 * part of capstan's time no code of Capstan can save. Where `NODE_EXTRA_CA_CERTS` is set, Node 20
 * reads and parses that certificate bundle at every start (nodejs/node#40524; ~38 ms for
 * /etc/ssl/certs/ca-certificates.crt on the 2-core machine of issue 10): the floor shows it, and
 * `--without-extra-ca` runs everything with the variable unset.
 *
 * With `--b <dir>` (a directory holding another build's `bin/capstan` and `dist/`) that build's
 * `exec` is timed too, in the same interleaving, with the median of the paired differences B − A
 * (each B run minus the A run beside it): on a shared machine the medians move by more than the
 * few milliseconds a change saves, the paired difference much less.
 *
 * Both builds run as a user runs them (`bin/capstan …`, its shell line included), not as
 * `node bin/capstan`.
 *
 * Usage: npm run build && node bench/exec.mjs [--runs 9] [--without-extra-ca] [--b dir]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const opt = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(opt('runs', 9));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'capstan');
const other = opt('b') && join(resolve(opt('b')), 'bin', 'capstan');
const project = `capstan-bench-exec-${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-exec-'));
const env = { ...process.env, COMPOSE_PROGRESS: 'quiet' };
if (process.argv.includes('--without-extra-ca')) delete env.NODE_EXTRA_CA_CERTS;
writeFileSync(join(dir, 'empty.cjs'), '');
writeFileSync(
  join(dir, 'compose.yaml'),
  `services:\n  web:\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`,
);

/** Runs a command line; returns its wall time in milliseconds (throws on a non-zero status). */
function timed(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  timed(bin, ['-p', project, 'up', '-d']);
  const container = `${project}-web-1`;
  const run = {
    capstan: () => timed(bin, ['-p', project, 'exec', '-T', 'web', 'true']),
    docker: () => timed('docker', ['exec', container, 'true']),
    node: () => timed(process.execPath, [join(dir, 'empty.cjs')]),
    ...(other ? { b: () => timed(other, ['-p', project, 'exec', '-T', 'web', 'true']) } : {}),
  };
  const names = Object.keys(run);
  for (const which of names) run[which](); // warm-up (code cache, page cache)
  const times = Object.fromEntries(names.map((which) => [which, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const which of i % 2 === 0 ? names : [...names].reverse()) times[which].push(run[which]());
  }
  const c = median(times.capstan);
  const d = median(times.docker);
  const n = median(times.node);
  const ca = env.NODE_EXTRA_CA_CERTS ? `NODE_EXTRA_CA_CERTS=${env.NODE_EXTRA_CA_CERTS}` : 'NODE_EXTRA_CA_CERTS unset';
  console.log(`Node ${process.version}, ${ca}`);
  console.log(`capstan exec -T web true  median ${c.toFixed(1)} ms (${RUNS} runs)`);
  console.log(`docker exec <container> true  median ${d.toFixed(1)} ms (${RUNS} runs)`);
  console.log(`node floor (an empty script)  median ${n.toFixed(1)} ms (${RUNS} runs)`);
  console.log(`ratio capstan/docker: ${(c / d).toFixed(2)}`);
  console.log(`capstan above the node floor: ${(c - n).toFixed(1)} ms; docker exec: ${d.toFixed(1)} ms`);
  if (other) {
    const b = median(times.b);
    console.log(`B (${opt('b')}) exec -T web true  median ${b.toFixed(1)} ms; ratio B/capstan ${(b / c).toFixed(2)}`);
    console.log(`paired difference B - capstan: median ${median(times.b.map((t, i) => t - times.capstan[i])).toFixed(1)} ms`);
  }
} finally {
  spawnSync(process.execPath, [bin, '-p', project, 'down', '-t', '0'], { cwd: dir, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
