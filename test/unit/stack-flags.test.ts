/**
 * `capstan stack` flags (issue 15) with no daemon: the CLI runs through `main` with the engine
 * client swapped for a FakeSwarm; `--with-registry-auth`'s header is checked on EngineClient
 * against an HTTP server on a unix socket.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { convertStack } from '../../src/compose/stack/convert.js';
import { Stack, type StackDeployOptions } from '../../src/compose/stack/stack.js';
import { CapstanError } from '../../src/errors.js';
import { EngineClient } from '../../src/engine/client.js';
import type { RegistryAuth } from '../../src/engine/registry-auth.js';
import type { SwarmServiceSpec } from '../../src/engine/types.js';
import { FakeSwarm } from '../support/fake-swarm.js';
import { project } from '../support/fixtures.js';

/** A FakeSwarm that also keeps the credentials given to create/update and every digest lookup. */
class RecordingSwarm extends FakeSwarm {
  auths: { call: string; auth: RegistryAuth | undefined }[] = [];
  lookups: string[] = [];
  override async createService(spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<string> {
    this.auths.push({ call: `create ${spec.Name}`, auth });
    return super.createService(spec);
  }
  override async updateService(id: string, version: number, spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<string[]> {
    this.auths.push({ call: `update ${spec.Name}`, auth });
    return super.updateService(id, version, spec);
  }
  override async distributionDigest(ref: string): Promise<string | undefined> {
    this.lookups.push(ref);
    return super.distributionDigest(ref);
  }
}

const REG = 'reg.example:5000';
const WEB = `${REG}/web:1`;
const DIGEST = `sha256:${'a'.repeat(64)}`;
const CREDS: RegistryAuth = { username: 'alice', password: 's3cret', serveraddress: REG };

let dir: string;

// the first command line imports the CLI and the loader: not the test's time
beforeAll(async () => {
  await import('../../src/cli/commands/stack.js');
  await import('../../src/cli/globals.js');
}, 60_000);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-stack-flags-'));
  // a client config with credentials for REG only (no credsStore: no helper is run)
  mkdirSync(join(dir, 'docker'));
  writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [REG]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
  vi.stubEnv('DOCKER_CONFIG', join(dir, 'docker'));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a compose file in the temp folder and returns its path. */
function composeFile(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** web (from REG) and redis (Docker Hub); `extra` appends services. */
function webAndRedis(env = '1', extra = ''): string {
  return `services:
  web:
    image: ${WEB}
    environment: { A: "${env}" }
    deploy: { endpoint_mode: dnsrr }
  redis:
    image: redis:7
    deploy: { endpoint_mode: dnsrr }
${extra}`;
}

/**
 * One command line through `main`, with `fake` as the engine; stdout and stderr captured, the
 * exit status put back afterwards. `process.exit` (a commander usage error) becomes `exited`.
 */
async function capstan(fake: FakeSwarm, ...args: string[]): Promise<{ failed: boolean; code: number | undefined; exited?: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let exited: number | undefined;
  const factory = vi.spyOn(EngineClient, 'fromEnvironment').mockReturnValue(fake as unknown as EngineClient);
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
    exited = Number(code ?? 0);
    throw new CapstanError('CANCELLED', 'exit', { exitCode: exited });
  });
  const saved = process.exitCode;
  try {
    const failed = await main(['node', 'capstan', ...args]);
    return { failed, code: process.exitCode === undefined ? undefined : Number(process.exitCode), exited, stdout, stderr };
  } finally {
    for (const spy of [factory, out, err, exit]) spy.mockRestore();
    process.exitCode = saved;
  }
}

const imageOf = (fake: FakeSwarm, name: string): string | undefined => [...fake.services.values()].find((s) => s.Spec.Name === name)?.Spec.TaskTemplate.ContainerSpec.Image;

describe('stack deploy: flags become Stack options', () => {
  it('--prune, --resolve-image, --with-registry-auth, --detach=false, --dry-run; defaults otherwise', async () => {
    const file = composeFile('compose.yaml', webAndRedis());
    const deploy = vi.spyOn(Stack.prototype, 'deploy').mockResolvedValue([]);
    expect((await capstan(new FakeSwarm(), 'stack', 'deploy', '-c', file, '--prune', '--resolve-image', 'never', '--with-registry-auth', '--detach=false', '--dry-run', 'st')).failed).toBe(false);
    expect(deploy.mock.calls[0]![1]).toBe('st');
    expect(deploy.mock.calls[0]![2]).toMatchObject({ prune: true, resolveImage: 'never', withRegistryAuth: true, wait: true, dryRun: true });
    expect((await capstan(new FakeSwarm(), 'stack', 'deploy', '-c', file, 'st')).failed).toBe(false);
    const defaults = deploy.mock.calls[1]![2] as StackDeployOptions;
    expect(defaults).toMatchObject({ resolveImage: 'always', wait: false, dryRun: false });
    expect(defaults.prune).toBeFalsy();
    expect(defaults.withRegistryAuth).toBeFalsy();
  });

  it('--resolve-image refuses a value other than always|changed|never', async () => {
    const file = composeFile('compose.yaml', webAndRedis());
    const fake = new FakeSwarm();
    const r = await capstan(fake, 'stack', 'deploy', '-c', file, '--resolve-image', 'sometimes', 'st');
    expect(r.exited).toBe(1);
    expect(r.stderr).toMatch(/sometimes.*always, changed, never/s);
    expect(fake.calls).toEqual([]);
  });
});

describe('stack deploy --with-registry-auth', () => {
  it('create and update carry the credentials of the image\'s registry; none without the flag', async () => {
    const fake = new RecordingSwarm();
    const file = composeFile('compose.yaml', webAndRedis());
    expect((await capstan(fake, 'stack', 'deploy', '-c', file, '--resolve-image', 'never', '--with-registry-auth', 'st')).failed).toBe(false);
    // redis is on Docker Hub, for which the config has nothing
    expect(fake.auths).toEqual([
      { call: 'create st_redis', auth: undefined },
      { call: 'create st_web', auth: CREDS },
    ]);
    fake.auths = [];
    composeFile('compose.yaml', webAndRedis('2'));
    expect((await capstan(fake, 'stack', 'deploy', '-c', file, '--resolve-image', 'never', '--with-registry-auth', 'st')).failed).toBe(false);
    expect(fake.auths).toEqual([{ call: 'update st_web', auth: CREDS }]);

    // the same two steps without the flag: no credentials at all
    const plain = new RecordingSwarm();
    await capstan(plain, 'stack', 'deploy', '-c', composeFile('compose.yaml', webAndRedis()), '--resolve-image', 'never', 'st');
    composeFile('compose.yaml', webAndRedis('3'));
    await capstan(plain, 'stack', 'deploy', '-c', file, '--resolve-image', 'never', 'st');
    expect(plain.auths).toEqual([
      { call: 'create st_redis', auth: undefined },
      { call: 'create st_web', auth: undefined },
      { call: 'update st_web', auth: undefined },
    ]);
  });

  it('a digest-pinned image still gets its registry\'s credentials', async () => {
    const fake = new RecordingSwarm();
    fake.digests[WEB] = DIGEST;
    await new Stack(fake).deploy(project('st', { web: { image: WEB, deploy: { endpoint_mode: 'dnsrr' } } }), 'st', { withRegistryAuth: true });
    expect(imageOf(fake, 'st_web')).toBe(`${WEB}@${DIGEST}`);
    expect(fake.auths).toEqual([{ call: 'create st_web', auth: CREDS }]);
  });
});

describe('EngineClient: X-Registry-Auth on service create and update', () => {
  let server: http.Server;
  let socketPath: string;
  let sockDir: string;
  const seen: { method: string; url: string; auth: string | undefined }[] = [];

  beforeAll(async () => {
    sockDir = mkdtempSync(join(tmpdir(), 'capstan-stack-auth-'));
    socketPath = join(sockDir, 'docker.sock');
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/_ping') {
          res.writeHead(200, { 'Api-Version': '1.41', 'Content-Type': 'text/plain' });
          return void res.end('OK');
        }
        seen.push({ method: req.method!, url: req.url!, auth: req.headers['x-registry-auth'] as string | undefined });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(req.url!.includes('/create') ? '{"ID":"svc1"}' : '{"Warnings":null}');
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(sockDir, { recursive: true, force: true });
  });

  it('base64url JSON of the credentials when given; no header without', async () => {
    seen.length = 0;
    const client = new EngineClient({ endpoint: { kind: 'unix', socketPath } });
    const spec = convertStack(project('st', { web: { image: WEB } }), 'st', { read: () => Buffer.alloc(0) }).services.web!;
    expect(await client.createService(spec, CREDS)).toBe('svc1');
    await client.updateService('svc1', 3, spec, CREDS);
    await client.createService(spec);
    await client.updateService('svc1', 4, spec);
    client.close();
    const decode = (h: string | undefined): unknown => (h === undefined ? undefined : JSON.parse(Buffer.from(h, 'base64url').toString('utf8')));
    expect(seen.map((s) => [s.method, s.url.replace(/^\/v[\d.]+/, ''), decode(s.auth)])).toEqual([
      ['POST', '/services/create', CREDS],
      ['POST', '/services/svc1/update?version=3', CREDS],
      ['POST', '/services/create', undefined],
      ['POST', '/services/svc1/update?version=4', undefined],
    ]);
  });
});

