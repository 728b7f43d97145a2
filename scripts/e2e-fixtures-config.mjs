#!/usr/bin/env node
/**
 * Sweep `capstan config --format json` over every compose file of docker/compose's e2e suite.
 *
 *   node scripts/e2e-fixtures-config.mjs <path-to-exported-pkg/e2e> [--bin bin/capstan] [--only SUBSTR] [-v]
 *
 * The argument is a checkout/export of docker/compose's `pkg/e2e` directory (nothing of it lives
 * in this repo). Every `*.yml` / `*.yaml` under `fixtures/` and `testdata/` (except the bridge
 * `expected-*` manifests) is a compose file. Each is run the way the upstream test invokes it —
 * cwd `pkg/e2e`, same `-f` / `--project-directory` / `--env-file` / `--profile` / env — per the
 * RUNS table below (written for Capstan from reading the upstream tests; the table is ours).
 * Files without an entry run as `-f <file>` from `pkg/e2e`, the scenario convention.
 *
 * One line per run: `ok`, `expected-error-ok` (failed with the error upstream expects) or
 * `FAIL` (with the first error line); files only loaded as a secondary `-f` / include / extends
 * target are reported with the run that covers them. Exit status 1 when any run fails.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const NON_NATIVE = 'linux/arm64';

/**
 * Upstream invocations that differ from the default `-f <file>` (paths relative to `pkg/e2e`).
 *
 * - `file`: the compose file this run is reported under; `covers`: other files it loads.
 * - `args`: global flags placed before `config` (default `['-f', file]`); `configArgs` after it.
 * - `cwd`: directory to run in (default `pkg/e2e`); `env`: extra environment.
 * - `copyAlone`: copy the file alone to a temp dir as `compose.yaml` and run it there
 *   (the watch tests do this); `copyDir`: copy the file's directory to a temp dir first.
 * - `writeFiles`: files to create in the temp dir before the run (`${TMP}` placeholder).
 * - `expectErr`: the command must fail and stderr contain this; `expectOut`: stdout substrings.
 * - `project`: `-p` value (default: the upstream name when the test sets one, else derived).
 *
 * Placeholders: `${TMP}` a fresh temp dir per run, `${E2E}` the pkg/e2e directory.
 */
