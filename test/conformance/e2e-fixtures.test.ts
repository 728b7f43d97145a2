/**
 * `config --format json` over the docker/compose e2e fixtures copied to
 * /work/shared/conformance/e2e_fixtures (read at test time, never copied here), loaded in-process
 * the way the upstream tests invoke compose: same files, project directory, cwd, `--env-file`,
 * `--profile` and environment. Each run must load (and render) or fail with the error upstream
 * expects. Scenario folders (`Test*`) take their project name and environment from their
 * `test.json` and their global flags from the first compose step; the legacy `fixtures-*`
 * folders are listed in {@link LEGACY_RUNS}. The full sweep over an export of upstream `pkg/e2e`
 * is `node scripts/e2e-fixtures-config.mjs <dir>`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject, projectToModel } from '../../src/loader/index.js';
import { CONFORMANCE_DIR, HAVE_CONFORMANCE } from './support.js';

const ROOT = join(CONFORMANCE_DIR, 'e2e_fixtures');
const PRESENT = HAVE_CONFORMANCE && existsSync(ROOT);

interface Run {
  name: string;
  /** Stands in for the command's cwd (upstream: `pkg/e2e`, i.e. {@link ROOT}). */
  cwd: string;
  files?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFiles?: string[];
  profiles?: string[];
  env?: Record<string, string>;
  /** Substrings of the compact JSON rendering (`JSON.stringify(model)`). */
  expectOut?: string[];
  /** The load must fail with a message containing this. */
  expectErr?: string;
}

/**
 * Runs Capstan does not pass yet, each with the reason. They run as `it.fails`: one that starts
 * passing must be taken off this list.
 */
const KNOWN_GAPS: Record<string, string> = {
};

let scratch: string | undefined;
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'capstan-e2e-fixtures-'));
  return scratch;
}

/** The legacy `pkg/e2e/fixtures/<name>` folders, copied as `fixtures-<name>`; cwd is `pkg/e2e`. */
function legacyRuns(): Run[] {
  const dotenv = join(ROOT, 'fixtures-dotenv');
  const nested = join(ROOT, 'fixtures-nested');
  return [
    // TestComposeFileSetByDotEnv: run from fixtures/dotenv, whose .env sets COMPOSE_FILE, IMAGE_NAME, COMPOSE_PROFILES.
    {
      name: 'fixtures-dotenv: cwd .env sets COMPOSE_FILE and COMPOSE_PROFILES',
      cwd: dotenv,
      projectName: 'dotenv',
      expectOut: ['"image":"test:latest"', '"image":"enabled:profile"'],
    },
    // TestComposeFileSetByProjectDirectory.
    {
      name: 'fixtures-dotenv: --project-directory development',
      cwd: ROOT,
      projectDirectory: 'fixtures-dotenv/development',
      projectName: 'dotenv',
      expectOut: ['"image":"backend:latest"'],
    },
    // TestComposeFileSetByEnvFile: a temporary env file naming the compose file.
    {
      name: 'fixtures-dotenv: --env-file sets COMPOSE_FILE',
      cwd: ROOT,
      envFiles: ['<tmp>/.env.tmp'],
      projectName: 'dotenv',
      expectOut: ['"image":"test:latest"', '"image":"enabled:profile"'],
    },
    // TestNestedDotEnv (upstream runs `run echo`; the command line is what it prints).
    { name: 'fixtures-nested: cwd nested', cwd: nested, projectName: 'nested', expectOut: ['"command":["echo","root","win=root"]'] },
    {
      name: 'fixtures-nested: cwd sub/, compose file in the parent',
      cwd: join(nested, 'sub'),
      projectName: 'nested',
      expectOut: ['"command":["echo","root","sub","win=sub"]'],
    },
    // TestComposeRunPipedInput.
    { name: 'fixtures-run-test: piped-test.yaml', cwd: ROOT, files: [join(ROOT, 'fixtures-run-test', 'piped-test.yaml')], projectName: 'e2e-run-test' },
  ];
}