describe('stack deploy --resolve-image', () => {
  it('never: the image is deployed as written and the registry is not asked; always pins the digest', async () => {
    const file = composeFile('compose.yaml', webAndRedis());
    const never = new RecordingSwarm();
    never.digests[WEB] = DIGEST;
    const r = await capstan(never, 'stack', 'deploy', '-c', file, '--resolve-image', 'never', 'st');
    expect(r.failed).toBe(false);
    expect(imageOf(never, 'st_web')).toBe(WEB);
    expect(imageOf(never, 'st_redis')).toBe('redis:7');
    expect(never.lookups).toEqual([]);
    expect(r.stderr).not.toMatch(/could not be accessed on a registry/);

    const always = new RecordingSwarm();
    always.digests[WEB] = DIGEST;
    const a = await capstan(always, 'stack', 'deploy', '-c', file, '--resolve-image', 'always', 'st');
    expect(imageOf(always, 'st_web')).toBe(`${WEB}@${DIGEST}`);
    // redis has no digest in the fake: deployed unresolved, with docker's warning
    expect(imageOf(always, 'st_redis')).toBe('redis:7');
    expect(always.lookups.sort()).toEqual(['redis:7', WEB]);
    expect(a.stderr).toContain('image redis:7 could not be accessed on a registry to record its digest');
  });

  it('never on a redeploy keeps the tag even when the registry has a new digest', async () => {
    const fake = new RecordingSwarm();
    fake.digests[WEB] = DIGEST;
    const stack = new Stack(fake);
    const p = project('st', { web: { image: WEB, deploy: { endpoint_mode: 'dnsrr' } } });
    await stack.deploy(p, 'st', { resolveImage: 'never' });
    fake.digests[WEB] = `sha256:${'b'.repeat(64)}`;
    expect(await stack.deploy(p, 'st', { resolveImage: 'never' })).toEqual([]);
    expect(imageOf(fake, 'st_web')).toBe(WEB);
    expect(fake.lookups).toEqual([]);
  });

  it('never with build: asks the registry only to refuse an unpushed image, and still pins nothing', async () => {
    const fake = new RecordingSwarm();
    fake.digests[WEB] = DIGEST;
    await new Stack(fake).deploy(project('st', { web: { image: WEB, build: { context: '/w' }, deploy: { endpoint_mode: 'dnsrr' } } }), 'st', { resolveImage: 'never' });
    expect(fake.lookups).toEqual([WEB]);
    expect(imageOf(fake, 'st_web')).toBe(WEB);
  });
});

