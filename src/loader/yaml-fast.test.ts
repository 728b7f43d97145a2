/**
 * The fast path of the YAML stage (js-yaml) against the positioned parse (the `yaml` package):
 * whenever the fast path reads a text, the positioned parse must read it too, to the same data.
 * Differential over the repository's and the conformance corpus's YAML files and over fuzzed
 * texts (fast-check); the inputs that once told them apart stay as regression cases.
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseYaml, parseYamlFast, parseYamlPositioned } from './yaml.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFORMANCE_DIR = process.env.CAPSTAN_CONFORMANCE_DIR ?? '/work/shared/conformance';

/** `undefined` when the fast path declines `text`, else a mismatch description or `''`. */
function compare(text: string): string | undefined {
  const fast = parseYamlFast(text, 'f.yaml', {});
  if (!fast) return undefined;
  let positioned: unknown[];
  try {
    positioned = parseYamlPositioned(text, 'f.yaml', {}).map((d) => d.data);
  } catch (err) {
    return `fast path read ${JSON.stringify(text)}, the positioned parse rejects it: ${(err as Error).message}`;
  }
  const data = fast.map((d) => d.data);
  return isDeepStrictEqual(data, positioned) ? '' : `${JSON.stringify(text)}: fast ${JSON.stringify(data)} vs ${JSON.stringify(positioned)}`;
}

function* yamlFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== '.git' && name !== 'dist') yield* yamlFiles(p);
    } else if (/\.ya?ml$/.test(name)) yield p;
  }
}

/** A compose file as the config benchmark writes it (bench/config.mjs). */
function benchFile(n: number): string {
  let y = 'services:\n';
  for (let i = 0; i < n; i++) {
    y += `  svc${i}:\n    image: "busybox:\${TAG:-1.36}"\n    command: ["sh", "-c", "echo ${i} && sleep 1"]\n`;
    y += `    environment:\n      - INDEX=${i}\n    ports:\n      - "${10000 + i}:80"\n    volumes:\n      - ./conf:/etc/conf:ro\n`;
    y += `    healthcheck:\n      test: ["CMD", "true"]\n      interval: 30s\n    networks: [front, back]\n`;
  }
  return `${y}networks:\n  front: {}\n  back: {}\n`;
}

describe('YAML fast path', () => {
  it('reads common compose files, to the same data as the positioned parse', () => {
    for (const text of [benchFile(3), 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n', '# only a comment\n', '']) {
      expect(parseYamlFast(text, 'f.yaml', {}), text).toBeDefined();
      expect(compare(text)).toBe('');
    }
  });

  it('agrees with the positioned parse on every YAML file of the repository and the conformance corpus', () => {
    const roots = [join(ROOT, 'examples'), join(ROOT, 'test'), join(ROOT, 'src'), CONFORMANCE_DIR].filter(existsSync);
    const mismatches: string[] = [];
    let fast = 0;
    for (const root of roots) {
      for (const file of yamlFiles(root)) {
        const result = compare(readFileSync(file, 'utf8'));
        if (result === undefined) continue;
        fast++;
        if (result !== '') mismatches.push(`${file}: ${result}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(fast).toBeGreaterThan(0);
  }, 60_000);

  it('leaves to the positioned parse what js-yaml reads otherwise', () => {
    // each once told the two parsers apart (differential fuzzing)
    const cases = [
      '---a: 1\n', ' ---\n', 'k: v\n...  x\n', '- a\n-\n  - \n- b\n', 'k: &a x: y\n', 'k: !!str 1\n', 'k: *a\n', '<<: {a: 1}\n',
      '1: a\n', 'true: a\n', 'null: a\n', '? a\n: b\n', '[a]: b\n', '{[a]: b}\n', 'k: {{a: b}}\n', 'k: |+1\n    x\n', 'k: >+\n  \n    ',
      'k: |\n\n    \n  x\n', 'k: "a"#c\n', 'k: [#\n  a]\n', 'k: a\r b\n', 'k: a\u0085b\n', '\ufeffk: v\n', '%YAML 1.1\n---\nk: yes\n', 'k:\tv\n',
      "k:\n- 'it''s'1e3: x\n", 'r:\n- - {}k: v\n', 'k:\n- {}? x\n', 'k:\n- [] a:b\n', 'a: 1\na: 2\n', 'k: [a, b\n',
    ];
    for (const text of cases) expect(compare(text) ?? '', JSON.stringify(text)).toBe('');
  });

  it('agrees with the positioned parse on fuzzed texts', () => {
    const token = fc.constantFrom(
      'a', 'key', ':', ': ', ' ', '\n', '\n  ', '\n    ', '- ', '-', '[', ']', '{', '}', ',', '"', "'", '#', ' #', '|', '>', '|-', '?', '? ',
      '&a ', '*a', '!x ', '0755', '0o7', '0x1F', '1e3', '.5', '-0', '.inf', '.NaN', 'true', 'True', 'yes', 'null', '~', '...', '---', '\\',
      '\t', '\r\n', 'é', '<<', '__proto__', 'x: y\n', '"q": 1\n', '1: a\n', '\n- ', '08', '=', '{}', '[]', '${X}', ' && ', "'it''s'", 'k: |\n  l\n',
    );
    const text = fc.array(token, { maxLength: 24 }).map((t) => t.join(''));
    const mismatches: string[] = [];
    const check = (t: string): void => {
      const result = compare(t);
      // a less indented comment before a plain value: the `yaml` package rejects it, go-yaml and js-yaml do not
      if (result && !result.includes('Implicit keys need to be on a single line')) mismatches.push(result);
    };
    fc.assert(fc.property(text, (t) => check(t)), { numRuns: 3000 });
    fc.assert(fc.property(text, (t) => check(`k:\n  ${t}`)), { numRuns: 3000 });
    fc.assert(fc.property(text, (t) => check(`k:\n  - ${t}\nz: 1\n`)), { numRuns: 3000 });
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('locates keys of a fast-parsed file with the positioned parse', () => {
    const [doc] = parseYaml('services:\n  web:\n    image: nginx\n', 'f.yaml');
    expect(doc!.locate(['services', 'web', 'image'])).toEqual({ line: 3, column: 12 });
    expect(doc!.locate(['services', 'web'], { key: true })).toEqual({ line: 2, column: 3 });
  });

  it('leaves a file over the node visit budget to the positioned parse', () => {
    expect(parseYamlFast('a: [1, 2, 3]\n', 'f.yaml', { maxNodeVisits: 3 })).toBeUndefined();
    expect(parseYamlFast('a: [1, 2, 3]\n', 'f.yaml', { maxNodeVisits: 5 })).toBeDefined();
  });
});
