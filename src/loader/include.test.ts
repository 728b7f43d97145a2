import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { applyIncludes, parseIncludeEntries, resolveBareEnvironment, type IncludeEntry } from './include.js';

type Plain = Record<string, unknown>;

describe('parseIncludeEntries', () => {
  it('resolves path, project_directory and env_file against the given (project) directory', () => {
    expect(parseIncludeEntries([{ path: 'dir/a.yaml', project_directory: '.', env_file: 'x.env' }, 'b/c.yaml'], '/proj')).toEqual([
      { paths: ['/proj/dir/a.yaml'], projectDirectory: '/proj', envFiles: ['/proj/x.env'], explicitEnvFiles: true },
      { paths: ['/proj/b/c.yaml'], projectDirectory: '/proj/b', envFiles: ['/proj/b/.env'], explicitEnvFiles: false },
    ]);
  });
  it('rejects an entry without a path', () => {
    expect(() => parseIncludeEntries([{ env_file: 'x' }], '/p')).toThrow(LoaderError);
  });
});

describe('resolveBareEnvironment', () => {
  it('gives bare entries their value from the included environment', () => {
    const m = resolveBareEnvironment({ services: { b: { environment: ['VAR', 'X=1', 'MISSING'] }, c: { environment: { VAR: null, Y: 'y' } } } }, { VAR: 'value' });
    expect(m.services).toEqual({ b: { environment: ['VAR=value', 'X=1', 'MISSING'] }, c: { environment: { VAR: 'value', Y: 'y' } } });
  });
  it('leaves explicit values and services without environment alone', () => {
    const model = { services: { a: { environment: { VAR: 'own' } }, b: { image: 'b' } } };
    expect(resolveBareEnvironment(model, { VAR: 'value' })).toEqual(model);
  });
});

describe('applyIncludes', () => {
  const loaded: Record<string, Plain> = {
    '/p/one.yaml': { services: { s: { image: 'one', environment: ['V'] }, only1: { image: 'o' } } },
    '/p/two.yaml': { services: { s: { image: 'two' }, only2: { image: 't' } } },
  };
  const context = (stack: string[] = []) => ({
    dir: '/p',
    env: { V: 'parent' },
    stack,
    load: async (entry: IncludeEntry) => loaded[entry.paths[0]!]!,
  });
  it('lets the including file win, then the earlier include', async () => {
    const out = await applyIncludes({ include: ['one.yaml', 'two.yaml'], services: { mine: { image: 'm' } } }, context());
    expect(out.include).toBeUndefined();
    expect(out.services).toMatchObject({ s: { image: 'one', environment: ['V=parent'] }, only1: { image: 'o' }, only2: { image: 't' }, mine: { image: 'm' } });
    const own = await applyIncludes({ include: ['one.yaml', 'two.yaml'], services: { s: { image: 'mine' } } }, context());
    expect((own.services as Plain).s).toEqual({ image: 'mine', environment: ['V=parent'] });
  });
  it('detects include cycles', async () => {
    await expect(applyIncludes({ include: ['one.yaml'] }, context(['/p/one.yaml']))).rejects.toThrow(/include cycle detected/);
  });
});
