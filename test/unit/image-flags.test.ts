import http from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GlobalOptions, Session } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { findBuildx, pluginDirs } from '../../src/compose/build.js';
import { Compose } from '../../src/compose/compose.js';
import { Label } from '../../src/compose/labels.js';
import { EngineClient } from '../../src/engine/client.js';
import type { BuildOptions, Engine, ProgressMessage, PullImageOptions, PushImageOptions } from '../../src/engine/types.js';
import { EngineError } from '../../src/errors.js';
import { loadProject } from '../../src/loader/index.js';
import type { Project } from '../../src/model/types.js';
import { FakeEngine } from '../support/fake-engine.js';
import { tarEntries } from '../support/tar.js';

/**
 * The image flags of issue 11 (`create --pull`, `pull`/`push`/`build` flags) and the classic
 * builder's attributes, from the command line and the compose file down to the engine calls:
 * `main()` parses real argv and loads a real compose file; only `session()` is replaced, so the
 * commands drive a Compose over the in-memory fake engine (no daemon).
 */

const harness = vi.hoisted(() => ({
  engine: undefined as unknown,
  /** What the progress renderer wrote. */
  progress: [] as string[],
  /** The progress mode of each session opened. */
  modes: [] as string[],
}));

vi.mock('../../src/cli/context.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cli/context.js')>();
  const { Compose: RealCompose } = await import('../../src/compose/compose.js');
  const { createProgress } = await import('../../src/ui/progress.js');
  const { colorsFor } = await import('../../src/ui/colors.js');
  return {
    ...real,
    session: (g: GlobalOptions, title?: string): Session => {
      harness.modes.push(g.progress ?? 'auto');
      const out = { isTTY: false, write: (s: string) => (harness.progress.push(String(s)), true) };
      const progress = createProgress(g.progress ?? 'auto', out, colorsFor(process.stderr, 'never'), title);
      return { compose: new RealCompose({ engine: harness.engine as Engine, events: progress }), progress };
    },
  };
});

const REG = 'reg.test:5000';

/** The fake engine plus a registry: pulls and pushes are journaled like the other calls. */
class RegistryEngine extends FakeEngine {
  /** References the registry holds. */
  readonly registry = new Set<string>();

  pullImage(ref: string, options: PullImageOptions = {}): AsyncIterable<ProgressMessage> {
    this.calls.push({ method: 'pullImage', target: ref, args: [ref, options] });
    const engine = this;
    return (async function* () {
      if (!engine.registry.has(ref)) throw new EngineError(404, `manifest for ${ref} not found: manifest unknown`, `pull ${ref}`);
      yield { status: 'Pulling fs layer', id: 'l1' };
      yield { status: 'Downloading', id: 'l1', progressDetail: { current: 5, total: 10 } };
      yield { status: 'Pull complete', id: 'l1' };
      engine.addImage(ref, { Labels: { from: 'registry' } });
    })();
  }

  pushImage(ref: string, options: PushImageOptions = {}): AsyncIterable<ProgressMessage> {
    this.calls.push({ method: 'pushImage', target: ref, args: [ref, options] });
    const engine = this;
    return (async function* () {
      if (!engine.imageTags().some((t) => t === ref)) throw new EngineError(404, `An image does not exist locally with the tag: ${ref}`, `push ${ref}`);
      yield { status: 'Pushed', id: 'l1' };
      engine.registry.add(ref);
    })();
  }

  /** Targets of the calls to `method`, in order. */
  targets(method: 'pullImage' | 'pushImage' | 'build'): string[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.target);
  }

  /** The options of each `POST /build`, in order. */
  builds(): Array<{ context: Buffer; options: BuildOptions }> {
    return this.calls.filter((c) => c.method === 'build').map((c) => ({ context: c.args[0] as Buffer, options: c.args[1] as BuildOptions }));
  }
}

