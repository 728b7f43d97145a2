// Bundles Capstan with esbuild: dist/cli.js (the command, with one lazily-loaded chunk per
// subcommand, so `--version` and `--help` load almost nothing) and dist/index.js (the library).
// Next to the chunks it writes two scripts with a V8 code cache (src/loader/cached-script.ts):
// the schema validator and the loader as `capstan config` uses it.
// Type declarations come from `tsc -p tsconfig.build.json` (see package.json "build").
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}scripts/build-schema.mjs`], { stdio: 'inherit' });
rmSync(`${root}dist`, { recursive: true, force: true });

const started = Date.now();
const define = { CAPSTAN_VERSION: JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version) };
const result = await build({
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
  define,
  metafile: true,
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

// ---- cached scripts -------------------------------------------------------------------------------
//
// A cached script is a CommonJS module body wrapped in a function expression, plus `<name>.cache`:
// V8's code cache taken after a warm-up run, so that it holds the functions a run compiles (on a
// cold start, compiling the loader and the validator costs more than running them). They sit in
// each directory holding src/loader/cached-script.ts, which looks for them next to itself.

const wrap = (body) => `(function (exports, require, module, __filename, __dirname) {${body}\n})`;

/** Run a cached script as src/loader/cached-script.ts does; returns its exports and the script. */
function runScript(file, errors) {
  const script = new vm.Script(readFileSync(file, 'utf8'), { filename: file });
  const nodeRequire = createRequire(file);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, (id) => (id === 'capstan:errors' ? errors : nodeRequire(id)), module, file, dirname(file));
  return { exports: module.exports, script };
}

const outputsOf = (metafile, input) => Object.entries(metafile.outputs).filter(([, out]) => Object.hasOwn(out.inputs, input));
const scriptDirs = [...new Set(outputsOf(result.metafile, 'src/loader/cached-script.ts').map(([file]) => dirname(`${root}${file}`)))];
const [errorsOutput] = outputsOf(result.metafile, 'src/errors.ts');
const errors = await import(pathToFileURL(`${root}${errorsOutput[0]}`).href);

for (const dir of scriptDirs) {
  // the loader as `capstan config` uses it (src/loader/config-api.ts)
  const apiFile = `${dir}/config-api.cjs`;
  const api = await build({
    absWorkingDir: root,
    entryPoints: ['src/loader/config-api.ts'],
    bundle: true,
    write: false,
    outfile: apiFile,
    format: 'cjs',
    platform: 'node',
    target: 'node20.19',
    define: { ...define, 'import.meta.url': '__capstanImportMetaUrl' },
    banner: { js: "const __capstanImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [
      {
        // one set of error classes: the script gets the caller's src/errors.ts
        name: 'shared-errors',
        setup(b) {
          b.onResolve({ filter: /\/errors\.js$/ }, (args) =>
            join(args.resolveDir, args.path) === `${root}src/errors.js` ? { path: 'capstan:errors', external: true } : undefined,
          );
        },
      },
    ],
    logLevel: 'warning',
  });
  writeFileSync(apiFile, wrap(api.outputFiles[0].text));
  const { exports: loader, script } = runScript(apiFile, errors);

  // the schema validator, warmed up on the sample project as written
  const validatorFile = `${dir}/schema-validator.js`;
  writeFileSync(validatorFile, wrap(readFileSync(`${root}src/loader/schema/validate.generated.cjs`, 'utf8')));
  const validator = runScript(validatorFile, errors);

  // the loader's cache, once it has loaded and printed the sample project
  const rawModel = await warmUpLoader(loader);
  writeFileSync(`${apiFile}.cache`, script.createCachedData());
  validator.exports(rawModel);
  writeFileSync(`${validatorFile}.cache`, validator.script.createCachedData());
}
process.stdout.write(`built dist/ in ${Date.now() - started} ms\n`);

/** Load, print and list the variables of a sample project, in a temporary directory; returns its merged model. */
async function warmUpLoader(loader) {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-build-'));
  try {
    for (const [name, text] of Object.entries(SAMPLE_PROJECT)) writeFileSync(join(dir, name), text);
    const file = join(dir, 'compose.yaml');
    const project = await loader.loadProject({ files: [file], cwd: dir, env: { HOME: dir }, onWarning: () => {}, pruneResources: true });
    loader.modelToYaml(loader.projectToModel(project));
    JSON.stringify(loader.projectToModel(project));
    const model = await loader.loadModel({ files: [file], cwd: dir, env: { HOME: dir }, onWarning: () => {}, interpolate: false });
    loader.extractVariables(model);
    loader.modelToYaml(loader.rawModelToPrint(model));
    return model;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
