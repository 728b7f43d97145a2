#!/usr/bin/env node
/**
 * Benchmark: the digest of a build context's inputs (the `dev.capstan.build.digest` label that
 * lets plain `up` rebuild a stale image), on a generated context of 10 000 files (1 KiB each,
 * 100 directories, a `.dockerignore` excluding a tenth of them). The issue-11 target: an
 * unchanged context digests in < 200 ms. Prints the median of:
 *   - cold:    no stat cache (every file read and hashed),
 *   - warm:    the stat cache filled by a previous run (no file read),
 *   - 1 edit:  warm, after one file changed (that file re-hashed).
 * Exits 1 when the warm median is over the target.
 *
 * Usage: npm run build && node bench/build-digest.mjs [--files 10000] [--runs 7]
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const FILES = arg('files', 10000);
const RUNS = arg('runs', 7);
const TARGET_MS = 200;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { buildInputs } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);

const work = mkdtempSync(join(tmpdir(), 'capstan-bench-digest-'));
const context = join(work, 'ctx');
const cache = join(work, 'cache');
const past = new Date(Date.now() - 60_000); // files older than the cache's "recently modified" window
try {
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nCOPY . /app\n');
  writeFileSync(join(context, '.dockerignore'), '**/*.tmp\n');
  const body = Buffer.alloc(1024, 'x');
  for (let i = 0; i < FILES; i++) {
    const dir = join(context, `d${i % 100}`);
    if (i < 100) mkdirSync(dir);
    const file = join(dir, `f${i}${i % 10 === 0 ? '.tmp' : '.txt'}`);
    writeFileSync(file, body);
    utimesSync(file, past, past);
  }
  const request = { service: 'bench', context, dockerfile: 'Dockerfile', tags: ['bench'], args: {}, labels: {} };

  const median = async (setup, runs = RUNS) => {
    const times = [];
    let digest;
    for (let r = 0; r < runs; r++) {
      await setup?.(r);
      const t0 = process.hrtime.bigint();
      digest = await buildInputs(request, setup === 'nocache' ? null : cache);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], digest };
  };

  const cold = await median(() => rmSync(cache, { recursive: true, force: true }));
  await buildInputs(request, cache); // fill the cache
  const warm = await median();
  const edited = join(context, 'd1', 'f1.txt');
  const oneEdit = await median((r) => {
    writeFileSync(edited, `edit ${r}`);
    utimesSync(edited, past, new Date(past.getTime() + r * 1000));
  });
  const files = warm.digest.entries.filter((e) => e.type === 'file').length;
  console.log(`context: ${FILES} files generated, ${files} sent after .dockerignore; ${RUNS} runs each, median`);
  console.log(`cold (no stat cache) ${cold.ms.toFixed(1)} ms`);
  console.log(`warm (stat cache)    ${warm.ms.toFixed(1)} ms   target < ${TARGET_MS} ms`);
  console.log(`warm, 1 file edited  ${oneEdit.ms.toFixed(1)} ms`);
  console.log(`cache pays: ${(cold.ms / warm.ms).toFixed(1)}x faster`);
  if (cold.digest.digest !== warm.digest.digest) throw new Error('the cached digest differs from the cold one');
  process.exitCode = warm.ms < TARGET_MS ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