let dir: string;
let fake: RegistryEngine;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-image-flags-'));
  // no registry credentials, no buildx plugin and no stat cache from the user's home
  vi.stubEnv('DOCKER_CONFIG', join(dir, '.docker'));
  vi.stubEnv('CAPSTAN_CACHE_DIR', join(dir, '.cache'));
  vi.stubEnv('COMPOSE_PROGRESS', undefined);
  vi.stubEnv('COMPOSE_PROJECT_NAME', undefined);
  vi.stubEnv('COMPOSE_FILE', undefined);
  fake = new RegistryEngine();
  harness.engine = fake;
  harness.modes.length = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes files (path → content) under the test's directory; returns the compose file path. */
function workspace(compose: string, files: Record<string, string> = {}): string {
  for (const [path, content] of Object.entries({ 'compose.yaml': compose, ...files })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return join(dir, 'compose.yaml');
}

/** The project as the CLI loads it. */
function load(file: string): Promise<Project> {
  return loadProject({ files: [file], projectName: 'imgflags', onWarning: () => undefined });
}

interface Run {
  failed: boolean;
  code: number;
  stdout: string;
  stderr: string;
  /** What the progress renderer wrote (plain mode unless the command makes it quiet). */
  progress: string;
}

/** `capstan -f <file> -p imgflags --progress plain --ansi never <args>` through main(). */
async function capstan(file: string, ...args: string[]): Promise<Run> {
  harness.progress.length = 0;
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const failed = await main(['node', 'capstan', '-f', file, '-p', 'imgflags', '--progress', 'plain', '--ansi', 'never', ...args]);
    return { failed, code: Number(process.exitCode ?? 0), stdout, stderr, progress: harness.progress.join('') };
  } finally {
    vi.mocked(process.stdout.write).mockRestore();
    vi.mocked(process.stderr.write).mockRestore();
    process.exitCode = saved;
  }
}

/** The image lines of a printed plan (`image  <name>  <action>  <cause>`), spaces squeezed. */
function imageLines(plan: string): string[] {
  return plan
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l.startsWith('image '));
}

describe('create --pull', () => {
  const compose = `services:\n  app:\n    image: ${REG}/app:1\n`;

  it('plans the same pulls as up --pull, for each policy', async () => {
    const file = workspace(compose);
    fake.addImage(`${REG}/app:1`);
    for (const policy of ['always', 'missing', 'never', 'policy']) {
      const created = await capstan(file, 'create', '--pull', policy, '--dry-run');
      const upped = await capstan(file, 'up', '--pull', policy, '--dry-run');
      expect(created.failed).toBe(false);
      expect(imageLines(created.stdout)).toEqual(imageLines(upped.stdout));
    }
    expect(imageLines((await capstan(file, 'create', '--pull', 'always', '--dry-run')).stdout)).toEqual([`image ${REG}/app:1 pull --pull always`]);
    expect(imageLines((await capstan(file, 'create', '--dry-run')).stdout)).toEqual([]); // present: the default policy pulls nothing
    expect(fake.targets('pullImage')).toEqual([]); // dry runs only
  });

  it('pulls before creating, starts nothing, and labels the container with the pulled image', async () => {
    const file = workspace(compose);
    const local = fake.addImage(`${REG}/app:1`);
    fake.registry.add(`${REG}/app:1`);
    const r = await capstan(file, 'create', '--pull', 'always');
    expect(r).toMatchObject({ failed: false, code: 0 });
    const journal = fake.journal(['pullImage', 'createContainer', 'startContainer']);
    expect(journal).toEqual([`pullImage ${REG}/app:1`, 'createContainer imgflags-app-1']);
    const pulled = fake.container('imgflags-app-1')!.body.Labels![Label.image];
    expect(pulled).toMatch(/^sha256:/);
    expect(pulled).not.toBe(local);
    expect(r.progress).toContain(`Image ${REG}/app:1  Pulled`);
  });

  it('--pull missing pulls an absent image; --pull never refuses it without asking the registry', async () => {
    const file = workspace(compose);
    fake.registry.add(`${REG}/app:1`);
    const never = await capstan(file, 'create', '--pull', 'never');
    expect(never.failed).toBe(true);
    expect(never.stderr).toMatch(/image reg\.test:5000\/app:1 is not present locally/);
    expect(fake.targets('pullImage')).toEqual([]);
    expect((await capstan(file, 'create', '--pull', 'missing')).failed).toBe(false);
    expect(fake.targets('pullImage')).toEqual([`${REG}/app:1`]);
    expect(fake.container('imgflags-app-1')?.status).toBe('created');
  });
});

