/**
 * Runs /work/shared/conformance/dotenv_cases (compose-go dotenv fixtures and inline cases) when
 * that folder exists; the data is never copied into the repo.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDotenv, parseDotenvFiles } from './dotenv.js';

const DIR = '/work/shared/conformance/dotenv_cases';

interface Expect {
  expected?: Record<string, string> | null;
  exact_key_set?: boolean | null;
  error_contains?: string;
  expected_absent_keys?: string[];
}

function check(run: () => Record<string, string>, c: Expect): void {
  if (c.error_contains) {
    expect(run).toThrow(c.error_contains);
    return;
  }
  const out = run();
  if (c.exact_key_set) expect(out).toEqual(c.expected);
  else expect(out).toMatchObject(c.expected ?? {});
  for (const k of c.expected_absent_keys ?? []) expect(out).not.toHaveProperty(k);
}

describe.skipIf(!existsSync(DIR))('dotenv conformance (compose-go cases)', () => {
  const fixtureCases: [string, () => void][] = [];
  const inlineCases: [string, () => void][] = [];
  if (existsSync(DIR)) {
    for (const f of readdirSync(DIR).filter((n) => n.endsWith('.expected.json'))) {
      const spec = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
      const source = readFileSync(join(DIR, spec.fixture), 'utf8');
      for (const c of spec.cases) {
        if (String(c.function).startsWith('ParseWithFormat')) continue; // custom pluggable formats: not supported
        const preset: Record<string, string> = c.preset_process_env ?? {};
        const os: Record<string, string> = c.os_env_for_lookup ?? {};
        fixtureCases.push([
          `${spec.fixture} ${c.test} ${c.function}`,
          () =>
            check(() => {
              if (c.function === 'Load') {
                // Load never overrides variables already in the process environment.
                return { ...parseDotenv(source), ...preset };
              }
              const lookup = c.function.startsWith('ReadWithLookup(os') ? (k: string) => os[k] : undefined;
              return parseDotenv(source, { lookup });
            }, c),
        ]);
      }
    }
    const inline = JSON.parse(readFileSync(join(DIR, 'inline_cases.json'), 'utf8'));
    inline.forEach((c: Record<string, any>, i: number) => {
      const label = `${i} ${c.name} ${JSON.stringify(c.input ?? c.function).slice(0, 60)}`;
      if (c.function === 'parser.getStatementStart') return; // internal helper, no observable output
      if (String(c.function).startsWith('GetEnvFromFile(nil,[<dir>')) return; // directory-as-file: covered in loadProject
      if (c.files) {
        const os: Record<string, string> = c.os_env ?? {};
        inlineCases.push([
          label,
          () =>
            check(
              () =>
                parseDotenvFiles(
                  Object.entries(c.files as Record<string, string>).map(([file, source]) => ({ file, source })),
                  (k) => os[k],
                ),
              c,
            ),
        ]);
        return;
      }
      const lookup = c.lookup ? (k: string) => (c.lookup as Record<string, string>)[k] : undefined;
      if (c.error_exact !== undefined) {
        inlineCases.push([
          label,
          () => {
            let message = '';
            try {
              parseDotenv(c.input, { lookup });
            } catch (e) {
              message = (e as Error).message;
            }
            expect(message).toBe(c.error_exact);
          },
        ]);
        return;
      }
      if (c.expected == null) {
        // "any error" cases (error_contains may be empty).
        inlineCases.push([label, () => expect(() => parseDotenv(c.input, { lookup })).toThrow(c.error_contains || undefined)]);
        return;
      }
      inlineCases.push([label, () => check(() => parseDotenv(c.input, { lookup }), c)]);
    });
  }
  it.each(fixtureCases)('fixture %s', (_n, fn) => fn());
  it.each(inlineCases)('inline %s', (_n, fn) => fn());
});
