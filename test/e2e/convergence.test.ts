import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterFile, capstan, engine, idle, leftovers, setup } from './helpers.js';

/** Issue 4 acceptance, against the real daemon: each behaviour its own test and project. */

/**
 * A host outside Docker: a network namespace with a veth pair (10.213.0.2 behind 10.213.0.1 on
 * this machine), answering one TCP connection per `listen()` with busybox nc.
 */
function outsideHost(): { address: string; port: number; listen: () => void; remove: () => void } {
  const ns = `capstan-e2e-out-${process.pid}`;
  const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'ignore' });
  const quiet = (...args: string[]): void => {
    try {
      ip(...args);
    } catch {
      /* already gone */
    }
  };
  const remove = (): void => {
    try {
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const pid of pids) process.kill(Number(pid));
    } catch {
      /* no namespace */
    }
    quiet('link', 'del', 'cst-e2e-h');
    quiet('netns', 'del', ns);
  };
  remove();
  ip('netns', 'add', ns);
  ip('link', 'add', 'cst-e2e-h', 'type', 'veth', 'peer', 'name', 'cst-e2e-n');
  ip('link', 'set', 'cst-e2e-n', 'netns', ns);
  ip('addr', 'add', '10.213.0.1/30', 'dev', 'cst-e2e-h');
  ip('link', 'set', 'cst-e2e-h', 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', '10.213.0.2/30', 'dev', 'cst-e2e-n');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'cst-e2e-n', 'up');
  ip('netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', '10.213.0.1');
  const listen = (): void => {
    spawn('ip', ['netns', 'exec', ns, 'busybox', 'nc', '-l', '-p', '9999', '-e', 'echo', 'outside says hi'], {
      stdio: 'ignore',
      detached: false,
    }).unref();
    execFileSync('sleep', ['0.3']);
  };
  return { address: '10.213.0.2', port: 9999, listen, remove };
}

async function names(project: string, all = true): Promise<string[]> {
  const list = await engine.listContainers({ all, filters: { label: [`com.docker.compose.project=${project}`] } });
  return list.map((c) => (c.Names?.[0] ?? '').slice(1)).sort();
}

