import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { EngineClient } from '../../src/engine/client.js';
import { afterFile, capstan, engine as sharedEngine, projectDir, uniqueProject, type RunResult } from '../e2e/helpers.js';

/**
 * Fault-injection support (issue 13): a private dockerd that a test may kill and restart without
 * disturbing anyone else using the machine's engine, a seeded random source, and the checks that
 * a project converged with nothing left over.
 */

/**
 * A dockerd of its own: data root, exec root, pid file and API socket under one /tmp directory,
 * running in a network namespace of its own (`ip netns exec`), no iptables or masquerading, its
 * own address pool — so restarting it changes nothing for the shared engine. (In the host's
 * namespace a second dockerd deleted the shared engine's `docker0` now and then.) Started as `scripts/engine.sh` starts
 * dockerd (a background process, then `GET /_ping` until it answers). Needs root.
 */
export class PrivateEngine {
  readonly root = `/tmp/capstan-faults-${randomBytes(3).toString('hex')}`;
  readonly socket = `${this.root}/docker.sock`;
  readonly host = `unix://${this.socket}`;
  /** Its network namespace (created by {@link start}, deleted by {@link destroy}). */
  readonly netns = `capf-${this.root.slice(-6)}`;
  /** A client of this engine (tests' own checks). */
  readonly client = EngineClient.fromEnvironment({ DOCKER_HOST: this.host });
  private process: ChildProcess | undefined;

  /** The environment that points the CLI (and `docker`) at this engine. */
  get env(): Record<string, string> {
    return { DOCKER_HOST: this.host };
  }

  /** Start dockerd and wait for `/_ping` (at most 60 s). */
  async start(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
    if (!existsSync(`/run/netns/${this.netns}`)) {
      execFileSync('ip', ['netns', 'add', this.netns]);
      execFileSync('ip', ['netns', 'exec', this.netns, 'ip', 'link', 'set', 'lo', 'up']);
    }
    const args = [
      `--data-root=${this.root}/data`,
      `--exec-root=${this.root}/exec`,
      `--pidfile=${this.root}/docker.pid`,
      `-H`, this.host,
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--default-address-pool', 'base=10.213.0.0/16,size=24',
      '--shutdown-timeout=2',
    ];
    const log = `${this.root}/dockerd.log`;
    // `nsenter --net` (not `ip netns exec`, which remounts /sys without the cgroups) execs dockerd in place: the child's PID is dockerd's
    this.process = spawn('sh', ['-c', `exec nsenter --net=/run/netns/${this.netns} dockerd "$@" >>${log} 2>&1`, 'dockerd', ...args], { stdio: 'ignore', detached: true });
    const started = Date.now();
    while (!(await ping(this.socket))) {
      if (this.process.exitCode !== null || Date.now() - started > 60_000) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
        throw new Error(`private dockerd did not answer /_ping:\n${tail}`);
      }
      await sleep(200);
    }
  }

  /** Kill dockerd at once (SIGKILL: a crash), wait until it is gone. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  /**
   * Stop dockerd with `signal` and wait until it and its containerd are gone. A dockerd that is
   * still there after 30 s (a wedged one may never finish shutting down) is killed (SIGKILL).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
    child.kill(signal);
    if (!(await Promise.race([gone, sleep(30_000).then(() => false)])) && signal !== 'SIGKILL') {
      child.kill('SIGKILL');
      await Promise.race([gone, sleep(10_000)]);
    }
    await this.containerdGone();
  }

  /**
   * Its goroutine stacks, for telling why it hangs: on SIGUSR1 dockerd writes them to
   * `<exec-root>/goroutine-stacks-<time>.log` and logs "goroutine stacks written to <path>".
   * Returns the dump; '' when dockerd is not running or wrote none within 10 s.
   */
  async goroutineStacks(): Promise<string> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return '';
    const log = `${this.root}/dockerd.log`;
    const written = (): string[] => [...(existsSync(log) ? readFileSync(log, 'utf8') : '').matchAll(/goroutine stacks written to (\S+?)"/g)].map((m) => m[1]!);
    const before = written().length;
    child.kill('SIGUSR1');
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
      const paths = written();
      if (paths.length > before) return readFileSync(paths[paths.length - 1]!, 'utf8');
    }
    return '';
  }

  /**
   * Its containerd (a child dockerd started, killed with it) must be gone — reaped, not a zombie —
   * before the next dockerd starts: dockerd 20.10 takes a live pid in `containerd.pid` (a zombie
   * answers `kill(pid, 0)`) for a running containerd, waits for its socket and gives up with
   * "timeout waiting for containerd to start". The orphan's reaping is up to PID 1 and took over a
   * second here; after 10 s a containerd still running is killed, and the pid file of a dead one is
   * removed, so the next dockerd starts its own. (Its shims outlive it by design: not waited for.)
   */
  private async containerdGone(): Promise<void> {
    const pidFile = `${this.root}/exec/containerd/containerd.pid`;
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    if (!pid) return;
    const state = (): string | undefined => {
      try {
        // /proc/<pid>/stat: "pid (comm) S ..."; the state follows the last ')'
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        return undefined;
      }
    };
    const deadline = Date.now() + 10_000;
    while (state() !== undefined && Date.now() < deadline) await sleep(100);
    const left = state();
    if (left !== undefined && left !== 'Z') {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      const killDeadline = Date.now() + 5_000;
      while (![undefined, 'Z'].includes(state()) && Date.now() < killDeadline) await sleep(100);
    }
    if (state() === undefined || state() === 'Z') rmSync(pidFile, { force: true });
  }

  /** Restart: kill (SIGKILL), start again, wait for `/_ping`. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Copy an image from the machine's engine into this one (`docker save | docker load`). */
  loadImage(ref: string): void {
    const tar = execFileSync('docker', ['save', ref], { maxBuffer: 512 * 1024 * 1024 });
    execFileSync('docker', ['load', '-q'], { input: tar, env: { ...process.env, ...this.env } });
  }

  /** Remove its containers, networks and volumes through its API. */
  private async removeAll(): Promise<void> {
    const containers = await this.client.listContainers({ all: true });
    await Promise.all(containers.map((c) => this.client.removeContainer(c.Id!, { force: true, volumes: true }).catch(() => undefined)));
    const networks = await this.client.listNetworks();
    await Promise.all(networks.filter((n) => !['bridge', 'host', 'none'].includes(n.Name ?? '')).map((n) => this.client.removeNetwork(n.Id!).catch(() => undefined)));
    const volumes = await this.client.listVolumes();
    await Promise.all(volumes.map((v) => this.client.removeVolume(v.Name, true).catch(() => undefined)));
  }

  /**
   * Remove everything it holds (containers, networks, volumes, through its API; at most 30 s: a
   * wedged engine may never answer), stop it gracefully (so it unmounts its layers), kill what is
   * left of it and delete its directory.
   */
  async destroy(): Promise<void> {
    try {
      if (await ping(this.socket)) {
        const removal = this.removeAll();
        removal.catch(() => undefined); // a failure after the 30 s is no longer awaited: not an unhandled rejection
        await Promise.race([removal, sleep(30_000)]);
      }
    } finally {
      this.client.close();
      await this.stop('SIGTERM');
      for (const pid of containerdPids(this.root)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      // layers still mounted (a crash) would make rm fail: unmount what lies under the root
      try {
        const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(this.root));
        for (const m of mounts.sort().reverse()) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        // nothing mounted
      }
      rmSync(this.root, { recursive: true, force: true });
      try {
        execFileSync('ip', ['netns', 'del', this.netns], { stdio: 'ignore' });
      } catch {
        // never created, or gone
      }
    }
  }
}

