import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { locateIn, OverrideMarker, parseYaml, ResetMarker } from './yaml.js';

describe('parseYaml', () => {
  it('reads YAML 1.2 core plus legacy octal', () => {
    const [doc] = parseYaml('a: 0755\nb: 0o440\nc: yes\nd: 22:22\ne: 010\nf: 09\n', 'c.yaml');
    expect(doc!.data).toEqual({ a: 493, b: 288, c: 'yes', d: '22:22', e: 8, f: 9 });
  });
  it('resolves anchors, aliases and merge keys without an alias cap', () => {
    const services = Array.from({ length: 150 }, (_, i) => `  s${i}:\n    <<: *base\n    image: i${i}`).join('\n');
    const [doc] = parseYaml(`x-base: &base\n  restart: always\n  image: dflt\nservices:\n${services}\n`, 'c.yaml');
    const data = doc!.data as { services: Record<string, unknown> };
    expect(Object.keys(data.services)).toHaveLength(150);
    expect(data.services.s149).toEqual({ restart: 'always', image: 'i149' });
  });
  it('keeps !reset and !override markers', () => {
    const [doc] = parseYaml('a: !reset null\nb: !override [1]\nc: !reset []\nd: !override {x: 1}\n', 'c.yaml');
    const d = doc!.data as Record<string, unknown>;
    expect(d.a).toBeInstanceOf(ResetMarker);
    expect(d.c).toBeInstanceOf(ResetMarker);
    expect(d.b).toEqual(new OverrideMarker([1]));
    expect(d.d).toEqual(new OverrideMarker({ x: 1 }));
  });
  it('locates keys and values, including through merge keys', () => {
    const docs = parseYaml('x: &b\n  k: v\nservices:\n  web:\n    <<: *b\n    image: nginx\n', 'c.yaml');
    const doc = docs[0]!;
    expect(doc.locate(['services', 'web', 'image'])).toEqual({ line: 6, column: 12 });
    expect(doc.locate(['services', 'web', 'image'], { key: true })).toEqual({ line: 6, column: 5 });
    expect(doc.locate(['services', 'web', 'k'])).toEqual({ line: 2, column: 6 });
    expect(doc.locate(['services', 'nope'])).toBeUndefined();
    expect(locateIn(docs, ['services', 'web', 'nope'])).toEqual({ file: 'c.yaml', line: 4, column: 3 });
  });
  it('reports syntax errors with file, line and column', () => {
    let err: unknown;
    try {
      parseYaml('services:\n  web:\n    image: [unclosed\n', 'compose.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).file).toBe('compose.yaml');
    expect((err as LoaderError).line).toBeGreaterThan(0);
    expect((err as LoaderError).message).toMatch(/^compose\.yaml:\d+:\d+: /);
  });
  it('rejects duplicate keys, also in large mappings', () => {
    expect(() => parseYaml('a: 1\na: 2\n', 'c.yaml')).toThrow(/^c\.yaml:2:1: a: mapping key "a" already defined at line 1$/);
    expect(() => parseYaml('s:\n  x: 1\n  y: !reset 2\n  x: 3\n', 'c.yaml')).toThrow('c.yaml:4:3: s.x: mapping key "x" already defined at line 2');
    const big = Array.from({ length: 5_000 }, (_, i) => `  k${i}: v`).join('\n');
    const [doc] = parseYaml(`m:\n${big}\n`, 'c.yaml');
    expect(Object.keys((doc!.data as { m: object }).m)).toHaveLength(5_000);
  });
  it('handles empty and multi-document files', () => {
    expect(parseYaml('', 'c.yaml')[0]!.data).toBeNull();
    expect(parseYaml('a: 1\n---\nb: 2\n', 'c.yaml').map((d) => d.data)).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

/** The LoaderError thrown by `fn` (fails the test when nothing or something else is thrown). */
function loaderError(fn: () => unknown): LoaderError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LoaderError);
    return err as LoaderError;
  }
  throw new Error('expected a LoaderError');
}

/** `levels` anchors, each a sequence of `fanout` aliases to the previous one (a "billion laughs"). */
function laughs(levels: number, fanout: number): string {
  let y = 'name: test\nx-a0: &a0 {k: v}\n';
  for (let l = 1; l <= levels; l++) y += `x-a${l}: &a${l} [${Array(fanout).fill(`*a${l - 1}`).join(', ')}]\n`;
  return `${y}services:\n  svc:\n    image: alpine\n`;
}

describe('parseYaml aliases and merge keys', () => {
  it('copies aliased values, so no two places share an object', () => {
    const [doc] = parseYaml('x: &e {A: "1", L: [1]}\nservices:\n  a: {environment: *e}\n  b: {<<: *e}\n', 'c.yaml');
    const d = doc!.data as { x: object; services: { a: { environment: { L: number[] } }; b: { L: number[] } } };
    expect(d.services.a.environment).toEqual({ A: '1', L: [1] });
    expect(d.services.a.environment).not.toBe(d.x);
    expect(d.services.b.L).toEqual([1]);
    expect(d.services.b.L).not.toBe(d.services.a.environment.L);
  });
  it('merges a sequence of mappings, an alias to one, and keeps explicit keys first', () => {
    const src = 'x-l: &l\n  - {image: a, restart: no}\n  - {image: b, user: u}\nx-m: &m {image: m, cpus: 1}\ns1: {<<: *l}\ns2: {<<: [*m, {image: z, tty: true}], image: own}\n';
    const [doc] = parseYaml(src, 'c.yaml');
    const d = doc!.data as Record<string, unknown>;
    expect(d.s1).toEqual({ image: 'a', restart: 'no', user: 'u' });
    expect(d.s2).toEqual({ image: 'own', cpus: 1, tty: true });
  });
  it('rejects a merge key whose value is no mapping', () => {
    const err = loaderError(() => parseYaml('x: &s "not-a-map"\nservices:\n  s1:\n    <<: *s\n', 'c.yaml'));
    expect(err.message).toBe('c.yaml:4:9: map merge requires map or sequence of maps as the value');
    expect(() => parseYaml('a:\n  <<: [{x: 1}, 2]\n', 'c.yaml')).toThrow(/2:16: map merge requires map/);
  });
  it('keeps !reset / !override through aliases and merge keys', () => {
    const src = 'x-r: &r\n  ports: !reset []\nx-o: &o !override {a: 1}\ns1: {<<: *r}\ns2: {ports: *o}\n';
    const [doc] = parseYaml(src, 'c.yaml');
    const d = doc!.data as { s1: { ports: unknown }; s2: { ports: unknown } };
    expect(d.s1.ports).toBeInstanceOf(ResetMarker);
    expect(d.s2.ports).toEqual(new OverrideMarker({ a: 1 }));
  });
  it('accepts shared anchors that are no cycle', () => {
    const src = 'services:\n  test.unit: &shared\n    image: alpine\n  test: *shared\n  test.other: *shared\n';
    const [doc] = parseYaml(src, 'c.yaml');
    expect(Object.keys((doc!.data as { services: object }).services)).toEqual(['test.unit', 'test', 'test.other']);
  });
  it('reports an alias cycle as compose-go does, instead of overflowing the stack', () => {
    const err = loaderError(() => parseYaml('x-healthcheck: &healthcheck\n  egress-service:\n    <<: *healthcheck\n', 'c.yaml'));
    expect(err.reason).toBe(
      'cycle detected: node at path x-healthcheck.egress-service.egress-service references node at path x-healthcheck.egress-service',
    );
    expect([err.line, err.column]).toEqual([3, 9]);
  });
  it('reports unknown anchors', () => {
    expect(() => parseYaml('a: *nope\n', 'c.yaml')).toThrow("c.yaml:1:4: a: unknown anchor 'nope' referenced");
  });
  it('refuses alias bombs quickly with go-yaml\'s message', () => {
    const started = Date.now();
    const err = loaderError(() => parseYaml(laughs(9, 9), 'c.yaml'));
    expect(err.reason).toBe('document contains excessive aliasing');
    expect(err.line).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });
  it('accepts heavy but legitimate alias use', () => {
    const [small] = parseYaml(laughs(3, 5), 'c.yaml');
    expect((small!.data as Record<string, unknown[][][]>)['x-a3']![4]![4]![4]).toEqual({ k: 'v' });
    const env = Array.from({ length: 20 }, (_, i) => `  K${i}: v${i}`).join('\n');
    const services = Array.from({ length: 100 }, (_, i) => `  s${i}:\n    image: x\n    environment: *env`).join('\n');
    const [doc] = parseYaml(`x-env: &env\n${env}\nservices:\n${services}\n`, 'c.yaml');
    const s99 = (doc!.data as { services: Record<string, { environment: Record<string, string> }> }).services.s99!;
    expect(Object.keys(s99.environment)).toHaveLength(20);
  });
});

describe('parseYaml node visit limit', () => {
  const wide = (n: number) => `name: test\nx-data:\n${Array.from({ length: n }, (_, i) => `  k${i}: v`).join('\n')}\n`;
  it('fails beyond maxNodeVisits', () => {
    const err = loaderError(() => parseYaml(wide(200), 'c.yaml', { maxNodeVisits: 150 }));
    expect(err.reason).toBe('compose file exceeds maximum node visit limit (150)');
    expect(err.file).toBe('c.yaml');
  });
  it('counts the document, not the alias expansion', () => {
    expect(() => parseYaml(wide(140), 'c.yaml', { maxNodeVisits: 150 })).not.toThrow();
    const src = `x: &x {${Array.from({ length: 50 }, (_, i) => `k${i}: v`).join(', ')}}\n${Array.from({ length: 40 }, (_, i) => `a${i}: *x`).join('\n')}\n`;
    expect(() => parseYaml(src, 'c.yaml', { maxNodeVisits: 100 })).not.toThrow();
  });
});

describe('parseYaml keys and errors', () => {
  it('rejects non-string keys with their key path', () => {
    expect(loaderError(() => parseYaml('123:\n  foo: 1\n', 'c.yaml')).reason).toBe('non-string key at top level: 123');
    expect(loaderError(() => parseYaml('services:\n  s:\n    environment:\n      1: FOO\n', 'c.yaml')).reason).toBe(
      'non-string key in services.s.environment: 1',
    );
    expect(loaderError(() => parseYaml('n:\n  c:\n    - 123: x\n', 'c.yaml')).reason).toBe('non-string key in n.c[0]: 123');
    expect(loaderError(() => parseYaml('a:\n  true: x\n  ~: y\n', 'c.yaml')).reason).toBe('non-string key in a: true');
  });
  it('accepts quoted and tagged numeric keys', () => {
    const [doc] = parseYaml('a:\n  "1": x\n  !!str 2: y\n  "<<": z\n', 'c.yaml');
    expect(doc!.data).toEqual({ a: { '1': 'x', '2': 'y', '<<': 'z' } });
  });
  it('keeps a __proto__ key as data', () => {
    const [doc] = parseYaml('a:\n  __proto__: {x: 1}\n', 'c.yaml');
    const a = (doc!.data as { a: Record<string, unknown> }).a;
    expect(Object.keys(a)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
  });
  it('words a tab indentation as go-yaml does', () => {
    const err = loaderError(() => parseYaml('services:\n  web:\n    image: nginx\n\tbuild: .\n', 'c.yaml'));
    expect(err.message).toBe('c.yaml:4:1: found a tab character that violates indentation');
  });
  it('reports too deep nesting without a RangeError', () => {
    const err = loaderError(() => parseYaml(`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'c.yaml'));
    expect(err.reason).toMatch(/nested too deeply/);
  });
});
