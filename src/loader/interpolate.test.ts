import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { castTree, formatKeyPath, interpolate, interpolateTree, TemplateError } from './interpolate.js';
import { parseYaml } from './yaml.js';

const env: Record<string, string> = { FOO: 'first', EMPTY: '' };
const lookup = (k: string) => env[k];
const run = (t: string) => interpolate(t, lookup);

describe('interpolate', () => {
  it('substitutes $V and ${V}', () => {
    expect(run('a $FOO b')).toBe('a first b');
    expect(run('a ${FOO}b')).toBe('a firstb');
    expect(run('$FOO-bar')).toBe('first-bar');
    expect(run('${MISSING}')).toBe('');
  });
  it('$$ is a literal dollar and $ before a non-name char is literal', () => {
    expect(run('$${FOO} $$FOO')).toBe('${FOO} $FOO');
    expect(run('a $ b $} $1 ^x$')).toBe('a $ b $} $1 ^x$');
  });
  it(':- uses the default when unset or empty', () => {
    expect(run('${MISSING:-d}')).toBe('d');
    expect(run('${EMPTY:-d}')).toBe('d');
    expect(run('${FOO:-d}')).toBe('first');
  });
  it('- uses the default only when unset', () => {
    expect(run('${MISSING-d}')).toBe('d');
    expect(run('${EMPTY-d}')).toBe('');
    expect(run('${FOO-d}')).toBe('first');
  });
  it(':? errors when unset or empty', () => {
    expect(run('${FOO:?boom}')).toBe('first');
    expect(() => run('${EMPTY:?boom}')).toThrow('required variable EMPTY is missing a value: boom');
    expect(() => run('${MISSING:?}')).toThrow(/^required variable MISSING is missing a value$/);
  });
  it('? errors only when unset', () => {
    expect(run('${EMPTY?boom}')).toBe('');
    expect(() => run('${MISSING?boom $FOO}')).toThrow('required variable MISSING is missing a value: boom first');
    try {
      run('${MISSING?x}');
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as TemplateError).kind).toBe('required');
      expect((e as TemplateError).variable).toBe('MISSING');
    }
  });
  it(':+ gives the alternate when set and non-empty', () => {
    expect(run('${FOO:+alt}')).toBe('alt');
    expect(run('${EMPTY:+alt}')).toBe('');
    expect(run('${MISSING:+alt}')).toBe('');
  });
  it('+ gives the alternate when set', () => {
    expect(run('${FOO+alt}')).toBe('alt');
    expect(run('${EMPTY+alt}')).toBe('alt');
    expect(run('${MISSING+alt}')).toBe('');
  });
  it('nests and counts braces', () => {
    expect(run('${A:-${B:-x}}')).toBe('x');
    expect(run('${A:-${B:-x}_y_${FOO}}')).toBe('x_y_first');
    expect(run('${A:-{"json":1}}')).toBe('{"json":1}');
  });
  it('the first operator in the text wins', () => {
    expect(run('${MISSING-a:?b}')).toBe('a:?b');
    expect(() => run('${MISSING?a:-b}')).toThrow('missing a value: a:-b');
  });
  it('rejects malformed templates', () => {
    for (const t of ['${', '${}', '${ }', '${ foo}', '${foo }', '${foo!}', '${1A}', 'x ${FOO']) {
      expect(() => run(t), t).toThrow(/Invalid template/);
    }
  });
  it('reports unset variables lazily', () => {
    const unset: string[] = [];
    interpolate('${A:+${A},}B $C ${D:-${E}} ${FOO?${G}}', lookup, { onUnset: (n) => unset.push(n) });
    expect(unset).toEqual(['C', 'E']);
  });
});

describe('interpolateTree', () => {
  it('interpolates values, never keys', () => {
    const tree = { services: { $FOO: { image: 'x:${FOO}', list: ['$FOO', 1, true, null] } } };
    expect(interpolateTree(tree, lookup)).toEqual({
      services: { $FOO: { image: 'x:first', list: ['first', 1, true, null] } },
    });
  });
  it('reports errors with file, line, column and key path', () => {
    const [doc] = parseYaml('services:\n  web:\n    image: "${TAG:?set TAG}"\n', 'compose.yaml');
    let err: unknown;
    try {
      interpolateTree(doc!.data, lookup, { file: doc!.file, locate: (p) => doc!.locate(p) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).message).toBe(
      'compose.yaml:3:12: services.web.image: required variable TAG is missing a value: set TAG',
    );
  });
  it('formats key paths', () => {
    expect(formatKeyPath(['services', 'web', 'ports', 0])).toBe('services.web.ports[0]');
  });
});

describe('castTree', () => {
  it('casts strings at typed attributes only', () => {
    const tree = {
      services: {
        web: {
          image: '555',
          deploy: { replicas: '3', update_config: { max_failure_ratio: '0.5' } },
          ports: [{ target: '80', published: '8080' }],
          ulimits: { nproc: '65535', nofile: { soft: '1', hard: '2' } },
          privileged: 'TRUE',
          labels: { a: 'true' },
        },
      },
      networks: { n: { external: 'false' } },
    };
    expect(castTree(tree)).toEqual({
      services: {
        web: {
          image: '555',
          deploy: { replicas: 3, update_config: { max_failure_ratio: 0.5 } },
          ports: [{ target: 80, published: '8080' }],
          ulimits: { nproc: 65535, nofile: { soft: 1, hard: 2 } },
          privileged: true,
          labels: { a: 'true' },
        },
      },
      networks: { n: { external: false } },
    });
  });
  it('warns on YAML 1.1 booleans and keeps uninterpolated templates', () => {
    const warnings: string[] = [];
    const out = castTree({ services: { a: { tty: 'yes', scale: '${N}' } } }, { onWarning: (m) => warnings.push(m) });
    expect(out).toEqual({ services: { a: { tty: true, scale: '${N}' } } });
    expect(warnings).toEqual(['services.a.tty: "yes" is a YAML 1.1 boolean; Compose reads it as true, write true instead']);
  });
  it('reports values that do not cast, with their position', () => {
    expect(() => castTree({ services: { a: { privileged: 'maybe' } } }, { locate: () => ({ file: 'c.yaml', line: 3, column: 17 }) })).toThrow(
      'c.yaml:3:17: services.a.privileged: failed to cast to expected type: invalid boolean: "maybe"',
    );
    expect(() => castTree({ services: { a: { deploy: { replicas: 'two' } } } })).toThrow(/invalid integer: "two"/);
  });
});
