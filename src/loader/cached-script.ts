/**
 * CommonJS modules of `dist/` loaded with a code cache, so a cold start does not compile the code
 * a run needs (on a cold start, compiling costs more than running). They are the command line
 * for Node 20 (`cli.cjs`, started by src/cli/launch.ts) and the schema validator
 * (`schema-validator.cjs`); scripts/build.mjs writes them.
 *
 * - Node 20 (no compile cache in Node): the module body runs as a `vm.Script`, wrapped in a
 *   function expression (`cli.cjs` is written so already, which spares copying its 700 kB at each
 *   start), with V8's code cache `<name>.cache` (taken by the build after warm-up
 *   runs, so it holds the functions a run compiles). A cache V8 rejects (another Node version,
 *   other V8 flags) only costs the compile, and is reported under `--verbose`.
 * - When Node's compile cache is on (Node ≥ 22.1: the launcher calls `module.enableCompileCache()`),
 *   the module is `require`d: Node caches its compiled code itself.
 */
import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** The function expression a cached script's body is wrapped in (scripts/build.mjs wraps it alike). */
type ScriptWrapper = (
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  __filename: string,
  __dirname: string,
) => void;

const WRAP_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_END = '\n})';

/** `module.getCompileCacheDir` (Node ≥ 22.1): the directory of Node's compile cache when it is on. */
const compileCacheDir = (Module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir;

/**
 * The exports of the CommonJS module `name` next to this module's code (in `dist/`), or
 * `undefined` when there is none (running from the sources). Under `--verbose`, says on stderr
 * when the code cache is missing or V8 rejects it.
 * @throws the file system error when the module exists but cannot be read
 */
export function loadCachedScript(name: string): unknown {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    // only a missing file means "running from the sources"; anything else (EACCES, EISDIR…) is reported
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const require = createRequire(file);
  // a plain module only: cli.cjs is written wrapped, and is loaded on Node 20 only
  if (compileCacheDir?.()) return require(file);
  const verbose = process.argv.includes('--verbose');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch (err) {
    if (verbose) process.stderr.write(`capstan: no code cache for ${file} (${(err as Error).message}): compiling it\n`);
  }
  const wrapped = source.startsWith(WRAP_START) ? source : `${WRAP_START}${source}${WRAP_END}`;
  const script = new Script(wrapped, { filename: file, cachedData });
  if (verbose && script.cachedDataRejected) {
    process.stderr.write(`capstan: V8 rejected the code cache ${file}.cache (made by another Node version or other V8 flags; this is Node ${process.version}): compiling it\n`);
  }
  const module = { exports: {} as unknown };
  (script.runInThisContext() as ScriptWrapper)(module.exports, require, module, file, dirname(file));
  return module.exports;
}
