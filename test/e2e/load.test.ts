/**
 * Load (issue 13): Capstan keeps every log line whole and its memory flat under many streams and
 * huge logs, and `up`/`down` of a 200-service project leaves nothing behind.
 *
 * Memory is the peak resident set of the Capstan process itself, as Node reports it at exit
 * (`process.resourceUsage().maxRSS`, through a `--require` preload).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, leftovers, projectDir, setup, spawnCapstan } from './helpers.js';

/**
 * A preload (`NODE_OPTIONS=--require`) that writes the process's peak resident set
 * (`process.resourceUsage().maxRSS`, in KiB) to `$CAPSTAN_TEST_RSS_FILE` when it exits: bin/capstan
 * execs node, so this is Capstan's own peak, however short-lived the process.
 */
const rssDir = projectDir({ 'rss.cjs': "process.on('exit', () => require('fs').writeFileSync(process.env.CAPSTAN_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));\n" });
afterFile(() => rmSync(rssDir, { recursive: true, force: true }));

/** Run the CLI and report its peak RSS (MB); with `until`, run `then` once it settles (the CLI keeps running meanwhile). */
async function runMeasured(args: string[], cwd: string, until?: Promise<unknown>, then?: () => Promise<unknown>): Promise<{ code: number | null; stdout: string; stderr: string; peakMb: number }> {
  const rssFile = join(rssDir, `rss-${Date.now()}-${Math.random()}`);
  const child = spawnCapstan(args, { cwd, env: { NODE_OPTIONS: `--require ${join(rssDir, 'rss.cjs')}`, CAPSTAN_TEST_RSS_FILE: rssFile } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  if (until) {
    await until;
    await then?.();
  }
  const code = await closed;
  const peakMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : 0;
  return { code, stdout, stderr, peakMb };
}

const LINES = 1800; // one every ~10 ms: ~20 s

describe('load', () => {
  it(`logs -f of 30 containers printing a numbered line every 10 ms: every line whole, in order, RSS < 300 MB`, async () => {
    // the loop sleeps with the shell's own `read -t` on a FIFO nobody writes: no process per line
    const printer = `mkfifo /tmp/f; exec 3<>/tmp/f; i=0; while [ $$i -lt ${LINES} ]; do echo "n=$$i end"; i=$$((i+1)); read -t 0.01 -u 3 x; done; exit 0`;
    const { project, dir } = setup('load-logs', {
      'compose.yaml': `services:\n  p:\n    image: busybox\n    network_mode: none\n    scale: 30\n    command: ["sh", "-c", ${JSON.stringify(printer)}]\n`,
    });
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const ids = (await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } })).map((c) => c.Id!);
    expect(ids).toHaveLength(30);

    // follow until the containers are done, then `down`: logs -f ends on its own when they are removed
    const done = Promise.all(ids.map((id) => engine.waitContainer(id)));
    const logs = await runMeasured(['-p', project, 'logs', '-f', '--no-color'], dir, done, () => capstan(['-p', project, 'down', '-t', '0'], { cwd: dir }));
    expect(logs.code, logs.stderr).toBe(0);

    const byContainer = new Map<string, number[]>();
    const malformed: string[] = [];
    for (const line of logs.stdout.split('\n')) {
      if (line === '') continue;
      const m = /^(p-\d+)\s+\| n=(\d+) end$/.exec(line);
      if (!m) {
        if (!/^p-\d+ exited with code 0$/.test(line)) malformed.push(line);
        continue;
      }
      const list = byContainer.get(m[1]!) ?? [];
      list.push(Number(m[2]));
      byContainer.set(m[1]!, list);
    }
    expect(malformed.slice(0, 5), 'split or interleaved lines').toEqual([]);
    expect(byContainer.size).toBe(30);
    for (const [name, numbers] of byContainer) {
      expect(numbers.length, `${name}: lines`).toBe(LINES);
      expect(numbers.every((n, i) => n === i), `${name}: numbers consecutive`).toBe(true);
    }
    expect(logs.peakMb).toBeGreaterThan(0);
    expect(logs.peakMb).toBeLessThan(300);
    console.log(`logs -f: ${30 * LINES} lines from 30 containers, peak RSS ${logs.peakMb.toFixed(0)} MB`);
  });

  it('logs --tail 5 of a container that printed 200 MB: exactly its last 5 lines, RSS < 200 MB', async () => {
    const { project, dir } = setup('load-tail', {
      'compose.yaml': `services:\n  big:\n    image: busybox\n    network_mode: none\n    command: ["sh", "-c", "yes \\"$$(printf '%0999d' 0)\\" | head -c 200000000; for i in 1 2 3 4 5; do echo tail-$$i; done"]\n`,
    });
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const [c] = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(await engine.waitContainer(c!.Id!)).toBe(0);

    const started = Date.now();
    const tail = await runMeasured(['-p', project, 'logs', '--tail', '5', '--no-color', '--no-log-prefix'], dir);
    const ms = Date.now() - started;
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).toBe('tail-1\ntail-2\ntail-3\ntail-4\ntail-5\n');
    expect(tail.peakMb).toBeGreaterThan(0);
    expect(tail.peakMb).toBeLessThan(200);
    console.log(`logs --tail 5 of 200 MB: ${ms} ms, peak RSS ${tail.peakMb.toFixed(0)} MB`);
  });

  // network_mode: none — 200 containers joining and leaving one bridge network at once trip
  // dockerd 20.10.24's libnetwork lock-order deadlock (moby/moby#46661: getSvcRecords against
  // processEndpointDelete, fixed in 20.10.27, not in Debian's package). In CI stop 21 it froze the
  // shared engine for every later test file; seen again here with plain `docker rm -f` of 40
  // containers on one network. The test's own limit covers both CLI runs' limits, so a slow
  // machine fails this test alone instead of leaving its `up` running under the next files.
  const cliLimitMs = 600_000;
  it('up -d then down of 200 services leaves nothing', { timeout: 2 * cliLimitMs + 60_000 }, async () => {
    const services = Array.from({ length: 200 }, (_, i) => `  s${i}:\n    <<: *svc\n`).join('');
    const { project, dir } = setup('load-200', {
      'compose.yaml': `x-svc: &svc\n  image: busybox\n  network_mode: none\n  command: ["sleep", "3600"]\n  stop_signal: SIGKILL\nservices:\n${services}`,
    });
    const t0 = Date.now();
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir, timeoutMs: cliLimitMs });
    const upMs = Date.now() - t0;
    expect(up.code, up.stderr.slice(-2000)).toBe(0);
    const running = await engine.listContainers({ all: false, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(running).toHaveLength(200);

    const t1 = Date.now();
    const down = await capstan(['-p', project, 'down'], { cwd: dir, timeoutMs: cliLimitMs });
    const downMs = Date.now() - t1;
    expect(down.code, down.stderr.slice(-2000)).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    console.log(`200 services: up -d ${upMs} ms, down ${downMs} ms`);
  });
});