describe('stack deploy --prune', () => {
  it('removes the stack\'s services the file lost; without it they stay', async () => {
    const fake = new RecordingSwarm();
    const withWorker = composeFile('full.yaml', webAndRedis('1', '  worker:\n    image: busybox\n    deploy: { endpoint_mode: dnsrr }\n'));
    const without = composeFile('less.yaml', webAndRedis());
    await capstan(fake, 'stack', 'deploy', '-c', withWorker, '--resolve-image', 'never', 'st');
    expect([...fake.services.values()].map((s) => s.Spec.Name).sort()).toEqual(['st_redis', 'st_web', 'st_worker']);
    // another stack's service is never pruned
    await capstan(fake, 'stack', 'deploy', '-c', composeFile('other.yaml', 'services:\n  x:\n    image: busybox\n'), '--resolve-image', 'never', 'other');

    fake.calls = [];
    expect((await capstan(fake, 'stack', 'deploy', '-c', without, '--resolve-image', 'never', 'st')).failed).toBe(false);
    expect(fake.calls).toEqual([]);
    expect(imageOf(fake, 'st_worker')).toBe('busybox');

    const dry = await capstan(fake, 'stack', 'deploy', '-c', without, '--resolve-image', 'never', '--prune', '--dry-run', 'st');
    expect(dry.stdout).toBe('service st_worker: remove (not in the compose file (--prune))\n');
    expect(fake.calls).toEqual([]);

    expect((await capstan(fake, 'stack', 'deploy', '-c', without, '--resolve-image', 'never', '--prune', 'st')).failed).toBe(false);
    expect(fake.calls).toEqual(['remove service st_worker']);
    expect([...fake.services.values()].map((s) => s.Spec.Name).sort()).toEqual(['other_x', 'st_redis', 'st_web']);
  });
});

