// Bundles Capstan with esbuild: dist/cli.js (the command, with one lazily-loaded chunk per
// subcommand, so `--version` and `--help` load almost nothing) and dist/index.js (the library).
// Type declarations come from `tsc -p tsconfig.build.json` (see package.json "build").
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}scripts/build-schema.mjs`], { stdio: 'inherit' });
rmSync(`${root}dist`, { recursive: true, force: true });

const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS inside the bundle (ajv's standalone validator) needs a real require for built-ins.
  banner: { js: "import { createRequire as __capstanCreateRequire } from 'node:module'; const require = __capstanCreateRequire(import.meta.url);" },
  define: { CAPSTAN_VERSION: JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version) },
  logLevel: 'warning',
});
process.stdout.write(`built dist/ in ${Date.now() - started} ms\n`);
