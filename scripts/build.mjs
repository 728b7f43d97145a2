// Bundles Capstan with esbuild, everything in dist/:
// - index.js, the library (one ES module);
// - the command line, started by capstan.cjs (src/cli/launch.ts, what bin/capstan requires) in one
//   of two forms, by Node version:
//   - cli.js and its chunks cli-*.js (ES modules, one chunk per command), for Node >= 22.1, which
//     caches their compiled code itself (module.enableCompileCache());
//   - cli.cjs (src/cli/main.ts as one CommonJS script), for Node 20, with a V8 code cache taken
//     after warm-up runs of `config`, `up`, `ps` and `down` (against scripts/warm-up-engine.mjs);
// - schema-validator.cjs (src/loader/validate.ts loads it on first use), with its cache for Node 20.
// Type declarations come from `tsc -p tsconfig.build.json` (see package.json "build").
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import jsYaml from 'js-yaml';
import { startWarmUpEngine } from './warm-up-engine.mjs';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}scripts/build-schema.mjs`], { stdio: 'inherit' });
rmSync(`${root}dist`, { recursive: true, force: true });

const started = Date.now();
const define = { CAPSTAN_VERSION: JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version) };
// The library, one ES module.
await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  // native (a prebuilt .node per platform): loaded from node_modules at run time
  external: ['@parcel/watcher'],
  target: 'node20.19',
  sourcemap: 'linked',
  // CommonJS inside the bundle (ajv's standalone validator) needs a real require for built-ins.
  banner: { js: "import { createRequire as __capstanCreateRequire } from 'node:module'; const require = __capstanCreateRequire(import.meta.url);" },
  define,
  logLevel: 'warning',
});

/** A project using the common attributes in their usual forms, to warm the scripts up. */
const SAMPLE_PROJECT = {
  '.env': 'TAG=1.27\n',
  'web.env': 'A=1\n',
  'token.txt': 'secret\n',
  'app.conf': 'x\n',
  'compose.yaml': `name: sample
services:
  web:
    image: "nginx:\${TAG:-latest}"
    build:
      context: .
      args: [A=1]
    command: ["sh", "-c", "echo hi && sleep 1"]
    entrypoint: /bin/sh -c
    environment:
      - MODE=\${MODE:-prod}
      - B
    env_file: [web.env]
    ports:
      - "8080:80"
      - target: 443
        published: "8443"
    expose: ["3000"]
    volumes:
      - data:/data
      - ./conf:/etc/conf:ro
      - type: bind
        source: .
        target: /src
    labels:
      com.example.name: web
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
      retries: 3
    networks: [front, back]
    depends_on:
      db:
        condition: service_healthy
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
    restart: unless-stopped
    logging:
      driver: json-file
      options: {max-size: 10m}
    secrets: [token]
    configs:
      - source: conf
        target: /conf
    ulimits:
      nofile: {soft: 1024, hard: 2048}
    extra_hosts: ["host.docker.internal:host-gateway"]
    cap_add: [NET_ADMIN]
    user: "1000:1000"
    working_dir: /app
    tmpfs: [/run]
    x-note: web
  db:
    image: postgres
    environment: {POSTGRES_PASSWORD: x}
    volumes:
      - type: volume
        source: data
        target: /var/lib/postgresql/data
    networks:
      back:
        aliases: [database]
    healthcheck:
      test: pg_isready
    stop_grace_period: 1m30s
    shm_size: 256m
    depends_on: [cache]
  cache:
    image: redis
    command: redis-server --save 60 1
  tools:
    image: busybox
    profiles: [debug]
networks:
  front: {}
  back:
    driver: bridge
volumes:
  data: {}
secrets:
  token:
    file: ./token.txt
configs:
  conf:
    file: ./app.conf
x-common:
  a: 1
`,
};

/** A small project for the runs against the warm-up engine. */
const ENGINE_PROJECT = `services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 100"]
    volumes: [data:/data]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
  web:
    image: busybox
    command: ["sleep", "100"]
    environment: [MODE=prod]
    ports: ["8080:80"]
    depends_on:
      db:
        condition: service_started
    networks: [front, default]
networks:
  front: {}
volumes:
  data: {}