describe('create --pull build', () => {
  it('builds every service that has build, even with its image present, and pulls nothing (compose sets pull_policy: build on all)', async () => {
    const file = workspace(
      ['services:', '  web:', '    build: ./web', `    image: ${REG}/web:1`, '  cache:', `    image: ${REG}/cache:1`, ''].join('\n'),
      { 'web/Dockerfile': 'FROM scratch\n' },
    );
    fake.addImage(`${REG}/web:1`);
    fake.addImage(`${REG}/cache:1`);
    fake.registry.add(`${REG}/cache:1`);
    for (const verb of ['create', 'up']) {
      const plan = await capstan(file, verb, '--pull', 'build', '--dry-run');
      expect(plan.failed).toBe(false);
      expect(imageLines(plan.stdout)).toEqual([`image ${REG}/web:1 build --pull build`]);
    }
    expect((await capstan(file, 'create', '--pull', 'build')).failed).toBe(false);
    expect(fake.targets('build')).toEqual([`${REG}/web:1`]);
    expect(fake.targets('pullImage')).toEqual([]);
  });

  it('another --pull replaces a pull_policy: build, which alone still builds', async () => {
    const file = workspace(['services:', '  web:', '    build: ./web', `    image: ${REG}/web:1`, '    pull_policy: build', ''].join('\n'), {
      'web/Dockerfile': 'FROM scratch\n',
    });
    fake.addImage(`${REG}/web:1`);
    expect(imageLines((await capstan(file, 'create', '--dry-run')).stdout)).toEqual([`image ${REG}/web:1 build pull_policy: build`]);
    expect(imageLines((await capstan(file, 'create', '--pull', 'never', '--dry-run')).stdout)).toEqual([]);
  });
});

describe('pull flags', () => {
  const compose = [
    'services:',
    '  web:',
    `    image: ${REG}/web:1`,
    '    depends_on: [db]',
    '  db:',
    `    image: ${REG}/db:1`,
    '  other:',
    `    image: ${REG}/other:1`,
    '',
  ].join('\n');

  it('--include-deps also pulls the dependencies of the named services', async () => {
    const file = workspace(compose);
    for (const s of ['web', 'db', 'other']) fake.registry.add(`${REG}/${s}:1`);
    expect((await capstan(file, 'pull', 'web')).failed).toBe(false);
    expect(fake.targets('pullImage')).toEqual([`${REG}/web:1`]);
    fake.clearCalls();
    expect((await capstan(file, 'pull', '--include-deps', 'web')).failed).toBe(false);
    expect(fake.targets('pullImage').sort()).toEqual([`${REG}/db:1`, `${REG}/web:1`]);
    // the library option the flag maps to
    const plan = await new Compose({ engine: fake }).pull(await load(file), { services: ['web'], includeDeps: true, dryRun: true });
    expect(plan.steps.map((s) => s.id)).toEqual([`pull-image:${REG}/web:1`, `pull-image:${REG}/db:1`]);
  });

  it('--ignore-pull-failures marks every pull step; a failed pull is then a warning and the command exits 0', async () => {
    const file = workspace(compose);
    fake.registry.add(`${REG}/web:1`);
    fake.registry.add(`${REG}/other:1`); // db:1 is not in the registry
    const project = await load(file);
    const plan = await new Compose({ engine: fake }).pull(project, { ignorePullFailures: true, dryRun: true });
    expect(plan.steps.map((s) => (s.op as { ignoreFailure?: boolean }).ignoreFailure)).toEqual([true, true, true]);
    const strict = await new Compose({ engine: fake }).pull(project, { dryRun: true });
    expect(strict.steps.map((s) => (s.op as { ignoreFailure?: boolean }).ignoreFailure)).toEqual([undefined, undefined, undefined]);

    const failing = await capstan(file, 'pull');
    expect(failing.failed).toBe(true);
    expect(failing.code).not.toBe(0);
    expect(failing.stderr).toContain(`pull ${REG}/db:1: manifest for ${REG}/db:1 not found`);

    fake.clearCalls();
    const ignored = await capstan(file, 'pull', '--ignore-pull-failures');
    expect(ignored).toMatchObject({ failed: false, code: 0 });
    expect(ignored.stderr).toBe('');
    expect(ignored.progress).toContain(`warning: pull ${REG}/db:1 failed: pull ${REG}/db:1: manifest for ${REG}/db:1 not found`);
    expect(ignored.progress).toContain(`Image ${REG}/db:1  Skipped`);
    expect(fake.targets('pullImage').sort()).toEqual([`${REG}/db:1`, `${REG}/other:1`, `${REG}/web:1`]);
    expect(fake.imageTags()).toEqual(expect.arrayContaining([`${REG}/web:1`, `${REG}/other:1`]));
  });

  it('-q pulls without printing progress', async () => {
    const file = workspace(compose);
    for (const s of ['web', 'db', 'other']) fake.registry.add(`${REG}/${s}:1`);
    const loud = await capstan(file, 'pull', 'web');
    expect(loud.progress).toContain(`Image ${REG}/web:1  Pulling`);
    expect(loud.progress).toContain(`Image ${REG}/web:1  Pulled`);
    const quiet = await capstan(file, 'pull', '-q', 'other');
    expect(quiet).toMatchObject({ failed: false, code: 0, stdout: '', stderr: '', progress: '' });
    expect(harness.modes).toEqual(['plain', 'quiet']);
    expect(fake.targets('pullImage')).toEqual([`${REG}/web:1`, `${REG}/other:1`]);
  });
});