const RUNS = [
  // --- pkg/e2e/fixtures (legacy NewCLI tests) ---
  { file: 'fixtures/attach-restart/compose.yaml', args: ['--project-directory', './fixtures/attach-restart'], why: 'TestAttachRestart' },
  { file: 'fixtures/bridge/compose.yaml', project: 'bridge', why: 'TestConvertAndTransformList' },
  { file: 'fixtures/bridge-build-only/compose.yaml', project: 'bridge-build-only', why: 'TestConvertBuildOnlyService' },
  { file: 'fixtures/build-dependencies/classic.yaml', args: [], env: { COMPOSE_FILE: './fixtures/build-dependencies/classic.yaml', DOCKER_BUILDKIT: '0' }, why: 'TestBuildImageDependencies' },
  { file: 'fixtures/build-dependencies/compose.yaml', args: [], env: { COMPOSE_FILE: './fixtures/build-dependencies/compose.yaml', DOCKER_BUILDKIT: '1', COMPOSE_BAKE: '1' }, why: 'TestBuildImageDependencies' },
  { file: 'fixtures/build-infinite/compose.yaml', why: 'TestComposeCancel' },
  { file: 'fixtures/build-test/compose.yaml', args: ['--project-directory', 'fixtures/build-test'], env: { DOCKER_BUILDKIT: '1' }, why: 'TestLocalComposeBuild' },
  { file: 'fixtures/build-test/entitlements/compose.yaml', args: ['--project-directory', 'fixtures/build-test/entitlements'], why: 'TestBuildEntitlements' },
  { file: 'fixtures/build-test/minimal/compose.yaml', why: 'TestBuildTLS' },
  { file: 'fixtures/build-test/multi-args/compose.yaml', args: ['--project-directory', 'fixtures/build-test/multi-args'], why: 'TestLocalComposeBuild' },
  { file: 'fixtures/build-test/platforms/compose.yaml', args: ['--project-directory', 'fixtures/build-test/platforms'], why: 'TestBuildPlatformsWithCorrectBuildxConfig' },
  { file: 'fixtures/build-test/platforms/compose-multiple-platform-builds.yaml', args: ['--project-directory', 'fixtures/build-test/platforms', '-f', 'fixtures/build-test/platforms/compose-multiple-platform-builds.yaml'], why: 'TestBuildPlatformsWithCorrectBuildxConfig' },
  { file: 'fixtures/build-test/platforms/compose-service-platform-and-no-build-platforms.yaml', args: ['--project-directory', 'fixtures/build-test/platforms', '-f', 'fixtures/build-test/platforms/compose-service-platform-and-no-build-platforms.yaml'], why: 'TestBuildPlatformsWithCorrectBuildxConfig' },
  // `no match for platform` comes from the builder at build time; loading is fine.
  { file: 'fixtures/build-test/platforms/compose-unsupported-platform.yml', args: ['--project-directory', 'fixtures/build-test/platforms', '-f', 'fixtures/build-test/platforms/compose-unsupported-platform.yml'], why: 'TestBuildPlatformsWithCorrectBuildxConfig' },
  // compose-go's consistency check (loader/validate.go) rejects it for every command, config included.
  {
    file: 'fixtures/build-test/platforms/compose-service-platform-not-in-build-platforms.yaml',
    args: ['--project-directory', 'fixtures/build-test/platforms', '-f', 'fixtures/build-test/platforms/compose-service-platform-not-in-build-platforms.yaml'],
    expectErr: 'service.build.platforms MUST include service.platform "linux/riscv64"',
    why: 'TestBuildPlatformsStandardErrors',
  },
  { file: 'fixtures/build-test/privileged/compose.yaml', args: ['--project-directory', 'fixtures/build-test/privileged'], why: 'TestBuildPrivileged' },
  { file: 'fixtures/build-test/ssh/compose.yaml', args: ['--project-directory', 'fixtures/build-test/ssh'], why: 'TestBuildSSH' },
  { file: 'fixtures/build-test/ssh/compose-without-ssh.yaml', args: ['-f', 'fixtures/build-test/ssh/compose-without-ssh.yaml', '--project-directory', 'fixtures/build-test/ssh'], why: 'TestBuildSSH' },
  { file: 'fixtures/cascade/compose.yaml', env: { COMPOSE_PROJECT_NAME: 'compose-e2e-cascade-oneoff' }, why: 'TestCascadeIgnoresOneOffContainer' },
  { file: 'fixtures/config_hash/compose.yaml', project: 'compose-e2e-config-hash', why: 'TestConfigHashMatchesContainerLabel' },
  // The fixtures/dotenv tests: COMPOSE_FILE / COMPOSE_PROFILES come from a .env; the cwd .env is read
  // first and wins over the project directory's (compose-go Mapping.Merge keeps the first value).
  { file: 'fixtures/dotenv/development/compose.yaml', label: 'cwd fixtures/dotenv', cwd: 'fixtures/dotenv', args: [], expectOut: ['"test:latest"', '"enabled:profile"'], why: 'TestComposeFileSetByDotEnv' },
  { file: 'fixtures/dotenv/development/compose.yaml', label: '--project-directory', args: ['--project-directory', 'fixtures/dotenv/development'], expectOut: ['"backend:latest"'], why: 'TestComposeFileSetByProjectDirectory' },
  {
    file: 'fixtures/dotenv/development/compose.yaml',
    label: '--env-file',
    writeFiles: { '.env.tmp': 'COMPOSE_FILE=fixtures/dotenv/development/compose.yaml\nIMAGE_NAME=test\nIMAGE_TAG=latest\nCOMPOSE_PROFILES=test\n' },
    args: ['--env-file', '${TMP}/.env.tmp'],
    expectOut: ['"test:latest"', '"enabled:profile"'],
    why: 'TestComposeFileSetByEnvFile',
  },
  // `config --hash serviceA` narrows first; plain config resolves every env_file.
  { file: 'fixtures/env_file/compose.yaml', expectErr: 'env file /doesnotexist/.env not found', why: 'TestUnusedMissingEnvFile (config --hash serviceB / *)' },
  { file: 'fixtures/logs-test/compose.yaml', project: 'compose-e2e-logs', env: { REPEAT: '20' }, why: 'TestLocalComposeLogsFollow' },
  { file: 'fixtures/logs-test/cat.yaml', project: 'compose-e2e-large_logs', env: { FILE: '${TMP}/large.txt' }, writeFiles: { 'large.txt': 'x\n' }, why: 'TestLocalComposeLargeLogs' },
  { file: 'fixtures/nested/compose.yaml', label: 'cwd fixtures/nested', cwd: 'fixtures/nested', args: [], expectOut: ['"root"', '"win=root"'], why: 'TestNestedDotEnv' },
  { file: 'fixtures/nested/compose.yaml', label: 'cwd fixtures/nested/sub', cwd: 'fixtures/nested/sub', args: [], expectOut: ['"root"', '"sub"', '"win=sub"'], why: 'TestNestedDotEnv' },
  { file: 'fixtures/network-recreate/compose.yaml', project: 'network_recreate', why: 'TestNetworkRecreate' },
  { file: 'fixtures/network-test/compose.yaml', args: [], env: { COMPOSE_PROJECT_NAME: 'network-e2e', COMPOSE_FILE: './fixtures/network-test/compose.yaml' }, why: 'TestNetworks' },
  { file: 'fixtures/project-volume-bind-test/docker-compose.yml', args: ['--project-directory', 'fixtures/project-volume-bind-test'], env: { TEST_DIR: '${TMP}' }, project: 'compose-e2e-project-volume-bind', why: 'TestProjectVolumeBind' },
  { file: 'fixtures/ps-test/compose.yaml', project: 'e2e-ps', why: 'TestPs' },
  {
    file: 'fixtures/publish/oci/compose.yaml',
    covers: ['fixtures/publish/oci/compose-override.yaml'],
    args: ['-f', './fixtures/publish/oci/compose.yaml', '-f', './fixtures/publish/oci/compose-override.yaml'],
    project: 'compose-e2e-publish',
    why: 'TestPublish',
  },
  { file: 'fixtures/publish/oci/compose-interpolated.yaml', project: 'compose-e2e-publish', why: 'TestPublish' },
  { file: 'fixtures/restart-test/compose.yaml', args: ['-f', './fixtures/restart-test/compose.yaml', '--profile', 'test'], project: 'e2e-restart-profiles', why: 'TestRestartWithProfiles' },
  { file: 'fixtures/restart-test/compose-depends-on.yaml', project: 'e2e-restart-deps', why: 'TestRestartWithDependencies' },
  { file: 'fixtures/run-test/piped-test.yaml', why: 'TestComposeRunPipedInput' },
  { file: 'fixtures/sentences/compose.yaml', project: 'compose-e2e-demo', why: 'TestLocalComposeUp' },
  { file: 'fixtures/simple-composefile/compose.yaml', why: 'TestEventsUnknownService' },
  // --project-directory pointing at an empty sub-directory: the compose file is found in a parent.
  { file: 'fixtures/simple-composefile/compose.yaml', label: 'parent of --project-directory', copyDir: true, mkdir: 'test-tmp1', args: ['--project-directory', '${TMP}/test-tmp1'], project: 'test-tmp1', why: 'TestDownComposefileInParentFolder' },
  { file: 'fixtures/start-stop/compose.yaml', args: [], env: { COMPOSE_FILE: './fixtures/start-stop/compose.yaml' }, project: 'e2e-start-stop-svc-multiple', why: 'TestStartStopMultipleServices' },
  { file: 'fixtures/start-stop/other.yaml', project: 'e2e-start-stop-svc-multiple-files', why: 'TestStartStopMultipleFiles' },
  // pflag accepts `-f=value` for a shorthand flag.
  { file: 'fixtures/ups-deps-stop/compose.yaml', args: ['-f=./fixtures/ups-deps-stop/compose.yaml'], project: 'up-deps-stop', why: 'TestUpDependenciesNotStopped' },
  { file: 'fixtures/ups-deps-stop/orphan.yaml', args: ['-f=./fixtures/ups-deps-stop/orphan.yaml'], project: 'up-deps-stop', why: 'TestUpDependenciesNotStopped' },
  { file: 'fixtures/volume-test/compose.yaml', args: ['--project-directory', 'fixtures/volume-test'], project: 'compose-e2e-volume', why: 'TestLocalComposeVolume' },
  { file: 'fixtures/wait/compose.yaml', project: 'e2e-wait-infinity', why: 'TestWaitOnInfinity' },
  { file: 'fixtures/watch/compose.yaml', copyAlone: true, project: 'e2e-watch-alpine', why: 'TestWatch' },
  { file: 'fixtures/watch/exec.yaml', copyAlone: true, project: 'test_watch_exec', why: 'TestWatchExec' },
  { file: 'fixtures/watch/rebuild.yaml', copyAlone: true, project: 'test_watch_rebuild', why: 'TestWatchMultiServices' },
  { file: 'fixtures/watch/rebuild-deps.yaml', copyAlone: true, project: 'test_watch_rebuild_deps', why: 'TestWatchRebuildIgnoresDependencies' },
  { file: 'fixtures/watch/symlink.yaml', copyAlone: true, project: 'test_watch_symlink', why: 'TestWatchSyncIntoSymlinkedDirectory' },
  { file: 'fixtures/watch/include.yaml', copyAlone: true, project: 'test_watch_includes', why: 'TestWatchIncludes' },
  { file: 'fixtures/watch/x-initialSync.yaml', copyAlone: true, project: 'test_watch_warn_initial_syn', why: 'TestCheckWarningXInitialSyn' },
  { file: 'fixtures/watch/with-external-network.yaml', args: [], env: { COMPOSE_FILE: './fixtures/watch/with-external-network.yaml' }, project: 'test_rebuild_on_dotenv_with_external_network', why: 'TestRebuildOnDotEnvWithExternalNetwork' },
  // Used by a test removed upstream (23351ece8), which expected the schema error on `up`.
  { file: 'fixtures/wrong-composefile/compose.yaml', expectErr: "additional properties 'wrongField' not allowed", why: 'former TestComposeWrongFile (schema error)' },
  { file: 'fixtures/wrong-composefile/build-error.yml', args: ['--file', 'fixtures/wrong-composefile/build-error.yml'], why: 'former TestComposeWrongFile (fails at build only)' },
  { file: 'fixtures/wrong-composefile/unknown-image.yml', args: ['--file', 'fixtures/wrong-composefile/unknown-image.yml'], why: 'former TestComposeWrongFile (fails at pull only)' },

  // --- pkg/e2e/testdata (scenarios: `-f testdata/T/compose.yaml --project-name e2e-t`, scenario env) ---
  { file: 'testdata/TestBuildSecrets/compose.yaml', env: { SECRET_IMAGE: 'e2e-build-secrets-secret', SOME_SECRET: 'bar' } },
  { file: 'testdata/TestBuildTags/compose.yaml', env: { TAG_IMAGE: 'e2e-build-tags-tags' } },
  { file: 'testdata/TestConfigFromEnv/compose.yaml', env: { CONFIG: 'config' } },
  { file: 'testdata/TestCreateIdempotentDefaultPlatform/compose.yaml', env: { DOCKER_DEFAULT_PLATFORM: NON_NATIVE } },
  { file: 'testdata/TestCreateIdempotentSharedImageMixedPlatforms/compose.yaml', env: { PINNED_PLATFORM: NON_NATIVE } },
  { file: 'testdata/TestCreateLocalMultiPlatformImage/compose.yaml', env: { REQUESTED_PLATFORM: NON_NATIVE } },
  { file: 'testdata/TestEnvInterpolation/compose.yaml', env: { WHEREAMI: 'shell' }, expectOut: ['"IMAGE": "default_env:shell"'] },
  { file: 'testdata/TestEnvInterpolationDefaultValue/compose.yaml', expectOut: ['"IMAGE": "default_env:EnvFileDefaultValue"'] },
  { file: 'testdata/TestEnvPriority/compose.yaml', args: ['-f', 'testdata/TestEnvPriority/compose.yaml', '--env-file', 'testdata/TestEnvPriority/.env.override'] },
  { file: 'testdata/TestEnvPriorityComposeEnvironment/compose.yaml', args: ['-f', 'testdata/TestEnvPriorityComposeEnvironment/compose.yaml', '--env-file', 'testdata/TestEnvPriorityComposeEnvironment/.env.override'] },
  { file: 'testdata/TestExplicitProfileUsage/compose.yaml', args: ['-f', 'testdata/TestExplicitProfileUsage/compose.yaml', '--profile', 'test-profile'] },
  { file: 'testdata/TestIPC/compose.yaml', env: { EXTERNAL_NAME: 'e2e-ipc-external' } },
  { file: 'testdata/TestImageVolumeRecreateOnRebuild/compose.yaml', env: { SOURCE_IMAGE: 'e2e-image-volume-recreate-on-rebuild-source-image' } },
  { file: 'testdata/TestImagesAfterImageRemoved/compose.yaml', env: { REMOVED_IMAGE: 'e2e-images-after-image-removed:v1' } },
  { file: 'testdata/TestLocalComposeConfig/compose.yaml', expectOut: ['"published": "8080"'] },
  // The scenario runs config with --no-consistency (`incomplete` has no image); plain config must
  // then fail on compose-go's consistency check.
  { file: 'testdata/TestLocalComposeConfigNoConsistency/compose.yaml', label: '--no-consistency', configArgs: ['--no-consistency'] },
  { file: 'testdata/TestLocalComposeConfigNoConsistency/compose.yaml', label: 'plain', expectErr: 'service "incomplete" has neither an image nor a build context specified', why: 'compose-go checkConsistency' },
  { file: 'testdata/TestLoggingDriver/compose.yaml', env: { HOST: '127.0.0.1', BAR: 'foo' } },
  { file: 'testdata/TestPreStartHookReRunOnSpecChange/compose.yaml', env: { HOOK_VERSION: 'v1' } },
  { file: 'testdata/TestPublishLocalInclude/compose.yaml', covers: ['testdata/TestPublishLocalInclude/common.yaml'] },
  { file: 'testdata/TestPublishWithExtends/compose.yaml', covers: ['testdata/TestPublishWithExtends/common.yaml'] },
  { file: 'testdata/TestSecretFromEnv/compose.yaml', env: { SECRET: 'BAR' }, covers: ['testdata/TestSecretFromEnv/child/compose.yaml'] },
  { file: 'testdata/TestSecretFromInclude/compose.yaml', covers: ['testdata/TestSecretFromInclude/child/compose.yaml'] },
  { file: 'testdata/TestUpContainerNameConflict/compose.yaml', env: { FIXED_NAME: 'e2e-up-container-name-conflict-fixed' } },
  { file: 'testdata/TestUpImageID/compose.yaml', env: { ID: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' } },
  { file: 'testdata/TestUpSwitchVolumes/compose.yaml', env: { EXTERNAL_VOLUME: 'e2e-up-switch-volumes-ext-1' } },
  { file: 'testdata/TestUpWithBuildDependencies/compose.yaml', env: { BUILT_IMAGE: 'e2e-up-with-build-dependencies-built' } },
  { file: 'testdata/TestUpWithDependencyNotRequired/compose.yaml', args: ['-f', 'testdata/TestUpWithDependencyNotRequired/compose.yaml', '--profile', 'not-required'] },
];

/** docker/compose's scenario project name: TestUpDryRunMissingImage → e2e-up-dry-run-missing-image. */
function scenarioProject(testName) {
  let out = '';
  let prev = '';
  for (const [i, ch] of [...testName.replace(/^Test/, '')].entries()) {
    if (/[A-Z]/.test(ch)) out += (i > 0 && !/[A-Z]/.test(prev) ? '-' : '') + ch.toLowerCase();
    else if (/[a-z0-9]/.test(ch)) out += ch;
    else out += ch === '/' ? '--' : '-';
    prev = ch;
  }
  return `e2e-${out.replace(/^-+|-+$/g, '')}`;
}

function findComposeFiles(root) {
  const out = [];
  const walk = (rel) => {
    for (const ent of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        if (!ent.name.startsWith('expected-')) walk(p);
      } else if (/\.ya?ml$/.test(ent.name)) out.push(p);
    }
  };
  for (const top of ['fixtures', 'testdata']) if (existsSync(join(root, top))) walk(top);
  return out.sort();
}

function parseArgs(argv) {
  const opts = { root: undefined, bin: resolve(dirname(new URL(import.meta.url).pathname), '../bin/capstan'), only: undefined, verbose: false, timeoutMs: 20_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--bin') opts.bin = resolve(argv[++i]);
    else if (a === '--only') opts.only = argv[++i];
    else if (a === '-v' || a === '--verbose') opts.verbose = true;
    else if (a === '--timeout') opts.timeoutMs = Number(argv[++i]) * 1000;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/e2e-fixtures-config.mjs <pkg/e2e dir> [--bin PATH] [--only SUBSTR] [--timeout SECONDS] [-v]\n');
      process.exit(0);
    } else if (!opts.root) opts.root = resolve(a);
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.root) throw new Error('missing the path to docker/compose pkg/e2e (an export of the upstream directory)');
  if (!existsSync(join(opts.root, 'fixtures')) && !existsSync(join(opts.root, 'testdata'))) {
    throw new Error(`${opts.root}: no fixtures/ or testdata/ here; pass docker/compose's pkg/e2e directory`);
  }
  return opts;
}