const LEGACY_RUNS = PRESENT ? legacyRuns() : [];

/** A scenario folder: `-f <dir>/compose.yaml --project-name <name>`, scenario env, first step's flags. */
function scenarioRun(dir: string): Run {
  const abs = join(ROOT, dir);
  const spec = JSON.parse(readFileSync(join(abs, 'test.json'), 'utf8')) as {
    project_name: string;
    env: unknown[];
    steps: { action: { kind: string; args: string[]; env?: string[] | null } }[];
  };
  const env: Record<string, string> = {};
  const addEnv = (kv: unknown) => {
    if (typeof kv !== 'string' || !kv.includes('=')) return;
    env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
  };
  spec.env.forEach(addEnv);
  const run: Run = { name: dir, cwd: ROOT, files: [join(abs, 'compose.yaml')], projectName: spec.project_name, env };
  const first = spec.steps.find((s) => s.action.kind === 'compose')?.action;
  (first?.env ?? []).forEach(addEnv);
  const args = (first?.args ?? []).map((a) => a.replaceAll('${SCENARIO_DIR}', abs));
  for (let i = 0; i < args.length && args[i]!.startsWith('-'); i++) {
    const a = args[i]!;
    if (a === '--env-file') (run.envFiles ??= []).push(args[++i]!);
    else if (a === '--profile') (run.profiles ??= []).push(args[++i]!);
    // other global flags (--progress=plain, --ansi=never, --verbose, …) do not affect loading
  }
  if (dir === 'TestConfig') run.expectOut = [`"context":${JSON.stringify(join(abs, 'nginx-build'))}`];
  return run;
}

const SCENARIO_RUNS = PRESENT
  ? readdirSync(ROOT).filter((d) => d.startsWith('Test') && existsSync(join(ROOT, d, 'test.json'))).sort().map(scenarioRun)
  : [];

async function configJson(run: Run): Promise<string> {
  const tmp = scratchDir();
  if (run.envFiles?.some((f) => f.startsWith('<tmp>'))) {
    writeFileSync(
      join(tmp, '.env.tmp'),
      `COMPOSE_FILE=${join(ROOT, 'fixtures-dotenv', 'development', 'compose.yaml')}\nIMAGE_NAME=test\nIMAGE_TAG=latest\nCOMPOSE_PROFILES=test\n`,
    );
  }
  const project = await loadProject({
    cwd: run.cwd,
    files: run.files,
    projectName: run.projectName,
    projectDirectory: run.projectDirectory,
    envFiles: run.envFiles?.map((f) => f.replace('<tmp>', tmp)),
    profiles: run.profiles,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...run.env },
    onWarning: () => {},
  });
  return JSON.stringify(projectToModel(project));
}

describe('e2e fixtures: config --format json', () => {
  if (!PRESENT) {
    it.skip(`${ROOT} is absent: conformance data not available on this machine`, () => {});
    return;
  }
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('every copied fixture folder is exercised', () => {
    const folders = readdirSync(ROOT).filter((d) => !d.startsWith('.')).sort();
    const covered = new Set([...SCENARIO_RUNS.map((r) => r.name), ...LEGACY_RUNS.map((r) => r.name.split(':')[0]!)]);
    expect(folders.filter((d) => !covered.has(d))).toEqual([]);
  });

  for (const run of [...SCENARIO_RUNS, ...LEGACY_RUNS]) {
    (KNOWN_GAPS[run.name] ? it.fails : it)(run.name, async () => {
      if (run.expectErr !== undefined) {
        await expect(configJson(run)).rejects.toThrow(run.expectErr);
        return;
      }
      const out = await configJson(run);
      expect(Object.keys((JSON.parse(out) as { services: object }).services).length).toBeGreaterThan(0);
      for (const s of run.expectOut ?? []) expect(out).toContain(s);
    });
  }
});
