/**
 * Bad input (issue 13): every compose-go case that expects loading to FAIL — the expected-error
 * subcases of /work/shared/conformance/loader_cases and the invalid models of
 * schema/schema_cases.json — is refused with a CapstanError (so a non-zero exit), and the error
 * says where: `file:line:col: key.path: reason`. Errors that quote a choice or a format
 * (`is not one of`, `is not a duration`, …) quote the offending value.
 *
 * loader.test.ts checks each case's message against compose-go's; this file checks the form of
 * Capstan's own message. Cases whose error has no place in a file (an option on the command line,
 * a missing file, an include cycle) are listed in {@link NOT_IN_A_FILE}, each with why; they must
 * still name the file or the option involved.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { CapstanError, LoaderError } from '../../src/errors.js';
import { loadProject } from '../../src/loader/index.js';
import { CONFORMANCE_DIR, HAVE_CONFORMANCE, expandPlaceholders } from './support.js';

const ROOT = join(CONFORMANCE_DIR, 'loader_cases');
const ERROR_OPS = new Set(['error', 'error_contains', 'error_equals', 'error_prefix']);

interface Subcase {
  id: number;
  kind: string;
  label: string | null;
  dir: string;
  options?: Record<string, unknown>;
  environment?: Record<string, string> | string;
  working_dir?: string;
  working_dir_case_relative?: string;
  cwd?: string;
  cwd_case_relative?: string;
  config_files?: { upstream_filename: string; file: string }[];
  cli_options?: Record<string, unknown[]>[];
}

/**
 * Expected-error subcases whose error is about no position in a compose file. Each still gets a
 * CapstanError; the text after the key says what it must mention instead of `file:line:col`.
 */
const PROJECT_NAME = { why: 'the project name comes from the command line (-p / SetProjectName) or is missing altogether', mentions: /project name/ };
const NOT_IN_A_FILE: Record<string, { why: string; mentions: RegExp }> = {
  'cli/options_test/TestProjectName#12': PROJECT_NAME,
  'cli/options_test/TestProjectName#13': PROJECT_NAME,
  'cli/options_test/TestProjectName#16': PROJECT_NAME,
  'cli/options_test/TestProjectName#19': PROJECT_NAME,
  'cli/options_test/TestProjectName#22': PROJECT_NAME,
  'cli/options_test/TestProjectName#15': PROJECT_NAME,
  'cli/options_test/TestProjectName#18': PROJECT_NAME,
  'cli/options_test/TestProjectName#21': PROJECT_NAME,
  'cli/options_test/TestProjectName#24': PROJECT_NAME,
  'loader/loader_test/TestV1Unsupported#1': PROJECT_NAME,
  'loader/loader_test/TestLoadEmptyContent_MissingProject#1': PROJECT_NAME,
  'loader/loader_test/TestLoadProjectName#1': PROJECT_NAME,
  'loader/loader_test/TestLoadProjectName#2': PROJECT_NAME,
  'loader/loader_test/TestEmptyFile#1': { why: 'the file is empty: there is no line to point at', mentions: /^testdata\/empty\.yaml: empty compose file$/ },
  'loader/loader_test/TestLoadWithMissingResources#1': { why: 'a remote: include (a Go ResourceLoader hook) that does not exist as a file', mentions: /^remote:unavailable\.yaml: cannot read remote:unavailable\.yaml/ },
  'loader/loader_test/TestLoadWithResourcesCycle#1': { why: 'a remote: include (a Go ResourceLoader hook) that does not exist as a file', mentions: /^remote:cycle\/compose\.yaml: cannot read/ },
};

/** Subcases of kinds that do not load compose files (Go-only inputs); counted, not run. */
const NOT_FILES: Record<string, string> = {
  check_consistency: 'starts from a hand-built types.Project (input_model.json)',
  project_method: 'a Go method on a hand-built project',
  func: 'a compose-go internal function (ParseVolume) on a Go string',
};

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

function expectsError(caseDir: string, sub: Subcase): boolean {
  const own = join(caseDir, sub.dir, 'expected.json');
  const checks =
    sub.dir !== '.' && existsSync(own)
      ? readJson<{ op: string; sub?: number }[]>(own).filter((c) => c.sub === sub.id || c.sub === undefined)
      : existsSync(join(caseDir, 'expected.json'))
        ? readJson<{ op: string; sub?: number }[]>(join(caseDir, 'expected.json')).filter((c) => c.sub === sub.id)
        : [];
  return checks.some((c) => ERROR_OPS.has(c.op));
}

function envOf(base: string, value: Record<string, string> | string | null | undefined): Record<string, string> {
  if (!value) return {};
  if (typeof value === 'string') return readJson<Record<string, string>>(join(base, value));
  return value;
}

