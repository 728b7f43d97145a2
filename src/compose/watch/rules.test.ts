import { describe, expect, it } from 'vitest';
import { project } from '../../../test/support/fixtures.js';
import type { ServiceConfig } from '../../model/types.js';
import { compileRules, isEditorTempFile, matchRules, verdict, watchRoots } from './rules.js';

/** `web` syncs /p/src to /app (ignoring `*.tmp` and `cache/`, including only `.py`/`.txt` when asked), `api` rebuilds from /p/api. */
function app(web: Partial<ServiceConfig>['develop'] = undefined, extra: Record<string, Partial<ServiceConfig>> = {}) {
  return project('p', {
    web: { develop: web ?? { watch: [{ path: '/p/src', action: 'sync', target: '/app', ignore: ['*.tmp', 'cache/'] }] } },
    ...extra,
  });
}

describe('watch rules: matching', () => {
  const { rules } = compileRules(app(), { readDockerignore: () => '' });
  const rule = rules[0]!;

  it('maps a file under the path to target + its relative path, with / separators', () => {
    expect(verdict(rule, '/p/src/a/b.py')).toEqual({ match: true, containerPath: '/app/a/b.py' });
    expect(verdict(rule, '/p/src')).toEqual({ match: true, containerPath: '/app' });
  });

  it('outside the path, the ignore patterns (relative to the path), .git and editor files: no match, with the reason', () => {
    expect(verdict(rule, '/p/srcx/a')).toEqual({ match: false, reason: 'outside' });
    expect(verdict(rule, '/p/other')).toEqual({ match: false, reason: 'outside' });
    expect(verdict(rule, '/p/src/x.tmp')).toEqual({ match: false, reason: 'ignore' });
    expect(verdict(rule, '/p/src/sub/x.tmp').match).toBe(true); // `*.tmp` is anchored at the path, as dockerignore
    expect(verdict(rule, '/p/src/cache/deep/x')).toEqual({ match: false, reason: 'ignore' });
    expect(verdict(rule, '/p/src/.git/HEAD')).toEqual({ match: false, reason: '.git' });
    expect(verdict(rule, '/p/src/.a.py.swp')).toEqual({ match: false, reason: 'editor temp file' });
  });

  it('include: only the matching paths', () => {
    const { rules: [inc] } = compileRules(app({ watch: [{ path: '/p/src', action: 'sync', target: '/app', include: ['*.py'] }] }), { readDockerignore: () => '' });
    expect(verdict(inc!, '/p/src/a.py').match).toBe(true);
    expect(verdict(inc!, '/p/src/a.txt')).toEqual({ match: false, reason: 'not included' });
  });

  it("the build context's .dockerignore, relative to the context", () => {
    const p = app({ watch: [{ path: '/p/api', action: 'rebuild' }] });
    p.services.web!.build = { context: '/p/api' };
    const { rules: [rb] } = compileRules(p, { readDockerignore: (ctx) => (ctx === '/p/api' ? 'node_modules\n*.log\n' : '') });
    expect(verdict(rb!, '/p/api/node_modules/x/y.js')).toEqual({ match: false, reason: '.dockerignore' });
    expect(verdict(rb!, '/p/api/a.log')).toEqual({ match: false, reason: '.dockerignore' });
    expect(verdict(rb!, '/p/api/main.go')).toEqual({ match: true });
  });

  it('matchRules: every rule a path triggers, in order', () => {
    const p = app({
      watch: [
        { path: '/p/src', action: 'sync', target: '/app' },
        { path: '/p/src/conf', action: 'sync+restart', target: '/etc/app' },
      ],
    });
    const { rules: list } = compileRules(p, { readDockerignore: () => '' });
    expect(matchRules(list, '/p/src/conf/a.ini').map((m) => [m.rule.action, m.containerPath])).toEqual([
      ['sync', '/app/conf/a.ini'],
      ['sync+restart', '/etc/app/a.ini'],
    ]);
  });
});

describe('watch rules: editor temp files', () => {
  it.each([
    ['.main.go.swp', true],
    ['.x.swx', true],
    ['4913', true],
    ['notes~', true],
    ['.#lock', true],
    ['#auto#', true],
    ['a.py___jb_tmp___', true],
    ['.idea/workspace.xml', true],
    ['.f.kate-swp', true],
    ['x-go-tmp-umask', true],
    ['main.go', false],
    ['swap.swp', false],
    ['#', false],
  ])('%s → %s', (path, ignored) => expect(isEditorTempFile(path)).toBe(ignored));
});

