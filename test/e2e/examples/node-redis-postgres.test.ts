import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, capstan, cleanup, engine, httpGet, leftovers, uniqueProject, freePort } from '../helpers.js';

/** The host's CA bundle: npm in the web image reaches the registry through the host's TLS-intercepting proxy. */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/**
 * Issue 12, example 1: examples/node-redis-postgres (Express counter persisted in PostgreSQL,
 * cached in Redis; `.env` credentials; healthchecks and `service_healthy` dependencies; named
 * volumes; the source bind-mounted with node_modules shielded by an anonymous volume) under its
 * own project name and host port: the counter goes 1, 2; after `down` and `up` it goes on at 3,
 * as `exec db psql` and `exec redis redis-cli` agree; after `down -v` and `up` it starts at 1.
 */
const project = uniqueProject('nrp');
const cwd = join(ROOT, 'examples', 'node-redis-postgres');
const caCopy = join(cwd, 'web', 'host-ca.crt');
const copiedCa = !existsSync(caCopy) && existsSync(HOST_CA);
/** The mount point of the node_modules volume inside the bind-mounted source, created by the engine. */
const hostModules = join(cwd, 'web', 'node_modules');
const hadModules = existsSync(hostModules);
/** Anonymous volumes (the node_modules shield) that a plain `down` leaves behind, as docker compose does. */
const anonymous = new Set<string>();

describe('examples/node-redis-postgres', () => {
  afterAll(async () => {
    try {
      // A second try: a run cut short may leave a removal in progress.
      await cleanup(project).catch(() => new Promise((r) => setTimeout(r, 2000)).then(() => cleanup(project)));
      for (const name of anonymous) await engine.removeVolume(name, true).catch(() => undefined);
      await engine.removeImage(`${project}-db`, { force: true }).catch(() => undefined);
    } finally {
      if (copiedCa) rmSync(caCopy, { force: true });
      // rmdir, not rm -r: only the empty mount point this run made goes.
      if (!hadModules && existsSync(hostModules)) rmdirSync(hostModules);
    }
  });

  it('counts 1, 2, keeps the count across down/up (psql agrees), and starts over after down -v', async () => {
    if (copiedCa) copyFileSync(HOST_CA, caCopy);
    const env = { NODE_REDIS_POSTGRES_PORT: String(await freePort()) };
    const page = (n: number) => `Hello from Express! This page has been viewed ${n} times.\n`;
    const visit = () => httpGet(`http://127.0.0.1:${env.NODE_REDIS_POSTGRES_PORT}/`);
    // The first `up` builds three images from debian:bookworm (apt, npm install): minutes on a busy machine.
    const run = (args: string[]) => capstan(['-p', project, ...args], { cwd, env, timeoutMs: 900_000 });
    const up = async () => {
      const res = await run(['up', '-d', '--wait']);
      expect(res.stderr).not.toMatch(/^error/m);
      expect(res.code).toBe(0);
      const web = await engine.inspectContainer(`${project}-web-1`);
      for (const m of web.Mounts ?? []) if (m.Type === 'volume' && m.Destination === '/app/node_modules') anonymous.add(m.Name!);
      return { res, web };
    };
    const psql = async () => {
      const res = await run(['exec', '-T', 'db', 'psql', '-U', 'counter', '-d', 'counter', '-tAc', 'select hits from counter']);
      expect(res.code).toBe(0);
      return res.stdout.trim();
    };

    const first = await up();
    for (const s of ['db', 'redis', 'web']) expect(first.res.stderr).toContain(`Container ${project}-${s}-1  Healthy`);
    // The source comes from the host; node_modules from the image, through an anonymous volume.
    const mounts = first.web.Mounts ?? [];
    expect(mounts.find((m) => m.Destination === '/app')).toMatchObject({ Type: 'bind', Source: join(cwd, 'web') });
    expect(mounts.find((m) => m.Destination === '/app/node_modules')?.Type).toBe('volume');
    // On the host the engine only created the (empty) mount point.
    expect(readdirSync(hostModules)).toEqual([]);
    const ls = await run(['exec', '-T', 'web', 'ls', '/app/node_modules']);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['express', 'pg', 'redis']));

    expect(await visit()).toBe(page(1));
    expect(await visit()).toBe(page(2));
    expect(await psql()).toBe('2');

    expect((await run(['down'])).code).toBe(0);
    expect((await engine.listVolumes({ label: [`com.docker.compose.project=${project}`] })).map((v) => v.Name).sort()).toEqual([
      `${project}_db-data`,
      `${project}_redis-data`,
    ]);
    await up();
    expect(await visit()).toBe(page(3));
    expect(await psql()).toBe('3');
    expect((await run(['exec', '-T', 'redis', 'redis-cli', 'get', 'hits'])).stdout.trim()).toBe('3');

    expect((await run(['down', '-v'])).code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await up();
    expect(await visit()).toBe(page(1));
    expect(await psql()).toBe('1');

    expect((await run(['down', '-v'])).code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  }, 1_200_000);
});