/** Load one subcase as compose-go's test did (the options loader.test.ts maps, reduced to what error cases use). */
async function load(caseDir: string, sub: Subcase): Promise<unknown> {
  const base = join(caseDir, sub.dir);
  const rel = sub.working_dir_case_relative ?? sub.cwd_case_relative ?? sub.config_files?.[0]?.file ?? '';
  const vars = { pwd: join(base, rel.split('/')[0] ?? ''), base };
  const onWarning = () => undefined;
  if (sub.kind === 'LoadWithContext') {
    const o = sub.options ?? {};
    const given = String(expandPlaceholders(sub.working_dir ?? vars.pwd, vars));
    const wd = !isAbsolute(given) && sub.working_dir_case_relative ? join(base, sub.working_dir_case_relative) : given;
    const setName = o['SetProjectName()'] as [string, boolean] | undefined;
    return loadProject({
      files: (sub.config_files ?? []).map((f) => join(base, f.file)),
      projectDirectory: wd,
      cwd: wd,
      env: envOf(base, expandPlaceholders(sub.environment, vars) as Record<string, string>),
      noDotEnv: true,
      projectName: setName?.[0] ?? (o.projectName as string | undefined),
      skipNormalization: o.SkipNormalization === true,
      skipConsistency: o.SkipConsistencyCheck === true,
      skipValidation: o.SkipValidation === true,
      resolvePaths: o.ResolvePaths !== false,
      nameFromDirectory: false,
      nameFromEnvironment: false,
      profiles: (o.Profiles as string[] | undefined) ?? [],
      maxNodeVisits: typeof o.MaxNodeVisits === 'number' ? o.MaxNodeVisits : undefined,
      onWarning,
    });
  }
  // cli.ProjectFromOptions / NewProjectOptions
  const cwd = String(expandPlaceholders(sub.cwd ?? vars.pwd, vars));
  let env: Record<string, string> = {};
  let name: string | undefined;
  let workdir: string | undefined;
  let envFiles: string[] | undefined;
  let dotenv = false;
  for (const opt of sub.cli_options ?? []) {
    const [k, args] = Object.entries(opt)[0]!;
    if (k === 'WithName') name = String(args[0]);
    else if (k === 'WithEnv') for (const kv of ((args[0] as string[] | null) ?? []).map((x) => x.replace('<builtin consts.ComposeProjectName>', 'COMPOSE_PROJECT_NAME'))) env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
    else if (k === 'WithWorkingDirectory') workdir = String(expandPlaceholders(args[0], vars));
    else if (k === 'WithEnvFiles') envFiles = (args as string[]).map(String);
    else if (k === 'WithDotEnv') dotenv = true;
  }
  const files = (sub.config_files ?? []).map((f) => join(base, f.file));
  const input = { files, cwd, projectDirectory: workdir, projectName: name, env, envFiles, noDotEnv: !dotenv, onWarning };
  if (sub.kind === 'NewProjectOptions') {
    const { resolveProjectOptions } = await import('../../src/loader/discover.js');
    return resolveProjectOptions(input);
  }
  return loadProject({ ...input, readStdin: async () => 'services:\n  simple:\n    image: nginx\n' });
}

/** `file:line:col: ` — where the problem is. */
const POSITIONED = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?<col>\d+): /;
/**
 * Problems of the YAML text or of the document as a whole, positioned but with no key to name
 * (the reason itself says which key when there is one: "non-string key in services: 123").
 */
const DOCUMENT_LEVEL = /top-level object must be a mapping|non-string key|tab character|excessive aliasing|cycle detected: node at path|map merge requires|additional properties '[^']+' not allowed/;
/** Reasons about a choice or a format: they must quote the value they refuse. */
const CHOICE_OR_FORMAT = /is not one of|must be one of|is not a (valid )?(duration|byte size|port|mode|format|number|boolean)|does not match format|must match pattern/i;

/** What is wrong with the form of the message, or undefined when it is right. */
function formProblem(err: CapstanError, allowedUnpositioned?: RegExp): string | undefined {
  if (err.exitCode === 0) return 'exit code 0';
  if (allowedUnpositioned) return allowedUnpositioned.test(err.message) ? undefined : `does not mention ${String(allowedUnpositioned)}`;
  if (!POSITIONED.test(err.message)) return 'no file:line:col: prefix';
  if (!(err instanceof LoaderError) || !err.line || !err.column) return 'not a LoaderError with line and column';
  if (!err.keyPath && !DOCUMENT_LEVEL.test(err.reason)) return 'no key path';
  if (CHOICE_OR_FORMAT.test(err.reason) && !/"[^"]*"|'[^']*'/.test(err.reason)) return 'a choice/format error that does not quote the value';
  return undefined;
}

const report: string[] = [];
const tally = { cases: 0, positioned: 0, elsewhere: 0 };

