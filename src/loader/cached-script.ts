/**
 * Scripts with a V8 code cache (scripts/build.mjs writes them next to the chunks): a CommonJS
 * module body wrapped in a function expression, plus `<name>.cache`, taken after a warm-up run so
 * that it holds the functions a run compiles. A cold `capstan config` spends more time compiling
 * the loader and the schema validator than running them; with the cache it does not compile them.
 * A cache made by another Node version (or other V8 flags) is rejected by V8: the script then
 * compiles as usual.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import * as errors from '../errors.js';

/** How the bundled scripts name `src/errors.ts`, which they share with the caller (one set of error classes). */
export const ERRORS_MODULE_ID = 'capstan:errors';

/** The function expression a cached script holds. */
type ScriptWrapper = (
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  __filename: string,
  __dirname: string,
) => void;

/**
 * The exports of the cached script `name` next to this module's code, or `undefined` when there
 * is none (running from the sources).
 */
export function loadCachedScript(name: string): unknown {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // no cache: compile
  }
  const nodeRequire = createRequire(file);
  const module = { exports: {} as unknown };
  const wrapper = new Script(source, { filename: file, cachedData }).runInThisContext() as ScriptWrapper;
  wrapper(module.exports, (id) => (id === ERRORS_MODULE_ID ? errors : nodeRequire(id)), module, file, dirname(file));
  return module.exports;
}

/** What `capstan config` uses of the loader ({@link ./config-api.ts}). */
export type ConfigApi = typeof import('./config-api.js');

let configApiLoaded: Promise<ConfigApi> | undefined;

/** The loader for `capstan config`: `config-api.cjs` when the bundle has it, else imported as usual. */
export function configApi(): Promise<ConfigApi> {
  return (configApiLoaded ??= Promise.resolve(loadCachedScript('config-api.cjs') as ConfigApi | undefined).then(
    (cached) => cached ?? import('./config-api.js'),
  ));
}
