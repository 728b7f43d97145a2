/**
 * The schema Capstan validates with (the `dclint` package's copy, patched by
 * scripts/build-schema.mjs, written to compose-spec.generated.json) must know every property of
 * the current Compose schemas kept in ../shared (compose-spec's and compose-go's copies). When a
 * newer upstream schema lands there, this names the properties to take from a newer package or to
 * patch in. Skipped where ../shared is absent (CI machines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHARED_SCHEMAS = join(process.env.CAPSTAN_CONFORMANCE_DIR ?? '/work/shared/conformance', 'schema');
const OURS = join(import.meta.dirname, 'compose-spec.generated.json');

type Node = Record<string, unknown>;

/** Every property path a schema declares (`service.build.provenance`, `service.pre_start[]`). */
function propertyPaths(schema: Node): Set<string> {
  const out = new Set<string>();
  const defs = (schema.definitions ?? schema.$defs ?? {}) as Record<string, Node>;
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, path));
    const n = node as Node;
    if (typeof n.$ref === 'string') {
      const name = n.$ref.replace(/^#\/(definitions|\$defs)\//, '');
      // Follow a reference once per path, to the definition's own properties.
      if (!path.includes(`<${name}>`)) walk(defs[name], `${path}<${name}>`);
    }
    for (const [k, v] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) {
      out.add(`${path}.${k}`.replace(/<[^>]*>/g, ''));
      walk(v, `${path}.${k}`);
    }
    for (const key of ['oneOf', 'anyOf', 'allOf']) walk(n[key], path);
    walk(n.items, `${path}[]`);
    if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}.*`);
    for (const v of Object.values((n.patternProperties ?? {}) as Record<string, unknown>)) walk(v, `${path}.*`);
  };
  walk(schema, '');
  return out;
}

const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Node;

describe.skipIf(!existsSync(SHARED_SCHEMAS))('Compose schema drift against ../shared', () => {
  const ours = propertyPaths(read(OURS));
  for (const file of ['compose-spec.json', 'compose-go.compose-spec.json']) {
    it(`knows every property of ${file}`, () => {
      const missing = [...propertyPaths(read(join(SHARED_SCHEMAS, file)))].filter((p) => !ours.has(p)).sort();
      expect(missing).toEqual([]);
    });
  }
  it('sees the patched properties (the walker works)', () => {
    for (const p of ['.services.*.pre_start[].per_replica', '.services.*.build.provenance', '.services.*.develop.watch[].initial_sync']) {
      expect(ours.has(p), p).toBe(true);
    }
  });
});
