// Speed of `capstan logs --tail 5` on a container that printed 200 MB (issue 13 target: < 3 s),
// against the floor: the same `GET /containers/{id}/logs?tail=5` by a direct Engine API call,
// and `docker logs --tail 5` when the docker CLI is there. Runs are interleaved.
//
//   npm run build && node bench/logs-tail.mjs [runs=5] [megabytes=200]
//
// Prints medians (ms) and the peak RSS of the capstan runs (MB).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '../dist/index.js';

const runs = Number(process.argv[2] ?? 5);
const megabytes = Number(process.argv[3] ?? 200);
const engine = EngineClient.fromEnvironment();
const bin = new URL('../bin/capstan', import.meta.url).pathname;
const project = `capstan-bench-tail-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-'));
const rss = join(dir, 'rss.cjs');
writeFileSync(rss, "process.on('exit', () => require('fs').writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS)));\n");
const script = `yes "$(printf '%0999d' 0)" | head -c ${megabytes * 1_000_000}; for i in 1 2 3 4 5; do echo tail-$i; done`;
writeFileSync(join(dir, 'compose.yaml'), `services:\n  big:\n    image: busybox\n    network_mode: none\n    command: ["sh", "-c", ${JSON.stringify(script.replaceAll('$', () => '$$'))}]\n`);

const capstan = (...args) => spawnSync(bin, ['-p', project, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: `--require ${rss}`, RSS_FILE: join(dir, 'rss') } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const up = capstan('up', '-d');
  if (up.status !== 0) throw new Error(`up failed: ${up.stderr}`);
  const [c] = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  const t0 = performance.now();
  await engine.waitContainer(c.Id);
  console.log(`${megabytes} MB printed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const times = { capstan: [], floor: [], docker: [] };
  let peak = 0;
  const hasDocker = spawnSync('docker', ['version'], { encoding: 'utf8' }).status === 0;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = capstan('logs', '--tail', '5', '--no-log-prefix');
    times.capstan.push(performance.now() - t);
    if (r.stdout !== 'tail-1\ntail-2\ntail-3\ntail-4\ntail-5\n') throw new Error(`unexpected output: ${r.stdout.slice(0, 200)}`);
    peak = Math.max(peak, Number(readFileSync(join(dir, 'rss'), 'utf8')) / 1024);
    t = performance.now();
    let n = 0;
    for await (const chunk of engine.containerLogs(c.Id, { tail: 5, tty: false })) n += chunk.data.length;
    times.floor.push(performance.now() - t);
    if (hasDocker) {
      t = performance.now();
      spawnSync('docker', ['logs', '--tail', '5', c.Id]);
      times.docker.push(performance.now() - t);
    }
  }
  console.log(`logs --tail 5 of ${megabytes} MB, ${runs} runs (medians, ms)`);
  console.log(`floor (API call) ${median(times.floor).toFixed(0)}  capstan ${median(times.capstan).toFixed(0)}${hasDocker ? `  docker logs ${median(times.docker).toFixed(0)}` : ''}  capstan peak RSS ${peak.toFixed(0)} MB`);
} finally {
  capstan('down');
  engine.close();
  rmSync(dir, { recursive: true, force: true });
}