describe('push flags', () => {
  const compose = [
    'services:',
    '  web:',
    '    build: ./web',
    `    image: ${REG}/web:1`,
    '    depends_on: [lib]',
    '  lib:',
    '    build: ./lib',
    `    image: ${REG}/lib:1`,
    '',
  ].join('\n');
  const files = { 'web/Dockerfile': 'FROM scratch\n', 'lib/Dockerfile': 'FROM scratch\n' };

  it('--include-deps also pushes the dependencies of the named services', async () => {
    const file = workspace(compose, files);
    fake.addImage(`${REG}/web:1`);
    fake.addImage(`${REG}/lib:1`);
    expect((await capstan(file, 'push', 'web')).failed).toBe(false);
    expect(fake.targets('pushImage')).toEqual([`${REG}/web:1`]);
    fake.clearCalls();
    expect((await capstan(file, 'push', '--include-deps', 'web')).failed).toBe(false);
    expect(fake.targets('pushImage').sort()).toEqual([`${REG}/lib:1`, `${REG}/web:1`]);
    const plan = await new Compose({ engine: fake }).push(await load(file), { services: ['web'], includeDeps: true, dryRun: true });
    expect(plan.steps.map((s) => s.id)).toEqual([`push-image:${REG}/web:1`, `push-image:${REG}/lib:1`]);
  });

  it('-q pushes without printing progress', async () => {
    const file = workspace(compose, files);
    fake.addImage(`${REG}/web:1`);
    fake.addImage(`${REG}/lib:1`);
    const loud = await capstan(file, 'push', 'web');
    expect(loud.progress).toContain(`Image ${REG}/web:1  Pushing`);
    expect(loud.progress).toContain(`Image ${REG}/web:1  Pushed`);
    const quiet = await capstan(file, 'push', '-q', 'lib');
    expect(quiet).toMatchObject({ failed: false, code: 0, stdout: '', stderr: '', progress: '' });
    expect(harness.modes).toEqual(['plain', 'quiet']);
    expect([...fake.registry].sort()).toEqual([`${REG}/lib:1`, `${REG}/web:1`]);
  });
});