describe('stack ps --no-trunc', () => {
  const TASK_ID = 'k5n2x9q8w7e6r5t4y3u2i1o0p';
  const ERR = 'task: non-zero exit (1): the container failed its health check';

  function withTask(): FakeSwarm {
    const fake = new FakeSwarm();
    fake.services.set('svc1', {
      ID: 'svc1',
      Version: { Index: 1 },
      Spec: { Name: 'st_web', Labels: { 'com.docker.stack.namespace': 'st' }, Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: `${WEB}@${DIGEST}` } } },
    });
    fake.nodes = [{ ID: 'node1', Spec: { Role: 'manager', Availability: 'active' }, Description: { Hostname: 'n1' }, Status: { State: 'ready' } }];
    fake.tasks = [
      { ID: TASK_ID, ServiceID: 'svc1', NodeID: 'node1', Slot: 1, DesiredState: 'shutdown', Spec: { ContainerSpec: { Image: `${WEB}@${DIGEST}` } }, Status: { State: 'failed', Err: ERR } },
    ];
    return fake;
  }

  it('without it: 12-character IDs, images without digest, errors cut at 30', async () => {
    const r = await capstan(withTask(), 'stack', 'ps', '--format', 'json', 'st');
    expect(JSON.parse(r.stdout)).toMatchObject({ ID: TASK_ID.slice(0, 12), Name: 'st_web.1', Image: WEB, Node: 'n1', Error: `"${ERR.slice(0, 29)}…"` });
    expect((await capstan(withTask(), 'stack', 'ps', '-q', 'st')).stdout).toBe(`${TASK_ID.slice(0, 12)}\n`);
  });

  it('with it: full IDs, images with their digest, whole errors (table, json and -q)', async () => {
    const r = await capstan(withTask(), 'stack', 'ps', '--no-trunc', '--format', 'json', 'st');
    expect(JSON.parse(r.stdout)).toMatchObject({ ID: TASK_ID, Name: 'st_web.1', Image: `${WEB}@${DIGEST}`, Error: `"${ERR}"` });
    const table = (await capstan(withTask(), 'stack', 'ps', '--no-trunc', 'st')).stdout;
    expect(table).toContain(TASK_ID);
    expect(table).toContain(`${WEB}@${DIGEST}`);
    expect((await capstan(withTask(), 'stack', 'ps', '--no-trunc', '-q', 'st')).stdout).toBe(`${TASK_ID}\n`);
  });

  it('Stack.ps keeps the whole ID and image; the CLI cuts them', async () => {
    const [row] = await new Stack(withTask()).ps('st');
    expect(row).toMatchObject({ id: TASK_ID, image: `${WEB}@${DIGEST}` });
  });
});