describe('watch rules: setup', () => {
  it('target is required except for rebuild', () => {
    expect(() => compileRules(app({ watch: [{ path: '/p/src', action: 'sync' }] }))).toThrow('service "web": develop.watch[0]: action sync requires a target');
  });

  it('rebuild needs build:, and refuses --no-build', () => {
    expect(() => compileRules(app({ watch: [{ path: '/p/src', action: 'rebuild' }] }))).toThrow(`can't watch service "web" with action rebuild without a build context`);
    const p = app({ watch: [{ path: '/p/src', action: 'rebuild' }] });
    p.services.web!.build = { context: '/p' };
    expect(() => compileRules(p, { noBuild: true, readDockerignore: () => '' })).toThrow('--no-build is incompatible with watch action rebuild in service web');
  });

  it('sync+exec needs a command; the hook keeps user, privileged, working_dir and environment', () => {
    expect(() => compileRules(app({ watch: [{ path: '/p/src', action: 'sync+exec', target: '/app' }] }))).toThrow('without a command');
    const p = app({
      watch: [{ path: '/p/src', action: 'sync+exec', target: '/app', exec: { command: ['kill', '-HUP', '1'], user: 'root', privileged: true, working_dir: '/app', environment: { A: '1', B: null } } }],
    });
    p.environment = { B: 'from-env' };
    expect(compileRules(p).rules[0]!.exec).toEqual({ command: ['kill', '-HUP', '1'], user: 'root', privileged: true, working_dir: '/app', environment: ['A=1', 'B=from-env'] });
  });

  it('no develop section anywhere is an error; services without one are skipped', () => {
    expect(() => compileRules(project('p', { web: {} }))).toThrow("none of the selected services is configured for watch, consider setting a 'develop' section");
    expect(compileRules(app(undefined, { db: {} })).rules.map((r) => r.service)).toEqual(['web']);
    expect(() => compileRules(app(), { services: ['nope'] })).toThrow('no such service: nope');
  });

  it('a sync path covered by a bind mount is not watched (warning); rebuild and restart still are', () => {
    const p = app({
      watch: [
        { path: '/p/src/lib', action: 'sync', target: '/app/lib' },
        { path: '/p/src/lib', action: 'restart' as const, target: '/x' },
      ],
    });
    p.services.web!.volumes = [{ type: 'bind', source: '/p/src', target: '/app' }];
    const setup = compileRules(p);
    expect(setup.rules.map((r) => r.action)).toEqual(['restart']);
    expect(setup.warnings).toEqual(["path '/p/src/lib' also declared by a bind mount volume, this path won't be monitored!"]);
  });

  it('x-develop is read (paths relative to the project) with a deprecation warning', () => {
    const p = project('p', { web: { extensions: { 'x-develop': { watch: [{ path: './src', action: 'sync', target: '/app' }] } } } }, { workingDir: '/p' });
    const setup = compileRules(p);
    expect(setup.rules[0]).toMatchObject({ path: '/p/src', target: '/app' });
    expect(setup.warnings).toEqual(['x-develop is DEPRECATED, please use the official `develop` attribute']);
  });

  it('initial_sync (and the deprecated x-initialSync)', () => {
    const p = app({
      watch: [
        { path: '/p/a', action: 'sync', target: '/a', initial_sync: true },
        { path: '/p/b', action: 'sync', target: '/b', extensions: { 'x-initialSync': true } },
        { path: '/p/c', action: 'sync', target: '/c' },
      ],
    });
    const setup = compileRules(p);
    expect(setup.rules.map((r) => r.initialSync)).toEqual([true, true, false]);
    expect(setup.warnings).toEqual(['x-initialSync is DEPRECATED, please use the official `initial_sync` attribute']);
  });

  it('watch roots: unique, nested paths folded into their parent', () => {
    expect(watchRoots(['/p/src/a', '/p/src', '/p/api', '/p/src', '/p/srcx'])).toEqual(['/p/api', '/p/src', '/p/srcx']);
  });
});
