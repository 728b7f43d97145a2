/**
 * The entry of `bin/capstan` (built as `dist/capstan.cjs`): starts the command line (./main.ts)
 * with its compiled code cached, in the way the running Node offers:
 *
 * - Node ≥ 22.1: turns Node's compile cache on (`module.enableCompileCache()`, in the directory
 *   `NODE_COMPILE_CACHE` names, else Node's default under the temporary directory) and imports
 *   the ES module build `dist/cli.js`, whose commands are separate chunks, so a run loads only
 *   the command it runs (main.ts imports each command with `import()`).
 * - Node 20: runs `dist/cli.cjs` (main.ts as one CommonJS script, every `import()` made a
 *   `require()` by the build) as a `vm.Script` with the V8 code cache the build took after
 *   warm-up runs (../loader/cached-script.ts): ES modules cannot use a code cache on Node 20.
 *
 * Under `--verbose`, a cache that is off or rejected is said on stderr (the run then compiles).
 * This file is CommonJS: an ES module entry costs Node a few more milliseconds to start.
 */
import { Module } from 'node:module';
import { loadCachedScript } from '../loader/cached-script.js';

type Cli = typeof import('./main.js');

/** Node's `module.enableCompileCache()` result (Node ≥ 22.1). */
interface CompileCacheResult {
  status: number;
  message?: string;
  directory?: string;
}
interface CompileCacheApi {
  enableCompileCache?: () => CompileCacheResult;
  constants?: { compileCacheStatus?: Record<'FAILED' | 'ENABLED' | 'ALREADY_ENABLED' | 'DISABLED', number> };
}

/** Whether Node `version` (`process.versions.node`, e.g. `22.1.0`) has `module.enableCompileCache()`. */
function hasCompileCache(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

const verbose = process.argv.includes('--verbose');

// bin/capstan started Node without NODE_EXTRA_CA_CERTS (Node 20 parses that file at start-up,
// ~55 ms, and Capstan's own connections do not use it): the processes Capstan starts get it back.
if (process.env.CAPSTAN_NODE_EXTRA_CA_CERTS) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.CAPSTAN_NODE_EXTRA_CA_CERTS;
  delete process.env.CAPSTAN_NODE_EXTRA_CA_CERTS;
}

/** Node ≥ 22.1: the ES module build, with Node's compile cache on. */
function importModules(): Promise<Cli> {
  const api = Module as CompileCacheApi;
  const result = api.enableCompileCache?.();
  const status = api.constants?.compileCacheStatus;
  if (verbose && (!result || result.status === status?.FAILED || result.status === status?.DISABLED)) {
    const why = result?.message ?? (result ? 'disabled by NODE_DISABLE_COMPILE_CACHE' : 'not offered by this Node');
    process.stderr.write(`capstan: Node's compile cache is off (${why}): compiling the code\n`);
  }
  // a computed URL: the build keeps this import() as it is (a real, lazy import of the ES module build)
  return import(new URL('./cli.js', import.meta.url).href) as Promise<Cli>;
}

/** Node 20: the CommonJS script with its V8 code cache. */
async function runScript(): Promise<Cli> {
  const cli = loadCachedScript('cli.cjs') as Cli | undefined;
  if (!cli) throw new Error('dist/cli.cjs is missing — run `npm run build`');
  return cli;
}

(hasCompileCache(process.versions.node) ? importModules() : runScript()).then(
  (cli) =>
    cli.main(process.argv).then((failed) => {
      // After an error, a request started ahead (the engine prefetch while loading) must not hold the exit.
      if (failed) setTimeout(() => process.exit(), 1000).unref();
    }),
  (err: unknown) => {
    process.stderr.write(`capstan: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
