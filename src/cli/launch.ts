/**
 * The entry of `bin/capstan` (built as `dist/capstan.cjs`): starts the command line bundle
 * `dist/cli.cjs` (./main.ts as one CommonJS script) with its V8 code cache.
 *
 * Why: a command such as `down` spent most of its own time before the first Engine API request
 * compiling its code; ES modules cannot use a code cache on Node 20, a script can. With the cache
 * V8 does not parse or compile the functions a run usually needs (scripts/build.mjs takes the
 * cache after warm-up runs). A cache V8 rejects (another Node version) only costs the compile.
 * Both files are CommonJS: an ES module entry costs Node a few more milliseconds to start.
 */
import { loadCachedScript } from '../loader/cached-script.js';

type CliScript = typeof import('./main.js');

const cli = loadCachedScript('cli.cjs') as CliScript | undefined;
if (!cli) {
  process.stderr.write('capstan: dist/cli.cjs is missing — run `npm run build`\n');
  process.exitCode = 1;
} else {
  void cli.main(process.argv).then((failed) => {
    // After an error, a request started ahead (the engine prefetch while loading) must not hold the exit.
    if (failed) setTimeout(() => process.exit(), 1000).unref();
  });
}
