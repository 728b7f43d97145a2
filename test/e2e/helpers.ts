import { createServer as createNetServer } from 'node:net';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { EngineClient } from '../../src/engine/client.js';

/** Repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'capstan');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (`bin/capstan`), as a user would. */
export function capstan(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCapstan(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Start the CLI as a user does (`bin/capstan`, its shell line included) and hand back the child process (for attached mode and signals). */
export function spawnCapstan(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawn(BIN, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', COMPOSE_PROGRESS: 'plain', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A busybox command (exec form, for `command:`) that idles and exits promptly on SIGTERM, after an optional prologue. */
export const idle = (prologue = 'true'): string =>
  `["sh", "-c", "trap 'exit 0' TERM; ${prologue}; while true; do sleep 0.2; done"]`;

/**
 * Clean-ups run after the importing test file's tests, failed ones included, in the order they
 * were registered (vitest loads this module once per test file; the hook joins that file's suite).
 */
const fileCleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of fileCleanups.splice(0)) await c();
});

/** Run `fn` after this test file's tests. */
export function afterFile(fn: () => unknown): void {
  fileCleanups.push(fn);
}

/** A unique project name and a directory holding `files`, both removed after this test file's tests. */
export function setup(prefix: string, files: Record<string, string>): { project: string; dir: string } {
  const project = uniqueProject(prefix);
  const dir = projectDir(files);
  afterFile(() => cleanup(project, [dir]));
  return { project, dir };
}

/** A project name no other test (or earlier run) uses. */
export function uniqueProject(prefix: string): string {
  return `capstan-e2e-${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A temporary directory holding the given files (path → content). */
export function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-e2e-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

export const engine = EngineClient.fromEnvironment();

/**
 * Remove everything carrying `com.docker.compose.project=<project>` (containers, networks,
 * volumes) and the images named `<project>-*`. Used in afterAll/afterEach so tests clean up even
 * when they fail. Never touches anything without the project label (the image names are unique).
 */
export async function cleanup(project: string, dirs: string[] = []): Promise<void> {
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const containers = await engine.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => engine.removeContainer(c.Id!, { force: true, volumes: true })));
  const networks = await engine.listNetworks(filters);
  await Promise.all(
    networks.map((n) =>
      engine.removeNetwork(n.Id!).catch((err: unknown) => {
        // dockerd 20.10's lost endpoint count (see load.test.ts): only an engine restart frees it
        if (!/has active endpoints/.test((err as Error).message)) throw err;
      }),
    ),
  );
  const volumes = await engine.listVolumes(filters);
  await Promise.all(volumes.map((v) => engine.removeVolume(v.Name, true)));
  for (const suffix of ['web', 'redis', 'app']) {
    await engine.removeImage?.(`${project}-${suffix}`, { force: true }).catch(() => undefined);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/** Count what still carries the project label. */
export async function leftovers(project: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const [c, n, v] = await Promise.all([
    engine.listContainers({ all: true, filters }),
    engine.listNetworks(filters),
    engine.listVolumes(filters),
  ]);
  return { containers: c.length, networks: n.length, volumes: v.length };
}

/** GET a URL with retries while the server comes up; resolves the body. */
export async function httpGet(url: string, tries = 20): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(url);
      return await res.text();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (host ports of tests that can run beside a demo). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