`;

// ---- the command line for Node >= 22.1 ------------------------------------------------------------
//
// ES modules, every import() of main.ts kept (a chunk per command); Node's compile cache (turned on
// by the launcher) caches their code. All files sit in dist/, as the library, so that
// import.meta.url-relative files (schema-validator.cjs) are found from every chunk.
//
// Node's built-in modules are require()d, not imported: importing one as an ES module makes Node
// read every export of it, and lazy ones load more (`node:http` loads undici, `node:fs` its
// streams): ~15 ms of `capstan ps` (CPU profile, Node 22.23).
const builtinsRequired = {
  name: 'builtins-required',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      if (args.namespace === 'builtin') return { path: args.path, external: true };
      return { path: args.path, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};
// commander requires node:child_process as it loads, for the executable subcommands Capstan has
// none of: ~2 ms of every start (Node 20.20, medians of 21 runs of a script requiring the same
// built-ins with and without it: 24.2 vs 26.4 ms). The command line gets a commander that requires
// it when it spawns (a getter for `spawn`, the one function it uses).
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(eager) || /childProcess\.(?!spawn\()/.test(text)) {
        throw new Error(`build: ${args.path} no longer requires node:child_process as lazyChildProcess expects: update the plugin`);
      }
      const lazy = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
      return { contents: text.replace(eager, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts' },
  plugins: [builtinsRequired, lazyChildProcess],
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'cli-[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // native (a prebuilt .node per platform): loaded from node_modules at run time
  external: ['@parcel/watcher'],
  target: 'node22.1',
  sourcemap: 'linked',
  banner: { js: "import { createRequire as __capstanCreateRequire } from 'node:module'; const require = __capstanCreateRequire(import.meta.url);" },
  define,
  logLevel: 'warning',
});
if (!/\bimport\("\.\/cli-/.test(readFileSync(`${root}dist/cli.js`, 'utf8'))) {
  throw new Error('build: dist/cli.js imports no chunk: the commands are no longer loaded lazily');
}

// ---- cached scripts for Node 20 -------------------------------------------------------------------
//
// A cached script is a CommonJS module, plus `<name>.cache`: V8's code cache of its body wrapped in
// a function expression, taken after a warm-up run so that it holds the functions a run compiles
// (on a cold start, compiling costs more than running). src/loader/cached-script.ts loads them
// from the directory it is bundled into (wrapping them as here), or requires them when Node's
// compile cache is on (the validator; cli.cjs, written wrapped, is for Node 20 only).

const WRAP_START = '(function (exports, require, module, __filename, __dirname) {';
/** A module body wrapped as src/loader/cached-script.ts wraps it (cli.cjs is written wrapped already). */
const wrap = (body) => (body.startsWith(WRAP_START) ? body : `${WRAP_START}${body}\n})`);

/**
 * `text` in ASCII: every other UTF-16 unit (in comments, strings, regular expressions) written as a
 * `\uXXXX` escape, which means the same there. V8 then holds the script as a one-byte string, half
 * the size of a two-byte one: reading, wrapping and checking it against its cache take ~1 ms less.
 */
const ascii = (text) => text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Run a cached script as src/loader/cached-script.ts does; returns its exports and the script. */
function runScript(file) {
  const script = new vm.Script(wrap(readFileSync(file, 'utf8')), { filename: file });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script };
}

// The command line: the launcher and the script it starts, both CommonJS. import.meta.url becomes
// the file's URL. A dynamic import() would fail in a vm.Script (no callback for it on Node 20), so
// esbuild turns import() into require(), and the build checks that none is left.
const cjs = {
  absWorkingDir: root,
  plugins: [lazyChildProcess],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // native (a prebuilt .node per platform): loaded from node_modules at run time
  external: ['@parcel/watcher'],
  target: 'node20.19',
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  define: { ...define, 'import.meta.url': '__capstanImportMetaUrl' },
  logLevel: 'warning',
};
// "use strict" first: it is the module's directive, and after the wrapper's opening the function's
// (the sources are ES modules, strict).
const prologue = `"use strict";const __capstanImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`;
// The launcher keeps its one import() (of cli.js, for Node >= 22.1): its path is computed, so esbuild leaves it.
await build({ ...cjs, supported: {}, entryPoints: ['src/cli/launch.ts'], outfile: `${root}dist/capstan.cjs`, banner: { js: prologue } });
const cliFile = `${root}dist/cli.cjs`;
// cli.cjs is only ever run as a script: written wrapped, it spares the 700 kB concatenation at each start
await build({ ...cjs, entryPoints: ['src/cli/main.ts'], outfile: cliFile, banner: { js: `${WRAP_START}${prologue}` }, footer: { js: '})' } });
writeFileSync(cliFile, ascii(readFileSync(cliFile, 'utf8')));
if (/\bimport\(/.test(readFileSync(cliFile, 'utf8'))) throw new Error('build: dist/cli.cjs still holds an import(), which fails in a vm.Script');

// the schema validator, warmed up on the sample project as written. Bundled with the part of ajv's
// runtime it requires (fast-deep-equal, for `enum`/`const`), which Node would otherwise resolve
// through node_modules and compile without a cache at each start: loading the validator takes
// ~1.2 ms less (2.0 → 0.8 ms for its body; Node 20.20, 4 runs each), in every command that validates.
const validatorFile = `${root}dist/schema-validator.cjs`;
await build({
  ...cjs,
  plugins: [],
  sourcemap: false,
  minifyWhitespace: true,
  entryPoints: ['src/loader/schema/validate.generated.cjs'],
  outfile: validatorFile,
});
if (/require\("ajv/.test(readFileSync(validatorFile, 'utf8').replace(/\.code\s*=\s*'[^']*'/g, ''))) {
  throw new Error('build: dist/schema-validator.cjs still requires ajv at run time');
}
writeFileSync(validatorFile, ascii(readFileSync(validatorFile, 'utf8')));
const validator = runScript(validatorFile);
validator.exports(jsYaml.load(SAMPLE_PROJECT['compose.yaml']));
writeFileSync(`${validatorFile}.cache`, validator.script.createCachedData());

const cli = runScript(cliFile);
await warmUpCli(cli.exports.main);
writeFileSync(`${cliFile}.cache`, cli.script.createCachedData());
process.stdout.write(`built dist/ in ${Date.now() - started} ms\n`);

/**
 * Runs the command lines a user runs most through the CLI script's `main`, output discarded:
 * `config` in its forms on the sample project, then `up -d` (twice), `ps`, `up --dry-run` and
 * `down -v` of a small project against the warm-up engine.
 */
async function warmUpCli(main) {
  const failed = [];
  const dir = mkdtempSync(join(tmpdir(), 'capstan-build-'));
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write, exit: process.exit, env: process.env, exitCode: process.exitCode };
  let engine;
  try {
    engine = await startWarmUpEngine(join(dir, 'engine.sock'));
    for (const [name, text] of Object.entries(SAMPLE_PROJECT)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'engine.yaml'), ENGINE_PROJECT);
    process.env = { PATH: saved.env.PATH, HOME: dir, DOCKER_HOST: `unix://${join(dir, 'engine.sock')}` };
    let errors = '';
    process.stdout.write = () => true;
    process.stderr.write = (text) => ((errors += text), true);
    // a run that would end the process (commander on a usage error) ends only that run
    process.exit = (code) => {
      throw new Error(`process.exit(${code})`);
    };
    const sample = ['-f', join(dir, 'compose.yaml')];
    const project = ['-f', join(dir, 'engine.yaml'), '-p', 'warm-up'];
    const runs = [
      [...sample, 'config'],
      [...sample, 'config', '--format', 'json'],
      [...sample, 'config', '--variables'],
      [...sample, 'config', '--no-interpolate'],
      [...project, '--progress', 'quiet', 'up', '-d'],
      [...project, '--progress', 'plain', 'up', '-d'],
      [...project, 'ps'],
      [...project, '--dry-run', 'up', '--force-recreate'],
      [...project, '--progress', 'quiet', 'down', '-v'],
    ];
    for (const args of runs) {
      errors = '';
      process.exitCode = undefined;
      let timer;
      const outcome = await Promise.race([
        main(['node', 'capstan', ...args]).then((failedRun) => (failedRun ? 'failed' : 'ok'), (err) => String(err)),
        new Promise((resolve) => (timer = setTimeout(resolve, 20_000, 'no answer in 20 s'))),
      ]);
      clearTimeout(timer);
      // a failed warm-up run only makes the cache smaller: say so, do not fail the build
      if (outcome !== 'ok' || process.exitCode) failed.push(`capstan ${args.join(' ')}: ${outcome} ${errors.trim()}`);
    }
  } finally {
    Object.assign(process.stdout, { write: saved.stdout });
    Object.assign(process.stderr, { write: saved.stderr });
    process.exit = saved.exit;
    process.env = saved.env;
    process.exitCode = saved.exitCode;
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const failure of failed) process.stderr.write(`build: warm-up run failed (the code cache covers less): ${failure}\n`);
}
