import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT, capstan } from '../e2e/helpers.js';
import { ensureCluster, MANAGER, wanted } from './cluster.js';

/**
 * Issue 15 acceptance on the 3-node cluster of scripts/swarm-cluster.sh (manager capswarm1, workers
 * capswarm2/3; this kernel has no IPVS, so dnsrr endpoints and host-mode ports):
 * examples/getting-started deployed as a stack (web ×3 spread one per node, redis pinned to the
 * manager) counts 1, 2, 3 across the replicas' host ports; an environment change rolls web one
 * task at a time, never fewer than 2 running; draining a worker moves a task; a file secret is
 * readable and a changed file rolls the service; a redeploy with no change plans nothing; `stack
 * rm` leaves nothing with the stack label.
 */
const STACK = `capsw${randomBytes(3).toString('hex')}`;
const PORT = 18090;
const env = { DOCKER_HOST: `unix://${MANAGER}`, REGISTRY: '10.231.0.1:5000', ROUND: '1' };
const cwd = join(ROOT, 'examples', 'getting-started');
let dir = '';

/** `GET` on the manager's Engine API (v1.41). */
function api<T>(path: string, socket = MANAGER): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path: `/v1.41${path}` }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Task {
  ID: string;
  NodeID: string;
  ServiceID: string;
  DesiredState: string;
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
}
const q = (filters: Record<string, string[]>): string => `?filters=${encodeURIComponent(JSON.stringify(filters))}`;
const tasksOf = (service: string): Promise<Task[]> => api<Task[]>(`/tasks${q({ service: [`${STACK}_${service}`] })}`);
const running = async (service: string): Promise<Task[]> => (await tasksOf(service)).filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
const nodes = async (): Promise<Map<string, string>> => new Map((await api<Array<{ ID: string; Description: { Hostname: string } }>>('/nodes')).map((n) => [n.ID, n.Description.Hostname]));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** GET http://host:port/ with retries (a task's port opens a moment after it runs). */
function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
async function page(ip: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await httpGet(`http://${ip}:${PORT}/`);
    } catch (err) {
      if (i > 40) throw err;
      await sleep(500);
    }
  }
}

/** `cat /run/secrets/x` in the running ticker task, through the engine of the node it runs on. */
async function secretInTicker(): Promise<string> {
  let [t] = await running('ticker');
  for (let i = 0; i < 60 && !t?.Status.ContainerStatus?.ContainerID; i++) {
    await sleep(500);
    [t] = await running('ticker');
  }
  const host = (await nodes()).get(t!.NodeID)!; // capswarmN
  const sock = `/run/capstan-swarm/node${host.slice(-1)}.sock`;
  return execFileSync('docker', ['exec', t!.Status.ContainerStatus!.ContainerID!, 'cat', '/run/secrets/x'], { env: { ...process.env, DOCKER_HOST: `unix://${sock}` } }).toString();
}

const deploy = (...extra: string[]) => capstan(['-f', 'compose.yaml', '-f', join(dir, 'stack.yaml'), 'stack', 'deploy', ...extra, STACK], { cwd, env });

