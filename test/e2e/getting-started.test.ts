import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, capstan, cleanup, httpGet, leftovers, uniqueProject, freePort } from './helpers.js';

/**
 * Issue 2 acceptance: the getting-started example (Flask + Redis, built from Dockerfiles on
 * debian:bookworm) under a unique project name: `up -d --wait`, two requests count 1 and 2,
 * `ps --format json` lists both services running, `down` leaves nothing with the project label.
 */
const project = uniqueProject('gs');
const cwd = join(ROOT, 'examples', 'getting-started');

describe('examples/getting-started', () => {
  afterAll(() => cleanup(project));

  it('comes up, counts visits, lists its services, and goes away completely', async () => {
    const env = { WEB_PORT: String(await freePort()) };
    const up = await capstan(['-p', project, 'up', '-d', '--wait'], { cwd, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`Container ${project}-web-1  Healthy`);

    expect(await httpGet(`http://localhost:${env.WEB_PORT}/`)).toBe('Hello World! I have been seen 1 times.\n');
    expect(await httpGet(`http://localhost:${env.WEB_PORT}/`)).toBe('Hello World! I have been seen 2 times.\n');

    const ps = await capstan(['-p', project, 'ps', '--format', 'json'], { cwd, env });
    expect(ps.code).toBe(0);
    const rows = ps.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.Service).sort()).toEqual(['redis', 'web']);
    for (const row of rows) {
      expect(row.State).toBe('running');
      expect(row.Project).toBe(project);
    }
    expect(rows.find((r) => r.Service === 'web')?.Name).toBe(`${project}-web-1`);

    // A second `up` is a no-op: the plan is empty.
    const again = await capstan(['-p', project, 'up', '-d', '--dry-run'], { cwd, env });
    expect(again.stdout).toContain('(0 changes, 3 up to date)');

    const down = await capstan(['-p', project, 'down'], { cwd, env });
    expect(down.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