describe('convergence', () => {
  it('--scale web=3 gives web-1..3; scaling back to 1 removes 2 and 3', async () => {
    const { project, dir } = setup('scale', { 'compose.yaml': `services:\n  web:\n    image: busybox\n    command: ${idle()}\n` });
    expect((await capstan(['-p', project, 'up', '-d', '--scale', 'web=3'], { cwd: dir })).code).toBe(0);
    expect(await names(project)).toEqual([1, 2, 3].map((n) => `${project}-web-${n}`));
    const down = await capstan(['-p', project, 'up', '-d', '--scale', 'web=1'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`Container ${project}-web-3  Removed`));
    expect(await names(project)).toEqual([`${project}-web-1`]);
  });

  it('warns about an orphan, and removes it with --remove-orphans', async () => {
    const two = `services:\n  web:\n    image: busybox\n    command: ${idle()}\n  old:\n    image: busybox\n    command: ${idle()}\n`;
    const { project, dir } = setup('orphan', { 'compose.yaml': two });
    expect((await capstan(['-p', project, 'up', '-d'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  web:\n    image: busybox\n    command: ${idle()}\n`);
    const warned = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(`Found orphan containers (${project}-old-1)`);
    expect(await names(project)).toContain(`${project}-old-1`);
    const removed = await capstan(['-p', project, 'up', '-d', '--remove-orphans'], { cwd: dir });
    expect(removed.code).toBe(0);
    expect(await names(project)).toEqual([`${project}-web-1`]);
  });

  it('service_healthy: the dependent starts only after the dependency is healthy', async () => {
    const { project, dir } = setup('healthy', {
      'compose.yaml': `
services:
  db:
    image: busybox
    command: ${idle('sleep 2; touch /tmp/ready')}
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 500ms
      retries: 20
  app:
    image: busybox
    command: ${idle()}
    depends_on:
      db:
        condition: service_healthy
`,
    });
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code).toBe(0);
    const db = await engine.inspectContainer(`${project}-db-1`);
    const app = await engine.inspectContainer(`${project}-app-1`);
    const log = (db.State.Health?.Log ?? []) as { End: string; ExitCode: number }[];
    const firstHealthy = log.find((l) => l.ExitCode === 0);
    expect(firstHealthy).toBeDefined();
    expect(Date.parse(app.State.StartedAt!)).toBeGreaterThanOrEqual(Date.parse(firstHealthy!.End));
    expect(Date.parse(app.State.StartedAt!) - Date.parse(db.State.StartedAt!)).toBeGreaterThan(1500);
  });

  it('service_healthy: an unhealthy dependency fails up with "dependency failed to start"', async () => {
    const { project, dir } = setup('unhealthy', {
      'compose.yaml': `
services:
  db:
    image: busybox
    command: ${idle()}
    healthcheck:
      test: ["CMD", "false"]
      interval: 200ms
      retries: 2
  app:
    image: busybox
    command: ${idle()}
    depends_on:
      db:
        condition: service_healthy
`,
    });
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/error: dependency failed to start: container .*-db-1 is unhealthy/);
    const app = await engine.inspectContainer(`${project}-app-1`);
    expect(app.State.Status).toBe('created');
  });

  it('service_completed_successfully: exit 0 lets the app start; exit 1 fails up', async () => {
    const file = (code: number): string => `
services:
  migrate:
    image: busybox
    command: ["sh", "-c", "echo migrating; exit ${code}"]
  app:
    image: busybox
    command: ${idle()}
    depends_on:
      migrate:
        condition: service_completed_successfully
`;
    const ok = setup('done', { 'compose.yaml': file(0) });
    expect((await capstan(['-p', ok.project, 'up', '-d'], { cwd: ok.dir })).code).toBe(0);
    expect((await engine.inspectContainer(`${ok.project}-app-1`)).State.Running).toBe(true);

    const bad = setup('fail', { 'compose.yaml': file(1) });
    const up = await capstan(['-p', bad.project, 'up', '-d'], { cwd: bad.dir });
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`error: service "migrate" didn't complete successfully: exit 1`);
    expect((await engine.inspectContainer(`${bad.project}-app-1`)).State.Running).toBe(false);
  });

  it('--abort-on-container-exit --exit-code-from job exits with the job\'s code', async () => {
    const { project, dir } = setup('exit', {
      'compose.yaml': `
services:
  server:
    image: busybox
    command: ${idle('echo serving')}
  job:
    image: busybox
    command: ["sh", "-c", "sleep 1; echo job done; exit 3"]
`,
    });
    const up = await capstan(['-p', project, 'up', '--abort-on-container-exit', '--exit-code-from', 'job'], { cwd: dir });
    expect(up.stdout).toMatch(/^Attaching to job-1, server-1$/m);
    expect(up.stdout).toMatch(/^job-1 +\| job done$/m);
    expect(up.stdout).toContain('job-1 exited with code 3');
    expect(up.stderr).toContain('Aborting on container exit...');
    expect(up.code).toBe(3);
    expect((await engine.inspectContainer(`${project}-server-1`)).State.Running).toBe(false);
  });

  it('networks: a frontend-only container cannot resolve a backend-only service; internal has no route out', async () => {
    const { project, dir } = setup('net', {
      'compose.yaml': `
services:
  web:
    image: busybox
    command: ${idle()}
    networks: [frontend, backend]
  proxy:
    image: busybox
    command: ${idle()}
    networks: [frontend]
  db:
    image: busybox
    command: ${idle()}
    networks: [backend]
networks:
  frontend: {}
  backend:
    internal: true
`,
    });
    expect((await capstan(['-p', project, 'up', '-d'], { cwd: dir })).code).toBe(0);
    const run = async (container: string, cmd: string[]): Promise<{ code: number; out: string }> => {
      const id = await engine.createContainer(`${container}-probe-${Date.now()}`, {
        Image: 'busybox',
        Cmd: cmd,
        HostConfig: { NetworkMode: `container:${container}` },
      });
      try {
        await engine.startContainer(id);
        const code = await engine.waitContainer(id);
        let out = '';
        for await (const c of engine.containerLogs(id, { tty: false })) out += c.data.toString();
        return { code, out };
      } finally {
        await engine.removeContainer(id, { force: true });
      }
    };
    expect((await run(`${project}-web-1`, ['nslookup', 'db'])).out).toMatch(/Address.*\d+\.\d+\.\d+\.\d+/);
    expect((await run(`${project}-proxy-1`, ['nslookup', 'web'])).code).toBe(0);
    const fromProxy = await run(`${project}-proxy-1`, ['nslookup', 'db']);
    expect(fromProxy.out).not.toMatch(/Name:\s+db/);
    // "No route out": a host outside Docker (a network namespace this test makes, on this
    // machine) answers the frontend container but not the one on the internal network.
    const outside = outsideHost();
    afterFile(() => outside.remove());
    const reach = (container: string) => run(container, ['sh', '-c', `echo | nc -w 2 ${outside.address} ${outside.port}`]);
    outside.listen();
    expect((await reach(`${project}-proxy-1`)).out).toContain('outside says hi');
    outside.listen();
    const fromDb = await reach(`${project}-db-1`);
    expect(fromDb.out).not.toContain('outside says hi');
    expect(fromDb.code).not.toBe(0);
  });

  it("down -v removes the project's named volumes and leaves another project's volume untouched", async () => {
    const shared = `capstan-e2e-shared-${Date.now().toString(36)}`;
    const file = `services:\n  app:\n    image: busybox\n    command: ${idle()}\n    volumes: [data:/data, other:/other]\nvolumes:\n  data: {}\n  other:\n    name: ${shared}\n`;
    const a = setup('vola', { 'compose.yaml': file });
    const b = setup('volb', { 'compose.yaml': file });
    afterFile(() => engine.removeVolume(shared, true).catch(() => undefined));
    expect((await capstan(['-p', b.project, 'up', '-d'], { cwd: b.dir })).code).toBe(0); // b creates the shared volume
    expect((await capstan(['-p', a.project, 'up', '-d'], { cwd: a.dir })).code).toBe(0);
    const down = await capstan(['-p', a.project, 'down', '-v'], { cwd: a.dir });
    expect(down.code).toBe(0);
    expect(await leftovers(a.project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await expect(engine.inspectVolume(`${b.project}_data`)).resolves.toMatchObject({ Name: `${b.project}_data` });
    await expect(engine.inspectVolume(shared)).resolves.toMatchObject({ Name: shared });
  });
});

describe('network and volume divergence', () => {
  it('a changed network is recreated; its containers are kept, reconnected with their aliases and restarted', async () => {
    const file = (labels: string): string =>
      `services:\n  web:\n    image: busybox\n    command: ${idle()}\n    networks: [back]\n  peer:\n    image: busybox\n    command: ${idle()}\n    networks:\n      back:\n        aliases: [buddy]\nnetworks:\n  back:\n    labels: {tier: "${labels}"}\n`;
    const { project, dir } = setup('netdiv', { 'compose.yaml': file('one') });
    expect((await capstan(['-p', project, 'up', '-d'], { cwd: dir })).code).toBe(0);
    const before = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    const netBefore = await engine.inspectNetwork(`${project}_back`);
    writeFileSync(join(dir, 'compose.yaml'), file('two'));
    const dry = await capstan(['-p', project, 'up', '-d', '--dry-run'], { cwd: dir });
    expect(dry.stdout + dry.stderr).toMatch(new RegExp(`network +${project}_back +recreate +config changed: labels.tier`));
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const netAfter = await engine.inspectNetwork(`${project}_back`);
    expect(netAfter.Id).not.toBe(netBefore.Id);
    expect(netAfter.Labels?.tier).toBe('two');
    const after = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(after.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
    expect(after.every((c) => c.State === 'running')).toBe(true);
    // reconnected with the service alias and the declared alias
    const peer = await engine.inspectContainer(`${project}-peer-1`);
    expect(peer.NetworkSettings?.Networks?.[`${project}_back`]?.Aliases).toEqual(expect.arrayContaining([`${project}-peer-1`, 'peer', 'buddy']));
    // and a second up changes nothing
    const again = await capstan(['-p', project, 'up', '-d', '--dry-run'], { cwd: dir });
    expect(again.stdout + again.stderr).toMatch(/\(0 changes/);
  });

  it('a changed volume is refused without -y and left as it was; -y recreates it and the container', async () => {
    const file = (size: string): string =>
      `services:\n  db:\n    image: busybox\n    command: ${idle('echo hello > /data/x')}\n    volumes: [data:/data]\nvolumes:\n  data:\n    labels: {size: "${size}"}\n`;
    const { project, dir } = setup('voldiv', { 'compose.yaml': file('small') });
    expect((await capstan(['-p', project, 'up', '-d'], { cwd: dir })).code).toBe(0);
    const id = (await engine.inspectContainer(`${project}-db-1`)).Id;
    writeFileSync(join(dir, 'compose.yaml'), file('large'));
    const refused = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`volume "${project}_data" exists but doesn't match the configuration in the compose file (changed: labels.size)`);
    expect(refused.stderr).toContain('up -y');
    expect((await engine.inspectContainer(`${project}-db-1`)).Id).toBe(id);
    expect((await engine.inspectVolume(`${project}_data`)).Labels?.size).toBe('small');
    const yes = await capstan(['-p', project, 'up', '-d', '-y'], { cwd: dir });
    expect(yes.code, yes.stderr).toBe(0);
    expect((await engine.inspectVolume(`${project}_data`)).Labels?.size).toBe('large');
    const now = await engine.inspectContainer(`${project}-db-1`);
    expect(now.Id).not.toBe(id);
    expect(now.State?.Running).toBe(true);
  });
});
