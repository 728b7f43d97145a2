import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { applyExtends, type ExtendsContext } from './extends.js';
import { parseYaml } from './yaml.js';

type Plain = Record<string, unknown>;
const y = (s: string) => parseYaml(s, 'x.yaml')[0]!.data as Plain;

/** A context whose base files are the given raw trees (markers kept, as the YAML stage gives them). */
function ctx(files: Record<string, string>, dir = '/p'): ExtendsContext & { asked: string[] } {
  const asked: string[] = [];
  return {
    file: '/p/compose.yaml',
    dir,
    absolutePaths: true,
    asked,
    loadBase: async (f) => {
      asked.push(f);
      if (!(f in files)) throw new LoaderError(`cannot read ${f}`);
      return y(files[f]!);
    },
  };
}

describe('applyExtends', () => {
  it('applies !reset / !override written in a base file to that file’s own extends chain', async () => {
    const c = ctx({
      '/p/lib/base.yaml':
        'services:\n  init:\n    image: alpine\n    command: sleep\n    volumes: [/foo:/foo]\n  base:\n    extends: init\n    command: !reset\n    volumes: !override [/bar:/bar]\n',
    });
    const out = await applyExtends(y('services:\n  test:\n    extends: {file: lib/base.yaml, service: base}\n    volumes: [/zot:/zot]\n'), c);
    expect(out.services).toEqual({ test: { image: 'alpine', volumes: ['/bar:/bar', '/zot:/zot'] } });
  });
  it('drops markers left in a base that extends nothing', async () => {
    const c = ctx({ '/p/base.yaml': 'services:\n  b:\n    image: x\n    command: !reset\n    ports: !override ["80:80"]\n' });
    const out = await applyExtends(y('services:\n  s:\n    extends: {file: base.yaml, service: b}\n'), c);
    expect(out.services).toEqual({ s: { image: 'x', ports: ['80:80'] } });
  });
  it('resolves extends.file against the project directory, and nested ones against the base file directory', async () => {
    const c = ctx(
      {
        '/proj/dir/extended.yaml': 'services:\n  e:\n    extends: {file: deeper/more.yaml, service: m}\n    build: ./ctx\n',
        '/proj/dir/deeper/more.yaml': 'services:\n  m:\n    image: alpine\n    env_file: m.env\n',
      },
      '/proj',
    );
    const out = await applyExtends(y('services:\n  included:\n    extends: {file: dir/extended.yaml, service: e}\n'), c);
    expect(c.asked).toEqual(['/proj/dir/extended.yaml', '/proj/dir/deeper/more.yaml']);
    expect(out.services).toEqual({ included: { image: 'alpine', env_file: '/proj/dir/deeper/m.env', build: '/proj/dir/ctx' } });
  });
  it('does not invent a build context for a base without one', async () => {
    const c = ctx({ '/p/b/compose.yaml': 'services:\n  b:\n    build:\n      target: fake\n' });
    const out = await applyExtends(y('services:\n  b:\n    extends: {file: ./b/compose.yaml, service: b}\n'), c);
    expect(out.services).toEqual({ b: { build: { target: 'fake' } } });
  });
  it('reports a missing base file or service as a LoaderError naming the key', async () => {
    const c = ctx({ '/p/base.yaml': 'services:\n  b: {image: x}\n' });
    await expect(applyExtends(y('services:\n  s:\n    extends: {file: missing.yaml, service: b}\n'), c)).rejects.toThrow(LoaderError);
    await expect(applyExtends(y('services:\n  s:\n    extends: {file: base.yaml, service: nope}\n'), c)).rejects.toMatchObject({
      keyPath: 'services.s.extends',
    });
  });
});
