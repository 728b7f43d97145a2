import { describe, expect, it } from 'vitest';
import { isValidProjectName, normalizeProjectName, resolveProjectName, INVALID_PROJECT_NAME } from './project-name.js';

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
    expect(resolveProjectName({ flag: 'p', env: 'e', fileNames: ['f'], projectDir: dir })).toEqual({ name: 'p', source: 'flag' });
    expect(resolveProjectName({ env: 'e', fileNames: ['f'], projectDir: dir })).toEqual({ name: 'e', source: 'env' });
    expect(resolveProjectName({ fileNames: ['first', undefined, 'Last One', ''], projectDir: dir })).toEqual({
      name: 'lastone',
      source: 'file',
    });
    expect(resolveProjectName({ projectDir: dir })).toEqual({ name: 'myproject', source: 'directory' });
  });
  it('rejects invalid explicit names without normalising them', () => {
    expect(() => resolveProjectName({ flag: 'Bad', projectDir: '/x' })).toThrow(INVALID_PROJECT_NAME);
    expect(() => resolveProjectName({ env: '_bad', projectDir: '/x' })).toThrow(INVALID_PROJECT_NAME);
    expect(() => resolveProjectName({ flag: '', projectDir: '/x' })).toThrow(/empty/);
    expect(() => resolveProjectName({ projectDir: '/___' })).toThrow(/could not be derived/);
  });
});
