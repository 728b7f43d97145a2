import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, capstan, cleanup, engine, leftovers, uniqueProject, freePort } from '../helpers.js';

/** One HTTP request through nginx; the status and the parsed JSON body. */
async function api(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as unknown };
}

/**
 * Issue 12, example 4: examples/flask-docstore-nginx (a Flask document API on PostgreSQL JSONB,
 * nginx in front, two bridge networks, a named volume) under its own project name and host
 * port: POST a document, GET it back, find it by containment, and it survives `down` / `up`
 * (the volume stays) until `down -v` removes the volume.
 */
const project = uniqueProject('fdn');
const cwd = join(ROOT, 'examples', 'flask-docstore-nginx');

describe('examples/flask-docstore-nginx', () => {
  afterAll(async () => {
    await cleanup(project);
    for (const s of ['nginx', 'app', 'db']) await engine.removeImage(`${project}-${s}`, { force: true }).catch(() => undefined);
  });

  it('stores and reads documents through nginx; they survive down/up; down -v removes them', async () => {
    const env = { WEB_PORT: String(await freePort()) };
    const base = `http://localhost:${env.WEB_PORT}/api/docs`;
    const up = await capstan(['-p', project, 'up', '-d', '--wait'], { cwd, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);

    const doc = { title: 'Ship the examples', type: 'note', tags: ['compose', 'jsonb'], stars: 5, meta: { by: 'e2e', done: false } };
    const post = (body: unknown) =>
      api(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post(doc);
    expect(created.status).toBe(201);
    const id = (created.body as { _id: string })._id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await api(`${base}/${id}`)).toEqual({ status: 200, body: { _id: id, ...doc } });

    // A second document, then a query by containment finds only the first.
    expect((await post({ title: 'Other', type: 'todo' })).status).toBe(201);
    expect(await api(`${base}?type=note`)).toEqual({ status: 200, body: [{ _id: id, ...doc }] });
    expect((await post([1, 2])).status).toBe(400);
    expect((await api(`${base}/00000000-0000-0000-0000-000000000000`)).status).toBe(404);

    // `down` keeps the named volume; `up` again finds the document.
    const down = await capstan(['-p', project, 'down'], { cwd, env });
    expect(down.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 1 });
    const again = await capstan(['-p', project, 'up', '-d', '--wait'], { cwd, env });
    expect(again.stderr).not.toMatch(/^error/m);
    expect(again.code).toBe(0);
    // The new db container found the cluster in the volume (the entrypoint did not run initdb).
    const logs = await capstan(['-p', project, 'logs', 'db'], { cwd, env });
    expect(logs.stdout).toContain('database system is ready to accept connections');
    expect(logs.stdout).not.toContain('created the cluster');
    expect(await api(`${base}/${id}`)).toEqual({ status: 200, body: { _id: id, ...doc } });

    // The database agrees: two JSONB rows.
    const psql = await capstan(['-p', project, 'exec', '-T', 'db', 'psql', '-U', 'postgres', '-d', 'docs', '-Atc',
      "select count(*), max(body->>'stars') from docs"], { cwd, env });
    expect(psql.stdout.trim()).toBe('2|5');

    // `down -v` removes the volume: nothing of the project is left.
    const downV = await capstan(['-p', project, 'down', '-v'], { cwd, env });
    expect(downV.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
