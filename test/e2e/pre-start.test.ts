import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, idle, leftovers, setup } from './helpers.js';

/**
 * `pre_start` hooks against the real engine: init containers that share the first replica's
 * volumes, run before the service starts, once per service; their image is pulled like the
 * service's (here from the plain registry of scripts/registry.sh); a failing hook fails the
 * service and is kept until `down`.
 */
const repo = `127.0.0.1:5000/capstan-e2e-hook-${process.pid}-${Date.now().toString(36)}`;
const hookImage = `${repo}:1`;
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('pre_start hooks', () => {
  const { project, dir } = setup('prestart', {
    'compose.yaml': `services:
  web:
    image: busybox:latest
    environment: { GREETING: hello }
    volumes: [data:/data]
    command: ${idle('cat /data/ready > /data/seen')}
    pre_start:
      - image: ${hookImage}
        command: ["sh", "-c", "echo $$GREETING-$$STEP >> /data/ready"]
        environment: { STEP: one }
      - command: ["sh", "-c", "echo second >> /data/ready"]
  bad:
    image: busybox:latest
    command: ${idle()}
    profiles: [bad]
    pre_start:
      - command: ["sh", "-c", "echo cannot migrate; exit 3"]
volumes:
  data: {}
`,
  });
  const run = (...args: string[]): ReturnType<typeof capstan> => capstan(['-p', project, ...args], { cwd: dir });
  afterFile(() => {
    for (const ref of [hookImage]) {
      try {
        docker('rmi', ref);
      } catch {
        // not pulled
      }
    }
  });
  docker('tag', 'busybox:latest', hookImage);
  docker('push', '-q', hookImage);
  docker('rmi', hookImage);

  it('pulls the hook image, runs the hooks in order before the service starts, and removes them', async () => {
    const plan = await run('up', '-d', '--dry-run');
    expect(plan.stdout).toMatch(/image\s+\S+hook\S+:1\s+pull\s+image missing \(pre_start image of web\)/);
    expect(plan.stdout).toMatch(new RegExp(`container\\s+${project}-web-1-pre_start-1\\s+run\\s+pre_start\\[0\\]: no replica of web is running`));
    const r = await run('up', '-d', '--wait');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pre_start-1\s+Exited/);
    const seen = await capstan(['-p', project, 'exec', '-T', 'web', 'cat', '/data/seen'], { cwd: dir });
    expect(seen.stdout).toBe('hello-one\nsecond\n');
    const all = await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(all.map((c) => c.Names?.[0])).toEqual([`/${project}-web-1`]);
  });

  it('does not run again while a replica is running', async () => {
    const r = await run('up', '-d', '--dry-run');
    expect(r.stdout).not.toMatch(/pre_start/);
  });

  it('a failing hook fails the service, names it, and is kept until down', async () => {
    const r = await run('--profile', 'bad', 'up', '-d', 'bad');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/service "bad" pre_start\[0\] exited with status 3: cannot migrate/);
    const bad = await engine.inspectContainer(`${project}-bad-1`);
    expect(bad.State?.Running).toBe(false);
    const kept = await engine.inspectContainer(`${project}-bad-1-pre_start-1`);
    expect(kept.State?.ExitCode).toBe(3);
    expect((await run('ps', '-a', '--format', '{{.Name}}')).stdout).not.toMatch(/pre_start/);
    const down = await run('--profile', 'bad', 'down', '-v');
    expect(down.code, down.stderr).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
