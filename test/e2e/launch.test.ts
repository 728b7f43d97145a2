import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, projectDir } from './helpers.js';

/**
 * The two builds of the command line that src/cli/launch.ts chooses between by Node version:
 * `dist/cli.js` and its chunks (ES modules, Node ≥ 22.1 with Node's compile cache) and
 * `dist/cli.cjs` (one script with a V8 code cache, Node 20). Both must give the same output, and a
 * cache V8 rejects is said under `--verbose` only. No engine needed.
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const scriptPath = !(major > 22 || (major === 22 && minor >= 1));
const VERSION_LINE = `Capstan version v${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const run = (bin: string, args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });

describe('the command line builds', () => {
  const cwd = projectDir({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG:-1.27}"\n    ports: ["8080:80"]\n' });
  dirs.push(cwd);

  it('the ES module build prints what the launcher prints', () => {
    const viaLauncher = run(join(ROOT, 'bin', 'capstan'), ['-p', 'launch', 'config'], cwd);
    expect(viaLauncher.status).toBe(0);
    const script = `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli.js')).href)});
await main(['node', 'capstan', '-p', 'launch', 'config']);`;
    const viaModules = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
    expect(viaModules).toBe(viaLauncher.stdout);
    expect(viaModules).toContain('image: nginx:1.27');
  });

  it('says nothing about a cache that works, even under --verbose', () => {
    const r = run(join(ROOT, 'bin', 'capstan'), ['--verbose', 'config', '-q'], cwd);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.skipIf(!scriptPath)('says under --verbose, and only then, that V8 rejected the code cache', () => {
    const copy = mkdtempSync(join(tmpdir(), 'capstan-launch-'));
    dirs.push(copy);
    cpSync(join(ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    // a cache V8 cannot use: a prefix of the real one
    const cache = join(copy, 'dist', 'cli.cjs.cache');
    writeFileSync(cache, readFileSync(cache).subarray(0, 1000));
    const bin = join(copy, 'bin', 'capstan');
    const quiet = run(bin, ['--version'], cwd);
    expect(quiet.stdout).toBe(VERSION_LINE);
    expect(quiet.stderr).toBe('');
    const verbose = run(bin, ['--verbose', '--version'], cwd);
    expect(verbose.stdout).toBe(VERSION_LINE);
    expect(verbose.stderr).toMatch(/^capstan: V8 rejected the code cache .*cli\.cjs\.cache .*: compiling it\n$/);
  });
});
