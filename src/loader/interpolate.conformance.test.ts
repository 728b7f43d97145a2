/**
 * Runs /work/shared/conformance/interpolation_cases.json (compose-go template, interpolation and
 * dotenv expansion cases) when that folder exists; the data is never copied into the repo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { interpolate, interpolateTree } from './interpolate.js';

const FILE = '/work/shared/conformance/interpolation_cases.json';

interface Case {
  name: string;
  template: string;
  env: Record<string, string>;
  expected?: string;
  error?: string;
  error_match?: 'contains' | 'exact' | 'struct';
  warnings_logged?: number;
  config_path?: string;
}

describe.skipIf(!existsSync(FILE))('interpolation conformance (compose-go cases)', () => {
  const cases: Case[] = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : [];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const lookup = (k: string) => (Object.hasOwn(c.env, k) ? c.env[k] : undefined);
    let warnings = 0;
    const run = (): string => {
      if (!c.config_path) return interpolate(c.template, lookup, { onUnset: () => warnings++ });
      // Place the template at config_path inside a map, as the upstream test does.
      const path = c.config_path.split('.');
      const tree: Record<string, unknown> = {};
      let node = tree;
      path.slice(0, -1).forEach((k) => (node = (node[k] = {}) as Record<string, unknown>));
      node[path[path.length - 1]!] = c.template;
      let out: unknown = interpolateTree(tree, lookup, { onUnset: () => warnings++ });
      for (const k of path) out = (out as Record<string, unknown>)[k];
      return out as string;
    };
    if (c.error !== undefined) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      const message =
        err instanceof LoaderError ? `error while interpolating ${err.keyPath}: ${err.reason}` : (err as Error).message;
      if (c.error_match === 'exact') expect(message).toBe(c.error);
      else expect(message).toContain(c.error);
    } else {
      expect(run()).toBe(c.expected);
      if (c.warnings_logged !== undefined) expect(warnings).toBe(c.warnings_logged);
    }
  });
});
