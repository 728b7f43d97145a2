/**
 * Scripts with a V8 code cache (scripts/build.mjs writes them into `dist/`): a CommonJS module
 * body wrapped in a function expression, plus `<name>.cache`, taken after a warm-up run so that it
 * holds the functions a run compiles. They are the command line itself (`cli.cjs`, started by
 * src/cli/launch.ts) and the schema validator (`schema-validator.js`). On a cold start a command
 * spends more time compiling its code than running it; with the cache it does not compile it.
 * A cache made by another Node version (or other V8 flags) is rejected by V8: the script then
 * compiles as usual.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

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
  const module = { exports: {} as unknown };
  const wrapper = new Script(source, { filename: file, cachedData }).runInThisContext() as ScriptWrapper;
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
