import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerPathStat } from '../../engine/types.js';
import { Compose } from '../compose.js';
import { readTar, writeTar, type TarEntry } from '../archive.js';
import { splitCopyArg } from './cp.js';
import { splitReference } from './commit.js';
import { FakeEngine } from '../../../test/support/fake-engine.js';
import { project } from '../../../test/support/fixtures.js';

/** `cp`, `export`, `commit` on the fake engine, with the archive endpoints stubbed per test. */

const DIR = 2 ** 31;
const t0 = new Date('2024-01-01T00:00:00Z');
const file = (path: string, text: string): TarEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: t0, data: Buffer.from(text) });
const dir = (path: string): TarEntry => ({ path, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: t0 });
const sym = (path: string, linkpath: string): TarEntry => ({ path, type: 'symlink', linkpath, mode: 0o777, uid: 0, gid: 0, mtime: t0 });

const temps: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'capstan-cp-'));
  temps.push(d);
  return d;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A running `shop` (web ×2, db) whose containers hold `paths` (container path → stat and archive). */
async function running(paths: Record<string, { stat: ContainerPathStat; tar?: Buffer }> = {}) {
  const fake = new FakeEngine({ images: ['busybox'] });
  const compose = new Compose({ engine: fake });
  const p = project('shop', { web: { scale: 2 }, db: {} });
  await compose.up(p, { detach: true });
  const ids = new Map((await fake.listContainers({ all: true })).map((c) => [c.Id!, c.Names![0]!.slice(1)]));
  const puts: Array<{ container: string; path: string; entries: TarEntry[]; copyUIDGID: boolean }> = [];
  const gets: string[] = [];
  Object.assign(fake, {
    statContainerPath: async (_id: string, path: string) => paths[path]?.stat,
    getArchive: async (id: string, path: string) => {
      gets.push(`${ids.get(id)}:${path}`);
      const found = paths[path];
      if (!found?.tar) throw new Error(`no ${path}`);
      return { stat: found.stat, content: [found.tar] };
    },
    copyToContainer: async (id: string, path: string, tar: Buffer, options: { copyUIDGID?: boolean }) => {
      puts.push({ container: ids.get(id)!, path, entries: await readTar(tar), copyUIDGID: options.copyUIDGID === true });
    },
  });
  return { fake, compose, p, puts, gets };
}

const stat = (name: string, isDir = false): ContainerPathStat => ({ name, size: 0, mode: isDir ? DIR + 0o755 : 0o644, mtime: '', linkTarget: '' });

describe('splitCopyArg', () => {
  it('SERVICE:PATH names a service; absolute, colon-less and ./ paths are local', () => {
    expect(splitCopyArg('web:/etc/hostname')).toEqual({ service: 'web', path: '/etc/hostname' });
    expect(splitCopyArg('/tmp/a:b')).toEqual({ path: '/tmp/a:b' });
    expect(splitCopyArg('./a:b')).toEqual({ path: './a:b' });
    expect(splitCopyArg('file')).toEqual({ path: 'file' });
    expect(splitCopyArg('-')).toEqual({ path: '-' });
  });
});