describe.skipIf(!wanted)('capstan stack on a 3-node swarm (scripts/swarm-cluster.sh)', () => {
  beforeAll(async () => {
    ensureCluster();
    dir = mkdtempSync(join(tmpdir(), 'capstan-swarm-'));
    writeFileSync(join(dir, 'x.txt'), 'first secret\n');
    writeFileSync(
      join(dir, 'stack.yaml'),
      `services:
  web:
    image: \${REGISTRY}/capstan-swarm/gs-web:1
    environment:
      ROUND: "\${ROUND}"
    ports: !override
      - { target: 5000, published: "${PORT}", mode: host }
    stop_grace_period: 2s
    deploy:
      replicas: 3
      endpoint_mode: dnsrr
      placement: { max_replicas_per_node: 1 }
      update_config: { parallelism: 1, delay: 1s, order: stop-first, monitor: 2s }
  redis:
    image: \${REGISTRY}/capstan-swarm/gs-redis:1
    deploy:
      endpoint_mode: dnsrr
      placement: { constraints: [node.role == manager] }
  ticker:
    image: \${REGISTRY}/capswarm/bb:1
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    secrets: [x]
    stop_grace_period: 1s
    deploy:
      endpoint_mode: dnsrr
      placement: { constraints: [node.role == worker] }
secrets:
  x:
    file: ${join(dir, 'x.txt')}
`,
    );
    // the images, pushed to the local registry the nodes reach (built once; the layer cache keeps them)
    for (const [name, ctx] of [['gs-web', 'web'], ['gs-redis', 'redis']] as const) {
      const ref = `127.0.0.1:5000/capstan-swarm/${name}:1`;
      try {
        execFileSync('curl', ['-sf', '-o', '/dev/null', `http://127.0.0.1:5000/v2/capstan-swarm/${name}/manifests/1`]);
      } catch {
        execFileSync('docker', ['build', '-q', '-t', ref, join(cwd, ctx)], { env: { ...process.env, DOCKER_HOST: '' } });
        execFileSync('docker', ['push', '-q', ref], { env: { ...process.env, DOCKER_HOST: '' } });
      }
    }
    execFileSync('docker', ['tag', 'busybox:latest', '127.0.0.1:5000/capswarm/bb:1'], { env: { ...process.env, DOCKER_HOST: '' } });
    execFileSync('docker', ['push', '-q', '127.0.0.1:5000/capswarm/bb:1'], { env: { ...process.env, DOCKER_HOST: '' } });
  });

  afterAll(async () => {
    await capstan(['stack', 'rm', '--detach=false', STACK], { env });
    for (const n of ['capswarm2', 'capswarm3']) execFileSync('docker', ['node', 'update', '--availability', 'active', n], { env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST } });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('deploys getting-started: web ×3 one per node, redis on the manager, counting across replicas', async () => {
    const dry = await deploy('--dry-run');
    expect(dry.stderr).toContain('Ignoring unsupported options: build, depends_on');
    expect(dry.stdout).toContain(`service ${STACK}_web: create (missing)`);
    expect(dry.stdout).toMatch(new RegExp(`secret ${STACK}_x-[0-9a-f]{10}: create`));

    const r = await deploy('--detach=false');
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const names = await nodes();
    const web = await running('web');
    expect(web.map((t) => names.get(t.NodeID)).sort()).toEqual(['capswarm1', 'capswarm2', 'capswarm3']);
    expect((await running('redis')).map((t) => names.get(t.NodeID))).toEqual(['capswarm1']);

    const pages = [await page('10.231.0.12'), await page('10.231.0.13'), await page('10.231.0.11')];
    expect(pages).toEqual([1, 2, 3].map((n) => `Hello World! I have been seen ${n} times.\n`));

    const ls = await capstan(['stack', 'ls'], { env });
    expect(ls.stdout).toMatch(new RegExp(`^${STACK} +3$`, 'm'));
    const services = await capstan(['stack', 'services', STACK], { env });
    expect(services.stdout).toMatch(new RegExp(`${STACK}_web +replicated +3/3 \\(max 1 per node\\)`));
  });

  it('warns when a stack relies on VIPs this kernel cannot give (no IPVS); refuses a built image not pushed', async () => {
    const vip = join(dir, 'vip.yaml');
    writeFileSync(vip, 'services:\n  a:\n    image: ${REGISTRY}/capswarm/bb:1\n    ports: ["8080:80"]\n  b:\n    image: ${REGISTRY}/capswarm/bb:1\n');
    const r = await capstan(['stack', 'deploy', '--dry-run', '-c', vip, `${STACK}v`], { cwd: dir, env });
    expect(r.code).toBe(0);
    const ipvs = existsSync('/proc/net/ip_vs');
    if (!ipvs) {
      expect(r.stderr).toContain('this swarm cannot provide service VIPs or the ingress routing mesh (the kernel has no IPVS');
      expect(r.stderr).toContain('a: ports 8080:80 published in ingress mode (routing mesh); b: endpoint_mode vip (a virtual IP)');
    }
    const built = join(dir, 'built.yaml');
    writeFileSync(built, `services:\n  w:\n    build: ${join(cwd, 'web')}\n    image: \${REGISTRY}/capstan-swarm/never-pushed:1\n`);
    const b = await capstan(['stack', 'deploy', '--dry-run', '-c', built, `${STACK}b`], { cwd: dir, env });
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('service w: image 10.231.0.1:5000/capstan-swarm/never-pushed:1 is built by compose and not in a registry the nodes can pull from');
    expect(b.stderr).toMatch(/push it first/);
  });

  it('a redeploy with no change plans nothing', async () => {
    const dry = await deploy('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('');
  });

  it('an environment change rolls web one task at a time, never fewer than 2 running', async () => {
    const before = new Set((await running('web')).map((t) => t.ID));
    const dry = await capstan(['-f', 'compose.yaml', '-f', join(dir, 'stack.yaml'), 'stack', 'deploy', '--dry-run', STACK], { cwd, env: { ...env, ROUND: '2' } });
    expect(dry.stdout).toBe(`service ${STACK}_web: update (environment changed)\n`);
    const deploying = capstan(['-f', 'compose.yaml', '-f', join(dir, 'stack.yaml'), 'stack', 'deploy', STACK], { cwd, env: { ...env, ROUND: '2' } });
    let min = 3;
    let replaced = 0;
    const deadline = Date.now() + 120_000;
    await deploying;
    while (Date.now() < deadline) {
      const now = await running('web');
      min = Math.min(min, now.length);
      replaced = now.filter((t) => !before.has(t.ID)).length;
      const [svc] = await api<Array<{ UpdateStatus?: { State?: string } }>>(`/services${q({ name: [`${STACK}_web`] })}`);
      if (replaced === 3 && svc!.UpdateStatus?.State === 'completed') break;
      await sleep(200);
    }
    expect(replaced).toBe(3);
    expect(min).toBeGreaterThanOrEqual(2);
    env.ROUND = '2';
  });

  it('draining a worker moves its task; stack ps shows it rescheduled', async () => {
    const names = await nodes();
    const [t] = await running('ticker');
    const from = names.get(t!.NodeID)!;
    const to = from === 'capswarm2' ? 'capswarm3' : 'capswarm2';
    execFileSync('docker', ['node', 'update', '--availability', 'drain', from], { env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST } });
    let moved: Task | undefined;
    for (let i = 0; i < 60 && !moved; i++) {
      moved = (await running('ticker')).find((x) => names.get(x.NodeID) === to);
      if (!moved) await sleep(500);
    }
    expect(moved).toBeDefined();
    const ps = await capstan(['stack', 'ps', '--filter', `service=${STACK}_ticker`, '--format', '{{.Name}} {{.Node}} {{.DesiredState}}', STACK], { env });
    expect(ps.stdout).toContain(`${STACK}_ticker.1 ${to} Running`);
    expect(ps.stdout).toContain(` \\_ ${STACK}_ticker.1 ${from} Shutdown`);
    execFileSync('docker', ['node', 'update', '--availability', 'active', from], { env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST } });
  });

  it('a file secret is readable at /run/secrets/x; a changed file rolls the service', async () => {
    expect(await secretInTicker()).toBe('first secret\n');
    writeFileSync(join(dir, 'x.txt'), 'second secret\n');
    const dry = await deploy('--dry-run');
    expect(dry.stdout).toContain(`service ${STACK}_ticker: update (secrets changed)`);
    const r = await deploy('--detach=false');
    expect(r.code).toBe(0);
    expect(await secretInTicker()).toBe('second secret\n');
    const secrets = await api<Array<{ Spec: { Name: string } }>>(`/secrets${q({ label: [`com.docker.stack.namespace=${STACK}`] })}`);
    expect(secrets.length).toBe(1); // the old version went once no task used it
  });

  it('stack rm leaves no service, network, secret or config with the stack label', async () => {
    const r = await capstan(['stack', 'rm', '--detach=false', STACK], { env });
    expect(r.code).toBe(0);
    const label = q({ label: [`com.docker.stack.namespace=${STACK}`] });
    for (const kind of ['services', 'networks', 'secrets', 'configs']) expect(await api<unknown[]>(`/${kind}${label}`), kind).toEqual([]);
  });
});