/** The environment of a run: ours minus anything compose reads, plus the run's own variables. */
function baseEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(COMPOSE_|DOCKER_)/.test(k) || k === 'PWD') continue;
    env[k] = v;
  }
  return env;
}

function firstErrorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => !/^warn(ing)?[:\s]/i.test(l)) ?? lines[0] ?? '(no output)';
}

function runOne(root, run, opts) {
  const tmp = mkdtempSync(join(tmpdir(), 'capstan-e2e-cfg-'));
  try {
    const subst = (s) => s.replaceAll('${TMP}', tmp).replaceAll('${E2E}', root);
    for (const [name, content] of Object.entries(run.writeFiles ?? {})) writeFileSync(join(tmp, name), content);
    let cwd = join(root, run.cwd ?? '.');
    let args = (run.args ?? ['-f', run.file]).map(subst);
    if (run.copyAlone) {
      cpSync(join(root, run.file), join(tmp, 'compose.yaml'));
      args = ['-f', join(tmp, 'compose.yaml')];
    } else if (run.copyDir) {
      cpSync(join(root, dirname(run.file)), tmp, { recursive: true });
      cwd = tmp;
    }
    if (run.mkdir) mkdirSync(join(tmp, run.mkdir), { recursive: true });
    const testName = /^testdata\/([^/]+)\//.exec(run.file)?.[1];
    const project = run.project ?? (testName ? scenarioProject(testName) : `e2e-fixtures-${run.file.replace(/\.ya?ml$/, '').replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase()}`);
    const env = { ...baseEnv() };
    for (const [k, v] of Object.entries(run.env ?? {})) env[k] = subst(v);
    // Upstream passes --project-name unless the test sets COMPOSE_PROJECT_NAME.
    const nameArgs = env.COMPOSE_PROJECT_NAME ? [] : ['-p', project];
    const argv = [opts.bin, ...args, ...nameArgs, 'config', '--format', 'json', ...(run.configArgs ?? [])];
    const res = spawnSync(process.execPath, argv, { cwd, env, encoding: 'utf8', timeout: opts.timeoutMs });
    const command = `(cd ${relative(root, cwd) || '.'} && capstan ${argv.slice(1).join(' ')})`;
    if (res.error) return { status: 'FAIL', detail: `${res.error.message}`, command };
    const stderr = res.stderr ?? '';
    if (run.expectErr !== undefined) {
      if (res.status === 0) return { status: 'FAIL', detail: `exited 0, upstream expects an error containing: ${run.expectErr}`, command };
      if (!stderr.includes(run.expectErr)) return { status: 'FAIL', detail: `${firstErrorLine(stderr)}  [upstream expects: ${run.expectErr}]`, command };
      return { status: 'expected-error-ok', detail: run.expectErr, command };
    }
    if (res.status !== 0) return { status: 'FAIL', detail: `exit ${res.status}: ${firstErrorLine(stderr)}`, command };
    let parsed;
    try {
      parsed = JSON.parse(res.stdout);
    } catch {
      return { status: 'FAIL', detail: 'stdout is not JSON', command };
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.services !== 'object') {
      return { status: 'FAIL', detail: 'no services in the output', command };
    }
    const missing = (run.expectOut ?? []).filter((s) => !res.stdout.includes(s));
    if (missing.length) return { status: 'FAIL', detail: `output lacks ${missing.join(', ')}`, command };
    return { status: 'ok', detail: '', command };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = opts.root;
  const files = findComposeFiles(root);
  const byFile = new Map();
  for (const run of RUNS) {
    if (!byFile.has(run.file)) byFile.set(run.file, []);
    byFile.get(run.file).push(run);
  }
  const coveredBy = new Map();
  for (const run of RUNS) for (const c of run.covers ?? []) coveredBy.set(c, run.file);

  const counts = { ok: 0, 'expected-error-ok': 0, FAIL: 0 };
  const results = new Map();
  let swept = 0;
  const unknown = [...byFile.keys()].filter((f) => !files.includes(f));
  for (const file of files) {
    if (opts.only && !file.includes(opts.only)) continue;
    if (coveredBy.has(file) && !byFile.has(file)) continue;
    swept++;
    const runs = byFile.get(file) ?? [{ file }];
    for (const run of runs) {
      const r = runOne(root, run, opts);
      counts[r.status]++;
      const tag = run.label ? ` [${run.label}]` : '';
      process.stdout.write(`${r.status.padEnd(17)} ${file}${tag}${r.detail ? `  — ${r.detail}` : ''}\n`);
      if (opts.verbose || r.status === 'FAIL') process.stdout.write(`${' '.repeat(18)}$ ${r.command}\n`);
      results.set(file, [...(results.get(file) ?? []), r.status]);
    }
  }
  for (const [file, base] of coveredBy) {
    if (opts.only && !file.includes(opts.only)) continue;
    if (!files.includes(file)) continue;
    swept++;
    const st = results.get(base)?.every((s) => s !== 'FAIL') ? 'ok' : 'FAIL';
    process.stdout.write(`${`${st}`.padEnd(17)} ${file}  — loaded with ${base}\n`);
  }
  for (const f of unknown) process.stdout.write(`note: table entry ${f} has no file in ${root}\n`);
  process.stdout.write(
    `\n${swept} compose files, ${counts.ok + counts['expected-error-ok'] + counts.FAIL} runs: ${counts.ok} ok, ${counts['expected-error-ok']} expected-error-ok, ${counts.FAIL} FAIL\n`,
  );
  process.exitCode = counts.FAIL > 0 ? 1 : 0;
}

try {
  main();
} catch (err) {
  process.stderr.write(`e2e-fixtures-config: ${err.message}\n`);
  process.exitCode = 2;
}
