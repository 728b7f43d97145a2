/**
 * Tests of the include, extends, env_file and consistency stages through small real projects,
 * plus the path rebasing and environment helpers on their own.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { findDependencyCycle } from './consistency.js';
import { parseRawEnvFile, resolveServiceEnvironment } from './environment.js';
import { loadProject, unsetVariableMessages } from './index.js';
import { rebasePath, rebaseService } from './paths.js';

function tree(files: Record<string, string>): string {
  const root = join(mkdtempSync(join(tmpdir(), 'capstan-stages-')), 'proj');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}
const load = (cwd: string, extra: Parameters<typeof loadProject>[0] = {}) =>
  loadProject({ cwd, env: {}, onWarning: () => {}, ...extra });

describe('include', () => {
  it('loads string and long forms, env_file, project_directory, recursively; the parent wins', async () => {
    const root = tree({
      'compose.yaml': 'include:\n  - a/compose.yaml\n  - path: [b/one.yaml, b/two.yaml]\n    env_file: b/vars.env\n    project_directory: b\nservices:\n  web:\n    image: web\n    environment: [FROM=parent]\n',
      'a/compose.yaml': 'include: [../c/compose.yaml]\nservices:\n  a:\n    build: .\n',
      'c/compose.yaml': 'services:\n  c:\n    image: c\n',
      'b/one.yaml': 'services:\n  b:\n    image: b:${TAG}\n',
      'b/two.yaml': 'services:\n  b:\n    volumes: [./data:/data]\n  web:\n    image: overridden\n    environment: [FROM=included, EXTRA=1]\n',
      'b/vars.env': 'TAG=7\n',
    });
    const p = await load(root);
    expect(Object.keys(p.services).sort()).toEqual(['a', 'b', 'c', 'web']);
    expect(p.services.a!.build!.context).toBe(join(root, 'a'));
    expect(p.services.b!.image).toBe('b:7');
    expect(p.services.b!.volumes![0]!.source).toBe(join(root, 'b', 'data'));
    expect(p.services.web!.image).toBe('web');
    expect(p.services.web!.environment).toEqual({ FROM: 'parent', EXTRA: '1' });
  });
  it('rejects include cycles', async () => {
    const root = tree({
      'compose.yaml': 'include: [x.yaml]\nservices: {}\n',
      'x.yaml': 'include: [y.yaml]\nservices:\n  x: {image: x}\n',
      'y.yaml': 'include: [x.yaml]\nservices:\n  y: {image: y}\n',
    });
    await expect(load(root)).rejects.toThrow(/include cycle detected/);
  });
  it('locates an error in an included file in that file, at its line', async () => {
    const root = tree({
      'compose.yaml': 'include: [inc/compose.yaml]\nservices:\n  web: {image: web}\n',
      'inc/compose.yaml': 'services:\n  db:\n    image: db\n    restrat: always\n',
    });
    await expect(load(root)).rejects.toThrow(/^inc\/compose\.yaml:4:5: services\.db: additional properties 'restrat' not allowed$/);
  });
});

describe('extends', () => {
  it('locates an error in a base file in that file, at its line', async () => {
    const root = tree({
      'compose.yaml': 'services:\n  web:\n    extends: {file: lib/common.yaml, service: web}\n',
      'lib/common.yaml': 'services:\n  web:\n    image: x\n    ports: ["80:80:80"]\n',
    });
    await expect(load(root)).rejects.toThrow(/^lib\/common\.yaml:4:13: services\.web\.ports\[0\]: "80:80:80" is not a port mapping$/);
  });
  it('extends same-file and file: bases recursively, paths relative to the base file', async () => {
    const root = tree({
      'compose.yaml': 'services:\n  base:\n    image: base\n    environment: [A=1]\n  mid:\n    extends: base\n    environment: [B=2]\n  web:\n    extends: {file: lib/common.yaml, service: common}\n    command: [run]\n',
      'lib/common.yaml': 'services:\n  common:\n    build: ./ctx\n    command: [base]\n    env_file: common.env\n',
      'lib/common.env': 'C=3\n',
    });
    const p = await load(root);
    expect(p.services.mid!.environment).toEqual({ A: '1', B: '2' });
    expect(p.services.web!.build!.context).toBe(join(root, 'lib', 'ctx'));
    expect(p.services.web!.command).toEqual(['run']);
    expect(p.services.web!.environment).toEqual({ C: '3' });
  });
  it('reports cycles and missing bases', async () => {
    await expect(load(tree({ 'compose.yaml': 'services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n' }))).rejects.toThrow(/Circular reference/);
    await expect(load(tree({ 'compose.yaml': 'services:\n  a: {image: x, extends: nope}\n' }))).rejects.toThrow(/service "nope" not found/);
  });
});

describe('env_file → environment', () => {
  it('environment wins over env_file; later env files win; interpolation order', () => {
    const files: Record<string, string> = { '/a.env': 'X=a\nY=a\nZ=${X}\n', '/b.env': 'Y=b\n' };
    const svc = resolveServiceEnvironment(
      { name: 's', environment: { X: 'env', W: null }, env_file: [{ path: '/a.env', required: true }, { path: '/b.env', required: true }] },
      { projectEnv: {}, readFile: (p) => files[p] },
    );
    expect(svc.environment).toEqual({ X: 'env', Y: 'b', Z: 'env', W: null });
    expect(svc.env_file).toBeUndefined();
  });
  it('missing required files fail, optional ones are skipped; raw format is literal', () => {
    const opts = { projectEnv: {}, readFile: () => undefined };
    expect(() => resolveServiceEnvironment({ name: 's', env_file: [{ path: '/x.env', required: true }] }, opts)).toThrow(LoaderError);
    expect(resolveServiceEnvironment({ name: 's', env_file: [{ path: '/x.env', required: false }] }, opts).environment).toEqual({});
    expect(parseRawEnvFile('A="q" # c\n#x\nB=${A}\n', () => undefined)).toEqual({ A: '"q" # c', B: '${A}' });
  });
  it('explains that env_file does not feed interpolation', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  s:\n    image: x:${TAG}\n    env_file: s.env\n', 's.env': 'TAG=1\n' });
    const warnings: string[] = [];
    await loadProject({ cwd: root, env: {}, onWarning: (m) => warnings.push(m) });
    expect(warnings.filter((w) => w.includes('"TAG" variable is not set'))).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/env_file only sets the container environment/);
    // with relative env_file paths (no path resolution) and another cwd, the hint still finds the file
    const relative: string[] = [];
    await loadProject({ files: [join(root, 'compose.yaml')], cwd: '/', env: {}, resolvePaths: false, onWarning: (m) => relative.push(m) });
    expect(relative.join('\n')).toMatch(/It is defined in s\.env \(env_file of service "s"\)/);
    expect(unsetVariableMessages(['OTHER'], [], root)).toEqual(['The "OTHER" variable is not set. Defaulting to a blank string.']);
  });
});

describe('normalisation extras', () => {
  it('adds implicit depends_on for links / network_mode / volumes_from, not with --no-normalize', async () => {
    const root = tree({
      'compose.yaml': 'services:\n  a: {image: a, links: [b], volumes_from: [c]}\n  b: {image: b, network_mode: "service:c"}\n  c: {image: c}\n',
    });
    const p = await load(root);
    expect(p.services.a!.depends_on).toEqual({
      b: { condition: 'service_started', restart: true, required: true },
      c: { condition: 'service_started', restart: false, required: true },
    });
    expect(Object.keys(p.services.b!.depends_on!)).toEqual(['c']);
    const raw = await load(root, { skipNormalization: true });
    expect(raw.services.a!.depends_on).toBeUndefined();
    expect(raw.networks).toEqual({});
  });
  it('legacy yes/on booleans convert with a warning, only on boolean fields', async () => {
    const warnings: string[] = [];
    const root = tree({ 'compose.yaml': 'services:\n  a: {image: a, tty: "yes", hostname: "on"}\n' });
    const p = await loadProject({ cwd: root, env: {}, onWarning: (m) => warnings.push(m) });
    expect(p.services.a!.tty).toBe(true);
    expect(p.services.a!.hostname).toBe('on');
    expect(warnings.some((w) => w.includes('YAML 1.1 boolean'))).toBe(true);
  });
  it('naming a service enables its profiles and selects it; COMPOSE_PROFILES is read', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  a: {image: a, profiles: [dbg]}\n  b: {image: b}\n' });
    expect(Object.keys((await load(root)).services)).toEqual(['b']);
    const selected = await load(root, { services: ['a'] });
    expect(Object.keys(selected.services)).toEqual(['a']);
    expect(Object.keys(selected.disabledServices)).toEqual(['b']);
    expect(Object.keys((await load(root, { env: { COMPOSE_PROFILES: 'dbg' } })).services)).toEqual(['a', 'b']);
    await expect(load(root, { services: ['zzz'] })).rejects.toThrow(/no such service/);
  });
  it('reads -f - from stdin', async () => {
    const root = tree({ 'keep.txt': '' });
    const p = await load(root, { files: ['-'], projectName: 'x', readStdin: async () => 'services:\n  s: {image: s}\n' });
    expect(Object.keys(p.services)).toEqual(['s']);
    await expect(load(root, { files: ['-'], projectName: 'x' })).rejects.toThrow(LoaderError);
  });
});

describe('consistency extras', () => {
  it('detects depends_on cycles, container_name with scale > 1, duplicate mount targets, secrets without source', async () => {
    expect(findDependencyCycle({ a: { depends_on: { b: { condition: 'service_started', required: true } } }, b: { depends_on: { a: { condition: 'service_started', required: true } } } })).toEqual(['a', 'b', 'a']);
    expect(findDependencyCycle({ a: {} })).toBeUndefined();
    const bad = async (yaml: string, re: RegExp) => expect(load(tree({ 'compose.yaml': yaml }))).rejects.toThrow(re);
    await bad('services:\n  a: {image: a, depends_on: [a]}\n', /dependency cycle detected: a -> a/);
    await bad('services:\n  a: {image: a, container_name: x, scale: 2}\n', /container_name/);
    await bad('services:\n  a: {image: a, volumes: ["/x:/data"], tmpfs: [/data]}\n', /already mounted/);
    await bad('services:\n  a: {image: a, secrets: [s]}\nsecrets:\n  s: {}\n', /must declare either/);
    await expect(load(tree({ 'compose.yaml': 'services:\n  a: {image: a, depends_on: [a]}\n' }), { skipConsistency: true })).resolves.toBeDefined();
  });
});

describe('paths', () => {
  it('rebases relative paths onto another directory', () => {
    expect(rebasePath('./x', { fromDir: '/p/lib', toDir: '/p' })).toBe('lib/x');
    expect(rebasePath('/abs', { fromDir: '/p/lib', toDir: '/p' })).toBe('/abs');
    expect(rebasePath('x', { fromDir: '/p/lib', toDir: '/p', absolute: true })).toBe('/p/lib/x');
    expect(rebaseService({ volumes: ['./d:/d', 'named:/n'] }, { fromDir: '/p/lib', toDir: '/p' })).toEqual({ volumes: ['./lib/d:/d', 'named:/n'] });
  });
});