describe.skipIf(!HAVE_CONFORMANCE || !existsSync(ROOT))('compose-go invalid cases: CapstanError with file:line:col and key path', () => {
  const index = readJson<{ dir: string }[]>(join(ROOT, 'index.json'));
  for (const t of index) {
    const caseDir = join(ROOT, t.dir);
    const c = readJson<{ subcases: Subcase[] }>(join(caseDir, 'case.json'));
    for (const sub of c.subcases) {
      if (!expectsError(caseDir, sub)) continue;
      const key = `${t.dir}#${sub.id}`;
      if (NOT_FILES[sub.kind]) {
        it.skip(`${key} — ${NOT_FILES[sub.kind]}`, () => {});
        continue;
      }
      it(key, async () => {
        tally.cases++;
        const err = await load(caseDir, sub).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, 'loading must fail').toBeDefined();
        expect(err, String((err as Error)?.stack)).toBeInstanceOf(CapstanError);
        const exception = NOT_IN_A_FILE[key];
        const problem = formProblem(err as CapstanError, exception?.mentions);
        report.push(`${key}\t${problem ?? 'ok'}\t${(err as Error).message.split('\n')[0]}`);
        if (exception) tally.elsewhere++;
        else tally.positioned++;
        expect(problem, (err as Error).message).toBeUndefined();
      });
    }
  }
});

describe.skipIf(!HAVE_CONFORMANCE)('compose-go schema cases (schema/schema_cases.json): invalid models', () => {
  const file = join(CONFORMANCE_DIR, 'schema', 'schema_cases.json');
  const cases = existsSync(file) ? readJson<{ cases: { name: string; config: unknown; valid: boolean; error_contains?: string }[] }>(file).cases : [];
  const dir = mkdtempSync(join(tmpdir(), 'capstan-invalid-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const [i, c] of cases.entries()) {
    if (c.valid) continue;
    it(c.name, async () => {
      const path = join(dir, `case${i}.yaml`);
      writeFileSync(path, dump(c.config));
      const err = await loadProject({ files: [path], cwd: dir, env: {}, projectName: 'p', onWarning: () => undefined }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CapstanError);
      const problem = formProblem(err as CapstanError);
      report.push(`schema/${c.name}\t${problem ?? 'ok'}\t${(err as Error).message.split('\n')[0]}`);
      expect(problem, (err as Error).message).toBeUndefined();
    });
  }
});

afterAll(() => {
  if (process.env.CAPSTAN_INVALID_REPORT) writeFileSync(process.env.CAPSTAN_INVALID_REPORT, report.join('\n') + '\n');
  process.stdout.write(`invalid cases: ${tally.positioned} positioned, ${tally.elsewhere} about no place in a file\n`);
});

describe('extends and include errors are located in the file they are in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-located-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const errorOf = async (files: Record<string, string>, main = 'compose.yaml'): Promise<LoaderError> => {
    const d = mkdtempSync(join(dir, 'p-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    const err = await loadProject({ files: [join(d, main)], cwd: d, env: {}, projectName: 'p', onWarning: () => undefined }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LoaderError);
    return err as LoaderError;
  };

  it('extends without service: at the extends key of the file', async () => {
    const err = await errorOf({ 'compose.yaml': 'services:\n  web:\n    image: x\n    extends:\n      file: base.yaml\n', 'base.yaml': 'services: {}\n' });
    expect(err.message).toBe('compose.yaml:5:7: services.web.extends: extends.web.service is required');
  });

  it('a missing base service in a base file: in the base file', async () => {
    const err = await errorOf({
      'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
      'base.yaml': 'services:\n  base:\n    image: x\n    extends:\n      service: nothere\n',
    });
    expect(err.message).toMatch(/^base\.yaml:5:7: services\.base\.extends: cannot extend service "base" in .*base\.yaml: service "nothere" not found$/);
  });

  it('an extends cycle: at the extends key', async () => {
    const err = await errorOf({ 'compose.yaml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n' });
    expect(err.message).toMatch(/^compose\.yaml:\d+:\d+: services\.[ab]\.extends: Circular reference with extends: /);
  });

  it('an include cycle: one line, at the include key of the file that closes it', async () => {
    const err = await errorOf({ 'compose.yaml': 'include: [a.yaml]\nservices: {}\n', 'a.yaml': 'services: {}\ninclude:\n  - compose.yaml\n' });
    expect(err.message).toMatch(/^a\.yaml:3:3: include: include cycle detected: .*compose\.yaml includes .*a\.yaml includes .*compose\.yaml$/);
    expect(err.message).not.toContain('\n');
  });

  it('a bad value in an included file: in the included file', async () => {
    const err = await errorOf({ 'compose.yaml': 'include: [inc.yaml]\nservices:\n  web:\n    image: x\n', 'inc.yaml': 'services:\n  db:\n    image: x\n    cgroup: weird\n' });
    expect(err.message).toBe('inc.yaml:4:13: services.db.cgroup: "weird" is not one of: host, private');
  });
});
