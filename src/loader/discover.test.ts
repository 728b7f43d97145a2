import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverComposeFiles, resolveComposeFiles } from './discover.js';

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
