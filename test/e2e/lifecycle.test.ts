import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tarOf } from '../../src/compose/secrets.js';
import { afterFile, capstan, engine, idle, leftovers, setup, spawnCapstan } from './helpers.js';

const compose = (env: string): string => `
services:
  app:
    image: busybox
    command: ${idle('echo app says hello')}
    environment:
      LOG_LEVEL: ${env}
    volumes:
      - data:/data
  worker:
    image: busybox
    command: ${idle('echo worker ready')}
    depends_on: [app]
volumes:
  data: {}
`;

async function ids(project: string): Promise<Record<string, string>> {
  const list = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  return Object.fromEntries(list.map((c) => [(c.Names?.[0] ?? '').slice(1), c.Id!]));
}

describe('up converges, down cleans up', () => {
  const { project, dir } = setup('life', { 'compose.yaml': compose('info') });

  it('a second up changes nothing; an edit recreates only that service and keeps its volume', async () => {
    const first = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    const before = await ids(project);
    expect(Object.keys(before).sort()).toEqual([`${project}-app-1`, `${project}-worker-1`]);

    const second = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(await ids(project)).toEqual(before);

    const write = await capstan(['-p', project, 'logs', 'app'], { cwd: dir });
    expect(write.stdout).toMatch(/^app-1 +\| app says hello$/m);
    await engine.putArchive(before[`${project}-app-1`]!, '/data', tarOf([{ path: 'marker', content: 'kept', uid: 0, gid: 0, mode: 0o644 }]));

    writeFileSync(join(dir, 'compose.yaml'), compose('debug'));
    const plan = await capstan(['-p', project, 'up', '-d', '--dry-run'], { cwd: dir });
    expect(plan.stdout).toMatch(new RegExp(`container +${project}-app-1 +recreate +config changed: environment\\.LOG_LEVEL`));
    expect(plan.stdout).toMatch(new RegExp(`container +${project}-worker-1 +up to date`));
    expect(await ids(project)).toEqual(before); // --dry-run changed nothing

    const third = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(third.code).toBe(0);
    const after = await ids(project);
    expect(after[`${project}-worker-1`]).toBe(before[`${project}-worker-1`]);
    expect(after[`${project}-app-1`]).not.toBe(before[`${project}-app-1`]);
    const inspected = await engine.inspectContainer(after[`${project}-app-1`]!);
    expect(inspected.Config.Env).toContain('LOG_LEVEL=debug');
    expect(inspected.State.Running).toBe(true);

    const cat = await capstan(['-p', project, 'logs', '--no-log-prefix', 'app'], { cwd: dir });
    expect(cat.code).toBe(0);
    const files = await listDir(after[`${project}-app-1`]!, '/data');
    expect(files).toContain('marker');

    const down = await capstan(['-p', project, 'down', '-v'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});

describe('label safety', () => {
  const { project, dir } = setup('safe', { 'compose.yaml': compose('info') });
  const network = `${project}_default`;
  const volume = `${project}_data`;
  afterFile(async () => {
    await engine.removeNetwork(network).catch(() => undefined);
    await engine.removeVolume(volume, true).catch(() => undefined);
  });

  it('uses but never removes a network or volume that lacks the project label', async () => {
    await engine.createNetwork({ Name: network, Labels: { purpose: 'capstan-e2e-unmanaged' } });
    await engine.createVolume({ Name: volume, Labels: { purpose: 'capstan-e2e-unmanaged' } });
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/warning: a network with name .* exists but was not created by compose/);
    const down = await capstan(['-p', project, 'down', '-v'], { cwd: dir });
    expect(down.code).toBe(0);
    expect((await engine.inspectNetwork(network)).Name).toBe(network);
    expect((await engine.inspectVolume(volume)).Name).toBe(volume);
    expect((await leftovers(project)).containers).toBe(0);
  });
});

describe('attached up', () => {
  const { project, dir } = setup('attach', { 'compose.yaml': compose('info') });

  it('streams prefixed logs and stops gracefully on Ctrl+C with exit 130', async () => {
    const child = spawnCapstan(['-p', project, 'up'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no logs in time; stderr: ${stderr}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('worker ready') && stdout.includes('app says hello')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/^app-1 +\| app says hello$/m);
    expect(stdout).toMatch(/^worker-1 +\| worker ready$/m);
    expect(stderr).toContain('Gracefully Stopping... press Ctrl+C again to force'); // compose's pkg/compose/up.go text
    const list = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(list.map((c) => c.State)).toEqual(['exited', 'exited']);
  });
});

/** File names in a container directory, via a throw-away busybox reading the same volume. */
async function listDir(containerId: string, path: string): Promise<string[]> {
  const info = await engine.inspectContainer(containerId);
  const mount = info.Mounts.find((m) => m.Destination === path);
  const id = await engine.createContainer(`capstan-e2e-ls-${Date.now()}`, {
    Image: 'busybox',
    Cmd: ['ls', '/mnt'],
    HostConfig: { Mounts: [{ Type: 'volume', Source: mount!.Name!, Target: '/mnt' }] },
  });
  try {
    await engine.startContainer(id);
    await engine.waitContainer(id);
    let out = '';
    for await (const chunk of engine.containerLogs(id, { tty: false })) out += chunk.data.toString();
    return out.trim().split('\n');
  } finally {
    await engine.removeContainer(id, { force: true });
  }
}
