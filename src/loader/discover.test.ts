import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverComposeFiles, resolveComposeFiles, resolveProjectOptions } from './discover.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'capstan-discover-'));
}

describe('discoverComposeFiles', () => {
  it('prefers compose.yaml, warns about several, adds the override, walks up', () => {
    const dir = tmp();
    for (const f of ['compose.yaml', 'docker-compose.yml', 'compose.override.yml']) writeFileSync(join(dir, f), 'services: {}\n');
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    const warnings: string[] = [];
    expect(discoverComposeFiles(join(dir, 'a/b'), (w) => warnings.push(w))).toEqual([
      join(dir, 'compose.yaml'),
      join(dir, 'compose.override.yml'),
    ]);
    expect(warnings[0]).toMatch(/Found multiple config files/);
  });
  it('prefers compose.override.yml over compose.override.yaml (compose-go DefaultOverrideFileNames)', () => {
    const dir = tmp();
    for (const f of ['compose.yaml', 'compose.override.yaml', 'compose.override.yml']) writeFileSync(join(dir, f), 'services: {}\n');
    expect(discoverComposeFiles(dir, () => undefined)).toEqual([join(dir, 'compose.yaml'), join(dir, 'compose.override.yml')]);
  });
  it('returns undefined when nothing is found', () => {
    expect(discoverComposeFiles('/proc/self')).toBeUndefined();
  });
});

describe('resolveComposeFiles', () => {
  it('uses -f, then COMPOSE_FILE with COMPOSE_PATH_SEPARATOR', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.yml'), '');
    writeFileSync(join(dir, 'b.yml'), '');
    expect(resolveComposeFiles({ files: ['a.yml', '-'], env: {}, cwd: dir })).toEqual([join(dir, 'a.yml'), '-']);
    expect(resolveComposeFiles({ env: { COMPOSE_FILE: 'a.yml:b.yml' }, cwd: dir })).toEqual([join(dir, 'a.yml'), join(dir, 'b.yml')]);
    expect(resolveComposeFiles({ env: { COMPOSE_FILE: 'a.yml;b.yml', COMPOSE_PATH_SEPARATOR: ';' }, cwd: dir })).toHaveLength(2);
  });
  it('fails on missing files and when discovery finds nothing', () => {
    const dir = tmp();
    expect(() => resolveComposeFiles({ files: ['nope.yml'], env: {}, cwd: dir })).toThrow(/no such file/);
    expect(() => resolveComposeFiles({ env: {}, cwd: '/proc/self' })).toThrow(/no configuration file provided/);
    expect(() => resolveComposeFiles({ env: {}, cwd: '/proc/self' })).toThrow(expect.objectContaining({ code: 'NO_CONFIG_FILE' }));
  });
});

describe('resolveProjectOptions', () => {
  it('reads .env under the OS environment; ${VAR} in it sees the OS value first', async () => {
    const dir = tmp();
    writeFileSync(join(dir, '.env'), 'FOO=foo\nBAR=${FOO}\n');
    const plain = await resolveProjectOptions({ cwd: dir, projectDirectory: dir, env: {} });
    expect(plain.environment).toEqual({ FOO: 'foo', BAR: 'foo' });
    const os = await resolveProjectOptions({ cwd: dir, projectDirectory: dir, env: { FOO: 'zot' } });
    expect(os.environment).toEqual({ FOO: 'zot', BAR: 'zot' });
    expect(os.files).toEqual([]); // nothing found is not an error at this stage
    expect((await resolveProjectOptions({ cwd: dir, env: {}, noDotEnv: true })).environment).toEqual({});
  });
  it('discovers from --project-directory, relative to cwd, and takes the .env found there', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'proj'));
    writeFileSync(join(dir, 'proj', 'compose.yaml'), 'services: {}\n');
    writeFileSync(join(dir, 'proj', '.env'), 'COMPOSE_PROJECT_NAME=from_env\n');
    const o = await resolveProjectOptions({ cwd: dir, projectDirectory: 'proj/', env: {} });
    expect(o.files).toEqual([join(dir, 'proj', 'compose.yaml')]);
    expect(o.workingDir).toBe(join(dir, 'proj'));
    expect(o.environment.COMPOSE_PROJECT_NAME).toBe('from_env');
  });
  it('checks -p at once, accepts an empty one, and fails on a missing --env-file', async () => {
    const dir = tmp();
    await expect(resolveProjectOptions({ cwd: dir, env: {}, projectName: '-my_project' })).rejects.toThrow('invalid project name "-my_project"');
    expect((await resolveProjectOptions({ cwd: dir, env: {}, projectName: '' })).projectName).toBeUndefined();
    await expect(resolveProjectOptions({ cwd: dir, env: {}, envFiles: ['nope.env'] })).rejects.toThrow(/couldn't find env file/);
  });
});