describe('build flags reach POST /build', () => {
  const compose = ['services:', '  web:', '    build: ./web', '    depends_on: [api]', '  api:', '    build: ./api', ''].join('\n');
  const files = { 'web/Dockerfile': 'FROM scratch\nCOPY app.py /\n', 'web/app.py': 'print(1)\n', 'api/Dockerfile': 'FROM scratch\n' };

  it('--pull and -m/--memory (a size with a unit, in bytes)', async () => {
    const file = workspace(compose, files);
    expect((await capstan(file, 'build', 'web')).failed).toBe(false);
    expect(fake.builds()[0]!.options.pull).toBeUndefined();
    expect(fake.builds()[0]!.options.memory).toBeUndefined();
    fake.clearCalls();
    expect((await capstan(file, 'build', '--pull', '-m', '512m', 'web')).failed).toBe(false);
    expect(fake.builds().map((b) => b.options)).toEqual([expect.objectContaining({ tags: ['imgflags-web'], pull: true, memory: 512 * 1024 * 1024 })]);
    fake.clearCalls();
    expect((await capstan(file, 'build', '--memory', '1g', 'web')).failed).toBe(false);
    expect(fake.builds()[0]!.options.memory).toBe(1024 ** 3);
    const bad = await capstan(file, 'build', '-m', 'lots', 'web');
    expect(bad.failed).toBe(true);
    expect(bad.stderr).toContain('--memory: invalid size "lots"');
    // the library options the flags map to
    fake.clearCalls();
    await new Compose({ engine: fake }).build(await load(file), { services: ['web'], overrides: { pull: true, memory: 1 << 28 } });
    expect(fake.builds()[0]!.options).toMatchObject({ pull: true, memory: 1 << 28 });
  });

  it('--with-dependencies also builds what the named services depend on', async () => {
    const file = workspace(compose, files);
    await capstan(file, 'build', 'web');
    expect(fake.targets('build')).toEqual(['imgflags-web']);
    fake.clearCalls();
    expect((await capstan(file, 'build', '--with-dependencies', 'web')).failed).toBe(false);
    expect(fake.targets('build').sort()).toEqual(['imgflags-api', 'imgflags-web']);
    fake.clearCalls();
    const plan = await new Compose({ engine: fake }).build(await load(file), { services: ['web'], withDependencies: true, dryRun: true });
    expect(plan.steps.map((s) => s.id).sort()).toEqual(['build-image:imgflags-api', 'build-image:imgflags-web']);
  });

  it('-q builds without printing progress or build output', async () => {
    const file = workspace(compose, files);
    const loud = await capstan(file, 'build', 'web');
    expect(loud.progress).toContain('web  Step 1/1 : FROM scratch');
    expect(loud.progress).toContain('Image imgflags-web  Built');
    const quiet = await capstan(file, 'build', '-q', 'api');
    expect(quiet).toMatchObject({ failed: false, code: 0, stdout: '', stderr: '', progress: '' });
    expect(harness.modes).toEqual(['plain', 'quiet']);
    expect(fake.targets('build')).toEqual(['imgflags-web', 'imgflags-api']);
  });
});