describe('Compose.cp out of a container', () => {
  it('copies a file into an existing directory, from the first container only', async () => {
    const { compose, p, gets } = await running({ '/etc/hostname': { stat: stat('hostname'), tar: writeTar([file('hostname', 'web1\n')]) } });
    const dest = temp();
    const result = await compose.cp(p, 'web:/etc/hostname', dest);
    expect(result).toEqual({ direction: 'from-container', containers: ['shop-web-1'] });
    expect(gets).toEqual(['shop-web-1:/etc/hostname']);
    expect(readFileSync(join(dest, 'hostname'), 'utf8')).toBe('web1\n');
  });

  it('a directory to a new path takes that name; `-` writes the raw tar', async () => {
    const tar = writeTar([dir('conf/'), file('conf/a', 'A')]);
    const { compose, p } = await running({ '/conf': { stat: stat('conf', true), tar } });
    const base = temp();
    await compose.cp(p, 'web:/conf', join(base, 'copy'));
    expect(readFileSync(join(base, 'copy/a'), 'utf8')).toBe('A');
    const chunks: Buffer[] = [];
    const stdout = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
    await compose.cp(p, 'web:/conf', '-', { stdout });
    expect(Buffer.concat(chunks)).toEqual(tar);
  });

  it('refuses an archive holding ../escape or an absolute symlink, and writes nothing', async () => {
    const { compose, p } = await running({
      '/x': { stat: stat('x', true), tar: writeTar([dir('x/'), file('x/ok', 'fine'), file('x/../escape', 'evil')]) },
      '/y': { stat: stat('y', true), tar: writeTar([dir('y/'), file('y/ok', 'fine'), sym('y/evil', '/etc')]) },
    });
    const base = temp();
    const dest = join(base, 'dest');
    mkdirSync(dest);
    await expect(compose.cp(p, 'web:/x', dest)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('"x/../escape"') });
    await expect(compose.cp(p, 'web:/y', dest)).rejects.toMatchObject({ message: expect.stringContaining('"y/evil"') });
    expect(readdirSync(dest)).toEqual([]);
    expect(readdirSync(base)).toEqual(['dest']);
  });

  it('SRC a symlink without -L: the link itself is copied when relative; an absolute one is refused with -L as the hint', async () => {
    const link = (name: string, target: string): ContainerPathStat => ({ name, size: 0, mode: 2 ** 27 + 0o777, mtime: '', linkTarget: target });
    const { compose, p } = await running({
      '/lib/libz.so': { stat: link('libz.so', 'libz.so.1'), tar: writeTar([sym('libz.so', 'libz.so.1')]) },
      '/etc/mtab': { stat: link('mtab', '/proc/mounts'), tar: writeTar([sym('mtab', '/proc/mounts')]) },
    });
    const base = temp();
    await compose.cp(p, 'web:/lib/libz.so', base);
    expect(readlinkSync(join(base, 'libz.so'))).toBe('libz.so.1');
    await expect(compose.cp(p, 'web:/etc/mtab', base)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'refusing to extract archive entry "mtab": symbolic link to the absolute path "/proc/mounts" would point outside DEST',
      hint: expect.stringContaining('-L'),
    });
    expect(readdirSync(base)).toEqual(['libz.so']);
  });

  it('DEST an existing symlink to a directory is followed (docker cp does), not replaced', async () => {
    const { compose, p } = await running({ '/conf/.': { stat: stat('.', true), tar: writeTar([dir('./'), file('./app.ini', 'x=1')]) } });
    const base = temp();
    mkdirSync(join(base, 'real'));
    symlinkSync('real', join(base, 'link'));
    await compose.cp(p, 'web:/conf/.', join(base, 'link'));
    expect(lstatSync(join(base, 'link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(base, 'real/app.ini'), 'utf8')).toBe('x=1');
  });

  it('a directory onto a file, a file into a missing directory: refused', async () => {
    const { compose, p } = await running({
      '/d': { stat: stat('d', true), tar: writeTar([dir('d/')]) },
      '/f': { stat: stat('f'), tar: writeTar([file('f', '1')]) },
    });
    const base = temp();
    writeFileSync(join(base, 'file'), '');
    await expect(compose.cp(p, 'web:/d', join(base, 'file'))).rejects.toThrow(/cannot copy a directory to a file/);
    await expect(compose.cp(p, 'web:/f', join(base, 'missing/'))).rejects.toThrow(/does not exist/);
    await expect(compose.cp(p, 'web:/f', join(base, 'missing/deeper'))).rejects.toThrow(/no such directory/);
  });
});

describe('Compose.cp into containers', () => {
  it('into every container of the service; into an existing directory under the base name; -a keeps owners', async () => {
    const { compose, p, puts } = await running({ '/tmp': { stat: stat('tmp', true) } });
    const base = temp();
    writeFileSync(join(base, 'note.txt'), 'hi');
    const result = await compose.cp(p, join(base, 'note.txt'), 'web:/tmp', { archive: true });
    expect(result.containers.sort()).toEqual(['shop-web-1', 'shop-web-2']);
    expect(puts.map((x) => [x.container, x.path, x.entries.map((e) => e.path), x.copyUIDGID]).sort()).toEqual([
      ['shop-web-1', '/tmp', ['note.txt'], true],
      ['shop-web-2', '/tmp', ['note.txt'], true],
    ]);
  });

  it('--index picks one container; a new path is the copy\'s name; `-` sends stdin as is', async () => {
    const { compose, p, puts } = await running({ '/tmp': { stat: stat('tmp', true) } });
    const base = temp();
    mkdirSync(join(base, 'tree'));
    writeFileSync(join(base, 'tree/a'), 'A');
    await compose.cp(p, join(base, 'tree'), 'web:/tmp/renamed', { index: 2 });
    expect(puts.map((x) => [x.container, x.path, x.entries.map((e) => e.path)])).toEqual([['shop-web-2', '/tmp', ['renamed/', 'renamed/a']]]);
    const tar = writeTar([file('s', 'S')]);
    await compose.cp(p, '-', 'web:/tmp', { stdin: tar, index: 1 });
    expect(puts[1]!.entries.map((e) => e.path)).toEqual(['s']);
    await expect(compose.cp(p, '-', 'web:/nowhere', { stdin: tar })).rejects.toThrow(/must be a directory/);
  });

  it('cp SERVICE:SRC - under --dry-run (or without a stream) closes the archive download', async () => {
    const { fake, compose, p } = await running();
    const bodies: Readable[] = [];
    Object.assign(fake, {
      getArchive: async () => {
        const body = Readable.from([writeTar([file('f', 'x')])], { objectMode: false });
        bodies.push(body);
        return { stat: stat('f'), content: body };
      },
    });
    await compose.cp(p, 'web:/f', '-', { dryRun: true });
    await expect(compose.cp(p, 'web:/f', '-')).rejects.toThrow(/no stream/);
    expect(bodies.map((b) => b.destroyed)).toEqual([true, true]);
  });

  it('--dry-run checks and writes nothing, locally or into the container', async () => {
    const { compose, p, puts } = await running({
      '/tmp': { stat: stat('tmp', true) },
      '/etc/hostname': { stat: stat('hostname'), tar: writeTar([file('hostname', 'h')]) },
      '/x': { stat: stat('x', true), tar: writeTar([dir('x/'), sym('x/evil', '/etc')]) },
    });
    const base = temp();
    writeFileSync(join(base, 'f'), 'f');
    await compose.cp(p, join(base, 'f'), 'web:/tmp', { dryRun: true });
    await compose.cp(p, 'web:/etc/hostname', base, { dryRun: true });
    expect(puts).toEqual([]);
    expect(readdirSync(base)).toEqual(['f']);
    await expect(compose.cp(p, 'web:/x', base, { dryRun: true })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('usage errors: unknown service, both or neither a service, missing container #N', async () => {
    const { compose, p } = await running();
    await expect(compose.cp(p, 'x:/a', '/tmp')).rejects.toMatchObject({ code: 'USAGE', message: 'no such service: x' });
    await expect(compose.cp(p, 'web:/a', 'db:/b')).rejects.toThrow('copying between services is not supported');
    await expect(compose.cp(p, 'a', 'b')).rejects.toThrow(/unknown copy direction/);
    await expect(compose.cp(p, 'web:/a', '/tmp', { index: 7 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync('/tmp/a')).toBe(false);
  });
});

describe('Compose.export and Compose.commit', () => {
  it('export streams the chosen container; commit maps the flags to POST /commit', async () => {
    const { fake, compose, p } = await running();
    const ids = new Map((await fake.listContainers({ all: true })).map((c) => [c.Id!, c.Names![0]!.slice(1)]));
    const commits: unknown[] = [];
    Object.assign(fake, {
      exportContainer: async (id: string) => [Buffer.from(`tar of ${ids.get(id)}`)],
      commitContainer: async (id: string, options: unknown) => (commits.push([ids.get(id), options]), 'sha256:abc'),
    });
    const exported = await compose.export(p, 'web', { index: 2 });
    expect(exported.container).toBe('shop-web-2');
    await expect(compose.export(p, 'nope')).rejects.toMatchObject({ message: 'no such service: nope' });
    expect(await compose.commit(p, 'db', { reference: 'reg:5000/me/db:v1', author: 'me', message: 'snap', changes: ['ENV A=1'], pause: false })).toEqual({
      container: 'shop-db-1',
      imageId: 'sha256:abc',
    });
    expect(commits).toEqual([['shop-db-1', { repo: 'reg:5000/me/db', tag: 'v1', comment: 'snap', author: 'me', changes: ['ENV A=1'], pause: false }]]);
    expect(await compose.commit(p, 'web', { dryRun: true })).toEqual({ container: 'shop-web-1', imageId: '' });
    expect(commits).toHaveLength(1);
  });

  it('splitReference: the tag after the last colon that is not a registry port', () => {
    expect(splitReference('repo')).toEqual({ repo: 'repo' });
    expect(splitReference('repo:tag')).toEqual({ repo: 'repo', tag: 'tag' });
    expect(splitReference('host:5000/repo')).toEqual({ repo: 'host:5000/repo' });
    expect(() => splitReference('repo:')).toThrow(/invalid reference/);
  });
});