/** PIDs of the containerd (and shims) started for the private engine rooted at `root`. */
function containerdPids(root: string): number[] {
  try {
    const out = execFileSync('pgrep', ['-f', `${root}/exec/containerd`], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `GET /_ping` on a unix socket: true when it answers OK. */
export function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A seeded random source (mulberry32): the same seed gives the same delays. Values in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed: `CAPSTAN_FAULT_SEED` to replay a run, else a new one (printed by the test). */
export function faultSeed(): number {
  const given = Number(process.env.CAPSTAN_FAULT_SEED);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}

/** A busybox service that idles and exits promptly on SIGTERM (compose YAML, two-space indented). */
export function idleService(name: string, extra = ''): string {
  return `  ${name}:\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n${extra}`;
}

/** What the engine has for a project: its containers (names, states), networks and volumes. */
/**
 * A project of `services` idle services (`s1` … and `store`, which keeps a named volume `data` at
 * /data), each carrying `GENERATION` in its environment: changing the generation recreates them all.
 */
export function generationCompose(services: number, generation: string | number): string {
  return [
    'services:',
    ...Array.from({ length: services - 1 }, (_, i) => idleService(`s${i + 1}`, `    environment: { GENERATION: "${generation}" }\n`)),
    idleService('store', `    environment: { GENERATION: "${generation}" }\n    volumes: [data:/data]\n`),
    'volumes:',
    '  data: {}',
    '',
  ].join('\n');
}

export async function snapshot(client: EngineClient, project: string): Promise<{ names: string[]; states: string[]; networks: string[]; volumes: string[] }> {
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const [containers, networks, volumes] = await Promise.all([
    client.listContainers({ all: true, filters }),
    client.listNetworks(filters),
    client.listVolumes(filters),
  ]);
  const sorted = containers
    .map((c) => ({ name: (c.Names?.[0] ?? '').replace(/^\//, ''), state: c.State ?? '' }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    names: sorted.map((c) => c.name),
    states: sorted.map((c) => c.state),
    networks: networks.map((n) => n.Name ?? '').sort(),
    volumes: volumes.map((v) => v.Name).sort(),
  };
}

/** Run the CLI in `dir` against `env` (and fail the test's expectation with its stderr shown). */
export function run(args: string[], dir: string, env: Record<string, string> = {}, timeoutMs = 180_000): Promise<RunResult> {
  return capstan(args, { cwd: dir, env, timeoutMs });
}

/** Lines of stderr that are errors (`error: …`). */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^error:/.test(l));
}

/**
 * A unique project and a directory holding `files`, both removed after the test file (even when
 * it fails). The removal is retried: right after its containers go, dockerd may still count a
 * network's endpoints for a moment ("has active endpoints").
 */
export function faultProject(prefix: string, files: Record<string, string>, client?: EngineClient): { project: string; dir: string } {
  const project = uniqueProject(prefix);
  const dir = projectDir(files);
  afterFile(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await cleanupOn(client ?? sharedEngine, project);
        break;
      } catch (err) {
        // a private engine already destroyed took the project with it
        if ((err as { code?: string }).code === 'ENGINE_UNREACHABLE') break;
        if (attempt >= 5) throw err;
        await sleep(1000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { project, dir };
}

/** Remove what carries the project label on `client`'s engine (containers, networks, volumes). */
async function cleanupOn(client: EngineClient, project: string): Promise<void> {
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const containers = await client.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => client.removeContainer(c.Id!, { force: true, volumes: true })));
  for (const n of await client.listNetworks(filters)) await client.removeNetwork(n.Id!);
  for (const v of await client.listVolumes(filters)) await client.removeVolume(v.Name, true);
}