describe('classic-builder attributes reach POST /build', () => {
  const compose = [
    'services:',
    '  web:',
    `    image: ${REG}/web:1`,
    '    build:',
    '      context: ./web',
    '      dockerfile: ../docker/web.Dockerfile',
    `      cache_from: [${REG}/web:cache]`,
    '      shm_size: 256m',
    '      extra_hosts:',
    '        - db.local=10.0.0.2',
    '        - v6.local=::1',
    '      isolation: process',
    '      platforms: [linux/arm64]',
    `      tags: [${REG}/web:edge, ${REG}/web:1]`,
    '  remote:',
    '    build:',
    '      context: https://github.com/example/app.git#main:sub',
    '      dockerfile: build/Dockerfile',
    '      extra_hosts: {cache.local: 10.0.0.3}',
    '  tarball:',
    '    build: https://example.com/context.tar.gz',
    '  git:',
    '    build: git@github.com:example/tool.git',
    '  multi:',
    '    build:',
    '      context: ./multi',
    '      platforms: [linux/amd64, linux/arm64]',
    '      extra_hosts: [db.local=10.0.0.2, db.local=10.0.0.3]',
    '',
  ].join('\n');
  const files = {
    'web/app.py': 'print(1)\n',
    'docker/web.Dockerfile': 'FROM scratch\nCOPY app.py /\n',
    'docker/unrelated.txt': 'not in the context\n',
    'multi/Dockerfile': 'FROM scratch\n',
  };

  it('cache_from, shm_size in bytes, extra_hosts, isolation, one platform, build.tags as extra tags, a Dockerfile outside the context', async () => {
    const file = workspace(compose, files);
    expect((await capstan(file, 'build', 'web')).failed).toBe(false);
    const [build] = fake.builds();
    expect(build!.options).toMatchObject({
      tags: [`${REG}/web:1`, `${REG}/web:edge`],
      dockerfile: '.capstan.Dockerfile',
      cachefrom: [`${REG}/web:cache`],
      shmsize: 256 * 1024 * 1024,
      extrahosts: ['db.local:10.0.0.2', 'v6.local:::1'],
      isolation: 'process',
      platform: 'linux/arm64',
    });
    expect(build!.options.remote).toBeUndefined();
    expect(fake.imageTags()).toEqual(expect.arrayContaining([`${REG}/web:1`, `${REG}/web:edge`]));
    // the outside Dockerfile travels in the tar under the name given as `dockerfile`; its folder does not
    const tar = await tarEntries(build!.context);
    expect(tar['.capstan.Dockerfile']).toBe('FROM scratch\nCOPY app.py /\n');
    expect(tar['app.py']).toBe('print(1)\n');
    expect(Object.keys(tar).filter((p) => p.includes('unrelated') || p.includes('web.Dockerfile'))).toEqual([]);

    // the same options as the engine client's query string
    const query = await buildQuery(build!.options);
    expect(query.getAll('t')).toEqual([`${REG}/web:1`, `${REG}/web:edge`]);
    expect(query.get('dockerfile')).toBe('.capstan.Dockerfile');
    expect(query.get('cachefrom')).toBe(JSON.stringify([`${REG}/web:cache`]));
    expect(query.get('shmsize')).toBe(String(256 * 1024 * 1024));
    expect(query.getAll('extrahosts')).toEqual(['db.local:10.0.0.2', 'v6.local:::1']);
    expect(query.get('isolation')).toBe('process');
    expect(query.get('platform')).toBe('linux/arm64');
    expect(query.has('remote')).toBe(false);
  });

  it('a git or tarball URL context is handed to the engine as remote, with an empty body', async () => {
    const file = workspace(compose, files);
    expect((await capstan(file, 'build', 'remote', 'tarball', 'git')).failed).toBe(false);
    const byTag = Object.fromEntries(fake.builds().map((b) => [b.options.tags[0], b]));
    expect(byTag['imgflags-remote']!.options).toMatchObject({
      remote: 'https://github.com/example/app.git#main:sub',
      dockerfile: 'build/Dockerfile',
      extrahosts: ['cache.local:10.0.0.3'],
    });
    expect(byTag['imgflags-tarball']!.options).toMatchObject({ remote: 'https://example.com/context.tar.gz', dockerfile: 'Dockerfile' });
    expect(byTag['imgflags-git']!.options).toMatchObject({ remote: 'git@github.com:example/tool.git', dockerfile: 'Dockerfile' });
    for (const b of Object.values(byTag)) expect(b.context.length).toBe(0);
    const query = await buildQuery(byTag['imgflags-remote']!.options);
    expect(query.get('remote')).toBe('https://github.com/example/app.git#main:sub');
    expect(query.get('dockerfile')).toBe('build/Dockerfile');
  });

  it('the build flags also go into the query: pull and memory', async () => {
    const file = workspace(compose, files);
    expect((await capstan(file, 'build', '--pull', '-m', '64m', 'web')).failed).toBe(false);
    const query = await buildQuery(fake.builds()[0]!.options);
    expect(query.get('pull')).toBe('1');
    expect(query.get('memory')).toBe(String(64 * 1024 * 1024));
  });

  it('two platforms: build --print hands both to bake', async () => {
    const file = workspace(compose, files);
    const r = await capstan(file, 'build', '--print', 'multi');
    expect(r.failed).toBe(false);
    const bake = JSON.parse(r.stdout) as { group: { default: { targets: string[] } }; target: Record<string, { platforms?: string[]; 'extra-hosts'?: Record<string, string> }> };
    expect(bake.group.default.targets).toEqual(['multi']);
    expect(bake.target.multi!.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    // a host with two addresses: one entry, both addresses (compose joins them with ',')
    expect(bake.target.multi!['extra-hosts']).toEqual({ 'db.local': '10.0.0.2,10.0.0.3' });
    expect(fake.targets('build')).toEqual([]);
  });

  it('two platforms with buildx: the build goes to `docker buildx bake` (a stub plugin here), not to POST /build', async () => {
    const file = workspace(compose, files);
    const plugins = join(dir, '.docker', 'cli-plugins');
    mkdirSync(plugins, { recursive: true });
    // records its argv and the bake file, prints one progress line
    const stub = '#!/bin/sh\nd=$(dirname "$0")\nprintf \'%s\\n\' "$@" > "$d/args"\ncp "$4" "$d/bake.json"\necho "#1 [linux/arm64] FROM scratch"\n';
    writeFileSync(join(plugins, 'docker-buildx'), stub, { mode: 0o755 });
    const r = await capstan(file, 'build', 'multi');
    expect(r.stderr).toBe('');
    expect(r.failed).toBe(false);
    const args = readFileSync(join(plugins, 'args'), 'utf8').trim().split('\n');
    expect(args).toEqual(['buildx', 'bake', '--file', expect.stringMatching(/bake\.json$/), '--progress', 'plain']);
    const bake = JSON.parse(readFileSync(join(plugins, 'bake.json'), 'utf8')) as { target: Record<string, Record<string, unknown>> };
    expect(bake.target.multi).toMatchObject({
      context: join(dir, 'multi'),
      dockerfile: 'Dockerfile',
      tags: ['imgflags-multi'],
      platforms: ['linux/amd64', 'linux/arm64'],
      // as compose: the docker exporter cannot take a multi-platform image
      output: ['type=image,push=false'],
    });
    expect(r.progress).toContain('multi  #1 [linux/arm64] FROM scratch');
    expect(fake.targets('build')).toEqual([]);
  });

  // with the buildx plugin installed the build would run `docker buildx bake` for real
  it.skipIf(findBuildx(pluginDirs({ ...process.env, DOCKER_CONFIG: '/nonexistent' })) !== undefined)(
    'two platforms without buildx: one error naming the attribute and the service, no classic build',
    async () => {
      const file = workspace(compose, files);
      const r = await capstan(file, 'build', 'multi');
      expect(r.failed).toBe(true);
      expect(r.stderr).toContain('service "multi"');
      expect(r.stderr).toContain('build.platforms (several platforms) needs BuildKit');
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
      expect(fake.targets('build')).toEqual([]);
    },
  );
});

/**
 * The query string `EngineClient.build` sends for `options`, as seen by an HTTP server on a unix
 * socket standing in for the daemon.
 */
async function buildQuery(options: BuildOptions): Promise<URLSearchParams> {
  const socketPath = join(dir, 'engine.sock');
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.43', 'Content-Type': 'text/plain' });
        res.end('OK');
        return;
      }
      urls.push(req.url!);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"aux":{"ID":"sha256:built"}}\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const client = new EngineClient({ endpoint: { kind: 'unix', socketPath } });
  try {
    for await (const _ of client.build(Buffer.alloc(0), options)) void _;
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  expect(urls).toHaveLength(1);
  expect(urls[0]).toMatch(/^\/v1\.43\/build\?/);
  return new URL(urls[0]!, 'http://engine').searchParams;
}
