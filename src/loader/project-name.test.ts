import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkProjectNameFlag,
  EMPTY_PROJECT_NAME,
  isValidProjectName,
  normalizeProjectName,
  resolveProjectName,
  INVALID_PROJECT_NAME,
} from './project-name.js';

describe('project name', () => {
  it('validates explicit names', () => {
    expect(isValidProjectName('my-app_1')).toBe(true);
    for (const bad of ['My-App', '_app', '-app', 'a b', 'app.x', '']) expect(isValidProjectName(bad), bad).toBe(false);
  });
  it('normalises derived names', () => {
    expect(normalizeProjectName('My App.Dir')).toBe('myappdir');
    expect(normalizeProjectName('__-Foo_Bar-')).toBe('foo_bar-');
    expect(normalizeProjectName('...')).toBe('');
  });
  it('follows -p > COMPOSE_PROJECT_NAME > name: > directory', () => {
    const dir = '/work/My Project';
    expect(resolveProjectName({ flag: 'p', env: 'e', fileNames: ['f'], projectDir: dir })).toEqual({ name: 'p' });
    expect(resolveProjectName({ env: 'e', fileNames: ['f'], projectDir: dir })).toEqual({ name: 'e' });
    expect(resolveProjectName({ fileNames: ['first', undefined, 'Last One', ''], projectDir: dir })).toEqual({ name: 'lastone' });
    expect(resolveProjectName({ projectDir: dir })).toEqual({ name: 'myproject' });
  });
  it('rejects invalid explicit names without normalising them', () => {
    expect(() => resolveProjectName({ env: '_bad', projectDir: '/x' })).toThrow(INVALID_PROJECT_NAME);
    expect(() => checkProjectNameFlag('www.my.project')).toThrow('invalid project name "www.my.project"');
  });
  it('treats an empty -p or COMPOSE_PROJECT_NAME as not given', () => {
    expect(() => checkProjectNameFlag('')).not.toThrow();
    expect(resolveProjectName({ flag: '', env: '', projectDir: '/path/to/proj' })).toEqual({ name: 'proj' });
  });
  it('fails with compose\'s message when no source gives a name', () => {
    expect(() => resolveProjectName({ projectDir: '/' })).toThrow(EMPTY_PROJECT_NAME);
    expect(() => resolveProjectName({ projectDir: '/___' })).toThrow(EMPTY_PROJECT_NAME);
    // Without a directory fallback (compose-go's LoadWithContext), a file name is still enough.
    expect(() => resolveProjectName({ fileNames: [undefined] })).toThrow(EMPTY_PROJECT_NAME);
    expect(resolveProjectName({ fileNames: ['Named'] }).name).toBe('named');
  });
  it('warns when the directory name comes through a symlink', () => {
    const root = mkdtempSync(join(tmpdir(), 'capstan-pn-'));
    mkdirSync(join(root, 'real-dir'));
    symlinkSync(join(root, 'real-dir'), join(root, 'link-dir'));
    const warnings: string[] = [];
    expect(resolveProjectName({ projectDir: join(root, 'link-dir'), onWarning: (w) => warnings.push(w) }).name).toBe('link-dir');
    expect(warnings).toEqual(['project has been loaded without an explicit name from a symlink. Using name "link-dir"']);
    warnings.length = 0;
    resolveProjectName({ projectDir: join(root, 'real-dir'), onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });
});
