import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, capstan, cleanup, engine, httpGet, leftovers, uniqueProject, freePort } from '../helpers.js';

/**
 * Issue 12, example 3: examples/flask-postgres-nginx (nginx → gunicorn/Flask → PostgreSQL, all
 * built FROM debian:bookworm) under its own project name and host port. Checked as a person
 * would: the page through nginx, `exec` into the containers for the network isolation
 * (`frontend` / `internal: true` `backend`), and `docker inspect` for the secret.
 */
const project = uniqueProject('fpn');
const cwd = join(ROOT, 'examples', 'flask-postgres-nginx');
const password = readFileSync(join(cwd, 'db_password.txt'), 'utf8').trim();

/** `capstan exec -T <service> <cmd…>` in this project. */
const exec = (env: Record<string, string>, service: string, ...cmd: string[]) =>
  capstan(['-p', project, 'exec', '-T', service, ...cmd], { cwd, env, timeoutMs: 30_000 });

/** The container's address on one of the project's networks. */
async function address(service: string, network: string): Promise<string> {
  const info = await engine.inspectContainer(`${project}-${service}-1`);
  const ip = info.NetworkSettings?.Networks?.[`${project}_${network}`]?.IPAddress;
  if (!ip) throw new Error(`${service} has no address on ${network}`);
  return ip;
}

/** Shell line that opens a TCP connection (bash's /dev/tcp), giving up after 3 s. */
const connect = (ip: string, port: number) => ['timeout', '3', 'bash', '-c', `echo > /dev/tcp/${ip}/${port}`];

describe('examples/flask-postgres-nginx', () => {
  afterAll(async () => {
    await cleanup(project);
    for (const s of ['nginx', 'app', 'db']) await engine.removeImage(`${project}-${s}`, { force: true }).catch(() => undefined);
  });

  it('serves the page through nginx; backend isolated; the password only as a read-only secret', async () => {
    const env = { WEB_PORT: String(await freePort()) };
    const up = await capstan(['-p', project, 'up', '-d', '--wait'], { cwd, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);

    // The page: nginx → Flask → PostgreSQL (Flask logged in with the secret's password).
    const page = await httpGet(`http://localhost:${env.WEB_PORT}/`);
    expect(page).toMatch(/<h1>Flask \+ PostgreSQL 15\.\d+/);
    expect(page).toContain('<li>Hello from PostgreSQL</li><li>Served by gunicorn</li><li>Proxied by nginx</li>');

    // nginx is on `frontend` only: it resolves `app` but not `db`, and cannot reach db's address.
    expect((await exec(env, 'nginx', 'getent', 'hosts', 'app')).code).toBe(0);
    const resolveDb = await exec(env, 'nginx', 'getent', 'hosts', 'db');
    expect(resolveDb.code).not.toBe(0);
    expect(resolveDb.stdout).toBe('');
    const dbIp = await address('db', 'backend');
    expect((await exec(env, 'nginx', ...connect(dbIp, 5432))).code).not.toBe(0);

    // db is on the internal `backend` only: nothing outside that network is reachable from it.
    // The target is app's `frontend` address, which nginx reaches (so it listens); from db the
    // packets either have no route (newer engines) or are dropped leaving the network (20.10).
    const appFront = await address('app', 'frontend');
    expect((await exec(env, 'nginx', ...connect(appFront, 8000))).code).toBe(0);
    expect((await exec(env, 'db', ...connect(appFront, 8000))).code).not.toBe(0);
    // …while inside `backend`, app still reaches db.
    expect((await exec(env, 'app', ...connect(dbIp, 5432))).code).toBe(0);

    // The secret: a read-only bind at /run/secrets/db_password, never in the environment.
    for (const service of ['db', 'app']) {
      const info = await engine.inspectContainer(`${project}-${service}-1`);
      const mount = info.Mounts?.find((m) => m.Destination === '/run/secrets/db_password');
      expect(mount?.RW).toBe(false);
      expect(info.Config?.Env?.join('\n')).not.toContain(password);
      expect(JSON.stringify(info)).not.toContain(password);
      const write = await exec(env, service, 'sh', '-c', 'echo changed > /run/secrets/db_password');
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/Read-only file system/);
    }
    expect((await engine.inspectContainer(`${project}-db-1`)).Config?.Env).toContain('POSTGRES_PASSWORD_FILE=/run/secrets/db_password');
    expect((await exec(env, 'db', 'cat', '/run/secrets/db_password')).stdout.trim()).toBe(password);
    // The password is enforced over TCP (`trust` is for the local socket only).
    const wrong = await exec(env, 'app', 'python3', '-c',
      "import psycopg2; psycopg2.connect(host='db', user='postgres', password='wrong', connect_timeout=3)");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('password authentication failed');

    // And the database agrees with the page.
    const psql = await exec(env, 'db', 'psql', '-U', 'postgres', '-Atc', 'select count(*) from greetings');
    expect(psql.stdout.trim()).toBe('3');

    const down = await capstan(['-p', project, 'down', '-v'], { cwd, env });
    expect(down.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
