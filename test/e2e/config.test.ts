import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { capstan, projectDir } from './helpers.js';

/** `capstan config` output as docker compose prints it (cmd/compose/config.go). No engine needed. */
const file = `services:
  web:
    image: busybox
    ports: ["\${WEB_PORT:-8000}:80"]
    depends_on: [db]
  db:
    image: "busybox:\${TAG?set TAG}"
`;
const dir = projectDir({ 'compose.yaml': file });

describe('config', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--services lists dependencies first', async () => {
    const r = await capstan(['-p', 'cfg', 'config', '--services'], { cwd: dir, env: { TAG: 'latest' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('db\nweb\n');
  });

  it('--variables prints NAME REQUIRED DEFAULT VALUE ALTERNATE VALUE', async () => {
    const r = await capstan(['-p', 'cfg', 'config', '--variables'], { cwd: dir });
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE']);
    expect(rows.map((l) => l.split(/\s{2,}/))).toEqual([['TAG', 'true'], ['WEB_PORT', 'false', '8000']]);
  });

  it('reads the compose file from stdin with -f - (the shared loader path of every command)', async () => {
    const r = await capstan(['-p', 'cfg', '-f', '-', '--project-directory', dir, 'config', '--images'], { input: file, env: { TAG: '1.36' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('busybox\nbusybox:1.36\n');
  });

  it('-f=path and -p=name mean -f path and -p name, as in docker compose (Go flags)', async () => {
    const r = await capstan([`-f=${dir}/compose.yaml`, '-p=cfg', 'config', '--services'], { env: { TAG: 'latest' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('db\nweb\n');
    const bad = await capstan(['-f=/nonexistent/compose.yaml', 'config'], {});
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('/nonexistent/compose.yaml');
  });
});