describe('stack rm --dry-run', () => {
  const withSecret = `services:
  web:
    image: ${WEB}
    secrets: [x]
    deploy: { endpoint_mode: dnsrr }
secrets:
  x:
    file: ./x.txt
`;

  it('prints the removals with their reason and writes nothing (flag and global --dry-run)', async () => {
    const fake = new FakeSwarm();
    writeFileSync(join(dir, 'x.txt'), 'v1');
    await capstan(fake, 'stack', 'deploy', '-c', composeFile('compose.yaml', withSecret), '--resolve-image', 'never', 'st');
    const before = { services: [...fake.services.keys()], networks: [...fake.networks.keys()], secrets: [...fake.objects.secrets.keys()] };
    fake.calls = [];
    const r = await capstan(fake, 'stack', 'rm', '--dry-run', 'st');
    expect(r.failed).toBe(false);
    expect(r.stdout.replace(/-[0-9a-f]{10}\b/, '-HASH')).toBe(['service st_web: remove (stack rm)', 'secret st_x-HASH: remove (stack rm)', 'network st_default: remove (stack rm)', ''].join('\n'));
    expect(r.stderr).not.toContain('Removing');
    expect((await capstan(fake, '--dry-run', 'stack', 'rm', 'st')).stdout).toBe(r.stdout);
    expect(fake.calls).toEqual([]);
    expect({ services: [...fake.services.keys()], networks: [...fake.networks.keys()], secrets: [...fake.objects.secrets.keys()] }).toEqual(before);

    // the real rm then does what the plan said
    await capstan(fake, 'stack', 'rm', 'st');
    expect(fake.calls.map((c) => c.replace(/-[0-9a-f]{10}\b/, '-HASH'))).toEqual(['remove service st_web', 'remove secrets st_x-HASH', 'remove network st_default']);
  });

  it('Stack.rm({ dryRun }) returns the plan; an unknown stack is still an error', async () => {
    const fake = new FakeSwarm();
    const stack = new Stack(fake);
    await stack.deploy(project('st', { web: { image: 'busybox', deploy: { endpoint_mode: 'dnsrr' } } }), 'st', { resolveImage: 'never' });
    fake.calls = [];
    expect((await stack.rm('st', { dryRun: true })).map((a) => `${a.kind} ${a.action} ${a.name}`)).toEqual(['service remove st_web', 'network remove st_default']);
    expect(fake.calls).toEqual([]);
    await expect(stack.rm('nope', { dryRun: true })).rejects.toThrow('nothing found in stack: nope');
    const r = await capstan(fake, 'stack', 'rm', '--dry-run', 'nope');
    expect(r.failed).toBe(true);
    expect(r.stderr).toContain('nothing found in stack: nope');
  });
});

describe('deploy.mode jobs', () => {
  it('global-job → GlobalJob; replicated-job → ReplicatedJob with MaxConcurrent and TotalCompletions', async () => {
    const fake = new FakeSwarm();
    const file = composeFile(
      'compose.yaml',
      `services:
  once:
    image: busybox
    deploy: { mode: global-job, endpoint_mode: dnsrr }
  batch:
    image: busybox
    deploy: { mode: replicated-job, replicas: 4, endpoint_mode: dnsrr }
  batch1:
    image: busybox
    deploy: { mode: replicated-job, endpoint_mode: dnsrr }
`,
    );
    expect((await capstan(fake, 'stack', 'deploy', '-c', file, '--resolve-image', 'never', 'st')).failed).toBe(false);
    const mode = (name: string): unknown => [...fake.services.values()].find((s) => s.Spec.Name === name)?.Spec.Mode;
    expect(mode('st_once')).toEqual({ GlobalJob: {} });
    expect(mode('st_batch')).toEqual({ ReplicatedJob: { MaxConcurrent: 4, TotalCompletions: 4 } });
    expect(mode('st_batch1')).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    const services = await capstan(fake, 'stack', 'services', '--format', '{{.Name}} {{.Mode}}', 'st');
    expect(services.stdout).toBe('st_batch replicated job\nst_batch1 replicated job\nst_once global job\n');
  });

  it('a change of job mode is an update naming mode/replicas', async () => {
    const fake = new FakeSwarm();
    const stack = new Stack(fake);
    const p = (mode: string) => project('st', { j: { image: 'busybox', deploy: { mode, endpoint_mode: 'dnsrr' } } });
    await stack.deploy(p('replicated-job'), 'st', { resolveImage: 'never' });
    const plan = await stack.deploy(p('global-job'), 'st', { resolveImage: 'never', dryRun: true });
    expect(plan.map((a) => `${a.name}: ${a.action} (${a.reason})`)).toEqual(['st_j: update (mode/replicas changed)']);
  });
});
