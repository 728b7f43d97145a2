/**
 * Values the engine is certain to refuse fail at load time (issue 13 "Safety"), naming the
 * service, the reason and the file position — before `up` creates anything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { imageReferenceProblem } from './engine-limits.js';
import { loadProject } from './index.js';

/** Load `text` as compose.yaml of project `proj`. */
async function load(text: string, options: { skipConsistency?: boolean; interpolate?: boolean; engineLimits?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-limits-'));
  writeFileSync(join(dir, 'compose.yaml'), text);
  return loadProject({ cwd: dir, env: {}, projectName: 'proj', engineLimits: true, ...options });
}

async function errorOf(text: string): Promise<LoaderError> {
  const err = await load(text).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoaderError);
  return err as LoaderError;
}

const web = (attrs: string, image = 'busybox') => `services:\n  web:\n    image: ${image}\n${attrs}`;

describe('image references', () => {
  it.each([
    'busybox',
    'busybox:latest',
    'busybox:Latest',
    'library/busybox:1.36',
    'docker.io/library/busybox:1.36-glibc',
    '127.0.0.1:5000/team/app:v1',
    'localhost/app',
    'MyRegistry.example.com:5443/a/b__c/d-e.f:tag_1',
    'localhost:5000/app@sha256:' + 'a'.repeat(64),
    'app:1@sha256:' + 'b'.repeat(64),
    '[::1]:5000/app',
  ])('accepts %s', (ref) => {
    expect(imageReferenceProblem(ref)).toBeUndefined();
  });

  it.each([
    ['BusyBox:Latest', 'repository name must be lowercase'],
    ['library/BusyBox', 'repository name must be lowercase'],
    ['busybox:', 'invalid reference format: bad tag'],
    ['busybox:-x', 'invalid reference format: bad tag'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format: bad tag'],
    ['busybox@sha256:xyz', 'invalid reference format: bad digest'],
    ['bad_host.example.com/app', 'invalid reference format: bad registry host'],
    ['app/', 'invalid reference format'],
    ['a..b', 'invalid reference format'],
    ['-app', 'invalid reference format'],
    ['my app', 'invalid reference format'],
    ['', 'invalid reference format: empty'],
    ['a'.repeat(256), 'repository name must not be more than 255 characters'],
  ])('refuses %s: %s', (ref, reason) => {
    expect(imageReferenceProblem(ref)).toBe(reason);
  });

  it('an uppercase image names service, reason and position, with the lowercase form as hint', async () => {
    const err = await errorOf(web('', 'BusyBox:Latest'));
    expect(err.message).toBe('compose.yaml:3:12: services.web.image: service "web": invalid image reference "BusyBox:Latest": repository name must be lowercase');
    expect(err.hint).toBe('image repositories are lowercase: busybox:Latest');
  });

  it('a build without image whose service name cannot name the built image', async () => {
    const err = await errorOf('services:\n  Api:\n    build: .\n');
    expect(err.message).toMatch(/^compose\.yaml:2:3: services\.Api: service "Api": the image built for it would be named "proj-Api", which the engine refuses: repository name must be lowercase$/);
    // with an image: the name does not matter
    await expect(load('services:\n  Api:\n    build: .\n    image: api\n')).resolves.toBeDefined();
  });
});

describe('volume names', () => {
  it('a local volume the engine would refuse to create, at its name', async () => {
    const err = await errorOf('services:\n  web:\n    image: busybox\n    volumes: [data:/data]\nvolumes:\n  data:\n    name: my data\n');
    expect(err.message).toMatch(/^compose\.yaml:7:11: volumes\.data\.name: volume "data": the engine refuses the local volume name "my data": /);
    // external, another driver, or not mounted: not checked
    await expect(load('services:\n  web:\n    image: busybox\n    volumes: [data:/data]\nvolumes:\n  data:\n    name: my data\n    external: true\n')).resolves.toBeDefined();
    await expect(load('services:\n  web:\n    image: busybox\n    volumes: [data:/data]\nvolumes:\n  data:\n    name: my data\n    driver: nfs\n')).resolves.toBeDefined();
    await expect(load('services:\n  web:\n    image: busybox\nvolumes:\n  data:\n    name: x\n')).resolves.toBeDefined();
    await expect(load('services:\n  web:\n    image: busybox\n    volumes: [data:/data]\nvolumes:\n  data: {}\n')).resolves.toBeDefined();
  });
});

describe('resource names', () => {
  it.each([
    ['services:\n  web app:\n    image: busybox\n', 'service name "web app"'],
    ['services:\n  web:\n    image: busybox\nvolumes:\n  "my/data": {}\n', 'volume name "my/data"'],
    ['services:\n  web:\n    image: busybox\nsecrets:\n  "db:pw":\n    file: ./pw\n', 'secret name "db:pw"'],
  ])('a name Docker refuses is named as such, at its key: %#', async (text, what) => {
    const err = await errorOf(text);
    expect(err.reason).toBe(`${what} is invalid: a name takes only letters, digits, '.', '_' and '-' (Docker refuses the rest)`);
    expect(err.line).toBe(text.split('\n').findIndex((l) => l.includes(what.split('"')[1]!)) + 1);
  });

  it('an unknown top-level key keeps the schema\'s wording', async () => {
    expect((await errorOf('services:\n  web:\n    image: busybox\nservice:\n  x: {}\n')).reason).toBe("additional properties 'service' not allowed");
  });
});

describe('resources', () => {
  it('mem_limit below 6MB', async () => {
    const err = await errorOf(web('    mem_limit: 1k\n'));
    expect(err.message).toBe("compose.yaml:4:16: services.web.mem_limit: service \"web\": memory limit 1024 bytes is below the engine's minimum of 6MB");
    await expect(load(web('    mem_limit: 6m\n'))).resolves.toBeDefined();
    await expect(load(web('    mem_limit: 0\n'))).resolves.toBeDefined();
  });

  it('deploy.resources.limits.memory and reservations below 6MB', async () => {
    const err = await errorOf(web('    deploy:\n      resources:\n        limits:\n          memory: 5m\n'));
    expect(err.message).toMatch(/^compose\.yaml:7:19: services\.web\.deploy\.resources\.limits\.memory: service "web": memory limit 5242880 bytes is below/);
    const res = await errorOf(web('    mem_reservation: 100k\n'));
    expect(res.keyPath).toBe('services.web.mem_reservation');
    expect(res.reason).toMatch(/memory reservation 102400 bytes is below the engine's minimum of 6MB/);
  });

  it('a reservation above the limit, a swap limit below the memory limit or without one', async () => {
    expect((await errorOf(web('    mem_limit: 64m\n    mem_reservation: 128m\n'))).reason).toMatch(/memory reservation \(134217728 bytes\) is larger than the memory limit/);
    expect((await errorOf(web('    mem_limit: 64m\n    memswap_limit: 32m\n'))).keyPath).toBe('services.web.memswap_limit');
    expect((await errorOf(web('    memswap_limit: 32m\n'))).reason).toMatch(/memswap_limit needs mem_limit/);
    await expect(load(web('    mem_limit: 64m\n    memswap_limit: -1\n'))).resolves.toBeDefined();
  });

  it('negative cpus, cpus with cpu_period/cpu_quota, out-of-range period and quota, negative shares', async () => {
    const neg = await errorOf(web('    cpus: -1\n'));
    expect(neg.message).toBe('compose.yaml:4:11: services.web.cpus: service "web": cpus must not be negative (got -1)');
    expect((await errorOf(web('    cpus: 0.5\n    cpu_period: 100000\n'))).keyPath).toBe('services.web.cpu_period');
    expect((await errorOf(web('    cpus: 0.5\n    cpu_quota: 50000\n'))).keyPath).toBe('services.web.cpu_quota');
    expect((await errorOf(web('    cpu_period: 999\n'))).reason).toMatch(/cpu_period 999 is outside/);
    expect((await errorOf(web('    cpu_quota: 10\n'))).reason).toMatch(/cpu_quota 10 is below 1000/);
    expect((await errorOf(web('    cpu_shares: -2\n'))).reason).toMatch(/cpu_shares must not be negative/);
    await expect(load(web('    cpus: 0.5\n    cpu_shares: 512\n'))).resolves.toBeDefined();
    await expect(load(web('    cpu_period: 100000\n    cpu_quota: 50000\n'))).resolves.toBeDefined();
  });

  it('profile-disabled services are not checked; --no-consistency, --no-interpolate and config skip the check', async () => {
    await expect(load('services:\n  web:\n    image: busybox\n  dbg:\n    image: Bad\n    profiles: [debug]\n')).resolves.toBeDefined();
    await expect(load(web('    mem_limit: 1k\n'), { skipConsistency: true })).resolves.toBeDefined();
    await expect(load(web('    mem_limit: 1k\n'), { engineLimits: false })).resolves.toBeDefined(); // config, down, ps…
    await expect(load(web('', 'App:${TAG}'), { interpolate: false })).resolves.toBeDefined();
  });
});
