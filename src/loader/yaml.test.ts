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
  it('rejects duplicate keys', () => {
    expect(() => parseYaml('a: 1\na: 2\n', 'c.yaml')).toThrow(/^c\.yaml:2:1: .*[Uu]nique/);
  });
  it('handles empty and multi-document files', () => {
    expect(parseYaml('', 'c.yaml')[0]!.data).toBeNull();
    expect(parseYaml('a: 1\n---\nb: 2\n', 'c.yaml').map((d) => d.data)).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
