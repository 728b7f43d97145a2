// Speed of `capstan up -d` and `capstan down` on 20 busybox services, against the floor: the same
// containers created, started, stopped and removed by direct Engine API calls in full parallel.
// Rounds are interleaved (floor, capstan, capstan, floor, …) so both see the same machine load.
//
//   npm run build && node bench/up-down.mjs [rounds=5] [services=20]
//
// Prints medians and the ratios capstan/floor (issue 4 target: at most 1.10 for both).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 5);
const count = Number(process.argv[3] ?? 20);
const engine = EngineClient.fromEnvironment();
const cmd = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done"];
const bin = new URL('../bin/capstan', import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-'));
const services = Array.from({ length: count }, (_, i) => `  s${i}:\n    image: busybox\n    command: ${JSON.stringify(cmd)}\n`).join('');
writeFileSync(join(dir, 'compose.yaml'), `services:\n${services}`);

async function floorUp(project) {
  const net = `${project}_default`;
  await engine.createNetwork({ Name: net, Labels: { 'com.docker.compose.project': project } });
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `${project}-s${i}-1`;
      await engine.createContainer(name, {
        Image: 'busybox',
        Cmd: cmd,
        Labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': `s${i}` },
        HostConfig: { NetworkMode: net },
        NetworkingConfig: { EndpointsConfig: { [net]: { Aliases: [`s${i}`] } } },
      });
      await engine.startContainer(name);
    }),
  );
}

async function floorDown(project) {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `${project}-s${i}-1`;
      await engine.stopContainer(name);
      await engine.removeContainer(name, { force: true });
    }),
  );
  await engine.removeNetwork(`${project}_default`);
}

function capstan(project, ...args) {
  const r = spawnSync(bin, ['-p', project, '--progress', 'quiet', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`capstan ${args.join(' ')} failed: ${r.stderr}`);
}

async function time(fn) {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const results = { floorUp: [], floorDown: [], capstanUp: [], capstanDown: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['floor', 'capstan'] : ['capstan', 'floor'];
  for (const who of order) {
    // unique per run: another run's leftovers (a network of the same name makes it ambiguous) cannot collide
    const project = `capstan-bench-${who}-${process.pid}-${round}`;
    if (who === 'floor') {
      results.floorUp.push(await time(() => floorUp(project)));
      results.floorDown.push(await time(() => floorDown(project)));
    } else {
      results.capstanUp.push(await time(() => capstan(project, 'up', '-d')));
      results.capstanDown.push(await time(() => capstan(project, 'down')));
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const fmt = (x) => x.toFixed(2);
console.log(`${count} busybox services, ${rounds} interleaved rounds (medians, seconds)`);
console.log(`up:   floor ${fmt(m.floorUp)}  capstan ${fmt(m.capstanUp)}  ratio ${fmt(m.capstanUp / m.floorUp)}`);
console.log(`down: floor ${fmt(m.floorDown)}  capstan ${fmt(m.capstanDown)}  ratio ${fmt(m.capstanDown / m.floorDown)}`);
console.log(JSON.stringify({ raw: results }));
