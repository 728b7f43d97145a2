import { existsSync, lstatSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Header, Pax } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { checkArchive, extractArchive, packLocal, readTar, writeTar, type TarEntry } from './archive.js';

const t0 = new Date('2024-01-02T03:04:05Z');
const dir = (path: string): TarEntry => ({ path, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: t0 });
const file = (path: string, text = 'x'): TarEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: t0, data: Buffer.from(text) });
const sym = (path: string, linkpath: string): TarEntry => ({ path, type: 'symlink', linkpath, mode: 0o777, uid: 0, gid: 0, mtime: t0 });
const hard = (path: string, linkpath: string): TarEntry => ({ path, type: 'hardlink', linkpath, mode: 0o644, uid: 0, gid: 0, mtime: t0 });

/** Hand-made tar buffers, read back as the engine's archive would be. */
async function archive(...entries: TarEntry[]): Promise<TarEntry[]> {
  return readTar(writeTar(entries));
}

function refusal(fn: () => unknown): CapstanError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CapstanError);
    return err as CapstanError;
  }
  throw new Error('not refused');
}

const temps: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'capstan-archive-'));
  temps.push(d);
  return d;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('checkArchive refuses what would land outside the destination', () => {
  it('an entry named ../escape (the name survives the tar round trip)', async () => {
    const entries = await archive(dir('data/'), file('data/../escape'));
    expect(entries[1]!.path).toBe('data/../escape');
    const err = refusal(() => checkArchive(entries, 'data'));
    expect(err.message).toContain('"data/../escape"');
    expect(err.message).toContain('..');
  });

  it('a top-level ../escape', async () => {
    expect(refusal(() => checkArchive([file('../escape')], 'escape')).message).toContain('"../escape"');
  });

  it('an absolute entry name /abs', async () => {
    const entries = await archive(file('/abs'));
    expect(entries[0]!.path).toBe('/abs');
    expect(refusal(() => checkArchive(entries, 'abs')).message).toMatch(/"\/abs".*absolute/);
  });

  it('a symlink to /etc', async () => {
    const entries = await archive(dir('x/'), sym('x/evil', '/etc'));
    expect(refusal(() => checkArchive(entries, 'x')).message).toMatch(/"x\/evil".*absolute path "\/etc"/);
  });

  it('a symlink a -> ../../x', async () => {
    const entries = await archive(dir('d/'), dir('d/sub/'), sym('d/sub/a', '../../x'));
    expect(refusal(() => checkArchive(entries, 'd')).message).toMatch(/"d\/sub\/a".*"\.\.\/\.\.\/x"/);
  });

  it('a symlink that escapes only through another symlink of the archive', async () => {
    // d/x/b -> .. is d itself (fine); d/c -> x/b/.. would be d's parent
    const entries = await archive(dir('d/'), dir('d/x/'), sym('d/x/b', '..'), sym('d/c', 'x/b/..'));
    expect(refusal(() => checkArchive(entries, 'd')).message).toContain('"d/c"');
  });

  it('a hard link to a path outside', async () => {
    const entries = await archive(dir('d/'), hard('d/h', '../etc/passwd'));
    expect(refusal(() => checkArchive(entries, 'd')).message).toMatch(/"d\/h".*hard link/);
    expect(refusal(() => checkArchive([dir('d/'), hard('d/h', '/etc/passwd')], 'd')).message).toContain('hard link');
    expect(refusal(() => checkArchive([dir('d/'), hard('d/h', 'other/file')], 'd')).message).toContain('hard link');
  });

  it('an entry outside the copied path (a sibling of DEST)', async () => {
    expect(refusal(() => checkArchive([dir('d/'), file('sibling')], 'd')).message).toMatch(/"sibling".*outside the copied path/);
  });

  it('a file written through a symlinked directory that leaves', async () => {
    const err = refusal(() => checkArchive([dir('d/'), sym('d/l', '/tmp'), file('d/l/f')], 'd'));
    expect(err.message).toContain('d/l');
  });
});

describe('checkArchive passes a well-formed archive', () => {
  it('nested directories, files, links that stay inside', async () => {
    const entries = await archive(
      dir('d/'),
      dir('d/a/'),
      dir('d/a/b/'),
      file('d/a/b/f', 'deep'),
      sym('d/a/up', '../top'),
      sym('d/a/b/same', 'f'),
      file('d/top', 'top'),
      hard('d/a/hl', 'd/top'),
    );
    const checked = checkArchive(entries, 'd');
    expect(checked.map((e) => e.rel)).toEqual(['', 'a', 'a/b', 'a/b/f', 'a/up', 'a/b/same', 'top', 'a/hl']);
    expect(checked[7]!.linkpath).toBe('top');
  });

  it('long names (PAX headers) survive', async () => {
    const long = `d/${'n'.repeat(150)}`;
    const entries = await archive(dir('d/'), file(long, 'long'));
    expect(checkArchive(entries, 'd')[1]!.rel).toBe('n'.repeat(150));
  });
});

describe('extractArchive', () => {
  it('writes a checked tree into DEST (renamed from the archive top), links kept', async () => {
    const base = temp();
    const entries = await archive(dir('d/'), dir('d/a/'), file('d/a/f', 'hello'), sym('d/l', 'a/f'), hard('d/h', 'd/a/f'));
    await extractArchive(checkArchive(entries, 'd'), join(base, 'out'));
    expect(readFileSync(join(base, 'out/a/f'), 'utf8')).toBe('hello');
    expect(readlinkSync(join(base, 'out/l'))).toBe('a/f');
    expect(lstatSync(join(base, 'out/h')).nlink).toBe(2);
    expect(lstatSync(join(base, 'out/a/f')).mtime.getTime()).toBe(t0.getTime());
  });

  it('a single file becomes DEST', async () => {
    const base = temp();
    await extractArchive(checkArchive(await archive(file('hostname', 'abc\n')), 'hostname'), join(base, 'h'));
    expect(readFileSync(join(base, 'h'), 'utf8')).toBe('abc\n');
  });

  it('refuses to write through a symlink already in DEST that leaves it, and writes nothing outside', async () => {
    const base = temp();
    const outside = join(base, 'outside');
    mkdirSync(outside);
    mkdirSync(join(base, 'dest'));
    symlinkSync(outside, join(base, 'dest/link'));
    const entries = checkArchive([dir('d/'), file('d/link/x', 'evil')], 'd');
    await expect(extractArchive(entries, join(base, 'dest'))).rejects.toThrow(/outside the destination/);
    expect(existsSync(join(outside, 'x'))).toBe(false);
  });

  it('replaces an existing symlink instead of writing through it', async () => {
    const base = temp();
    writeFileSync(join(base, 'victim'), 'safe');
    mkdirSync(join(base, 'dest'));
    symlinkSync(join(base, 'victim'), join(base, 'dest/f'));
    await extractArchive(checkArchive([dir('d/'), file('d/f', 'new')], 'd'), join(base, 'dest'));
    expect(readFileSync(join(base, 'victim'), 'utf8')).toBe('safe');
    expect(readFileSync(join(base, 'dest/f'), 'utf8')).toBe('new');
  });
});

describe('readTar', () => {
  it('a malformed archive is refused and its source stream closed', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.alloc(512, 'x'); // not a tar header (bad checksum)
        for (;;) yield Buffer.alloc(512, 'y');
      } finally {
        closed = true;
      }
    }
    await expect(readTar(source())).rejects.toThrow(/bad tar archive/);
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(true);
  });
});

describe('packLocal', () => {
  it('packs a tree under the given top name, symlinks as links; `""` packs the contents', async () => {
    const base = temp();
    mkdirSync(join(base, 'src/sub'), { recursive: true });
    writeFileSync(join(base, 'src/sub/f'), 'data');
    symlinkSync('sub/f', join(base, 'src/l'));
    const named = await packLocal(join(base, 'src'), 'dest', false);
    expect(named.map((e) => `${e.type}:${e.path}`)).toEqual(['directory:dest', 'symlink:dest/l', 'directory:dest/sub', 'file:dest/sub/f']);
    const contents = await packLocal(join(base, 'src'), '', false);
    expect(contents.map((e) => e.path)).toEqual(['l', 'sub', 'sub/f']);
    const round = await readTar(writeTar(named));
    expect(round.map((e) => e.path)).toEqual(['dest/', 'dest/l', 'dest/sub/', 'dest/sub/f']);
    expect(round[3]!.data?.toString()).toBe('data');
  });

  it('-L follows a symlink given as the source', async () => {
    const base = temp();
    writeFileSync(join(base, 'real'), 'r');
    symlinkSync('real', join(base, 'link'));
    expect((await packLocal(join(base, 'link'), 'x', false))[0]!.type).toBe('symlink');
    expect((await packLocal(join(base, 'link'), 'x', true))[0]!.type).toBe('file');
  });
});

/** A raw tar block sequence: one header (node-tar's encoder) and its padded body. */
function rawEntry(fields: { path: string; type: string; linkpath?: string; body?: Buffer }): Buffer {
  const body = fields.body ?? Buffer.alloc(0);
  const h = new Header({ path: fields.path, type: fields.type as never, mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: t0, ...(fields.linkpath ? { linkpath: fields.linkpath } : {}) });
  h.encode();
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([h.block!, body, pad]);
}
const end = Buffer.alloc(1024);

describe('attacks on extraction (each refused, nothing written outside DEST)', () => {
  async function attempt(entries: TarEntry[] | Buffer, top: string): Promise<{ base: string; outside: string; error: unknown }> {
    const base = temp();
    const outside = join(base, 'outside');
    mkdirSync(outside);
    mkdirSync(join(base, 'dest'));
    let error: unknown;
    try {
      const read = Buffer.isBuffer(entries) ? await readTar(entries) : await archive(...entries);
      await extractArchive(checkArchive(read, top), join(base, 'dest', 'out'));
    } catch (err) {
      error = err;
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(base).sort()).toEqual(['dest', 'outside']);
    return { base, outside, error };
  }

  it('a symlink chain a -> b, b -> c, c -> ../..', async () => {
    const { error } = await attempt([dir('d/'), sym('d/a', 'b'), sym('d/b', 'c'), sym('d/c', '../../outside'), file('d/a/f')], 'd');
    expect(error).toBeInstanceOf(CapstanError);
  });

  it('a symlink entry, then a file entry written through it', async () => {
    const { error } = await attempt([dir('d/'), sym('d/l', '../../outside'), file('d/l/f', 'evil')], 'd');
    expect((error as Error).message).toContain('"d/l"');
  });

  it('a directory entry later replaced by a symlink leaving, then a file through it', async () => {
    const { error } = await attempt([dir('d/'), dir('d/s/'), sym('d/s', '../../outside'), file('d/s/f', 'evil')], 'd');
    expect(error).toBeInstanceOf(CapstanError);
  });

  it('a hard link to an earlier symlink, placed where the link\'s relative target leaves', async () => {
    // d/x/l -> ../y stays inside from d/x; the same link hard-linked at d/h points at d/../y
    const { base, error } = await attempt([dir('d/'), dir('d/x/'), dir('d/y/'), sym('d/x/l', '../y'), hard('d/h', 'd/x/l')], 'd');
    expect((error as Error).message).toMatch(/"d\/h".*leaves the destination/);
    expect(existsSync(join(base, 'dest/out/h'))).toBe(false);
  });

  it('a pax path override naming ../escape', async () => {
    const pax = new Pax({ path: 'd/../../outside/f' } as never).encode();
    const tar = Buffer.concat([rawEntry({ path: 'd/', type: 'Directory' }), pax, rawEntry({ path: 'd/harmless', type: 'File', body: Buffer.from('evil') }), end]);
    const { error } = await attempt(tar, 'd');
    expect((error as Error).message).toContain('"d/../../outside/f"');
  });

  it('a GNU long-name header naming ../escape, and a GNU long-link naming /etc', async () => {
    const longName = Buffer.from(`d/${'a/'.repeat(60)}../../${'../'.repeat(60)}outside/f\0`);
    const tar = Buffer.concat([rawEntry({ path: 'd/', type: 'Directory' }), rawEntry({ path: '././@LongLink', type: 'NextFileHasLongPath', body: longName }), rawEntry({ path: 'd/harmless', type: 'File', body: Buffer.from('evil') }), end]);
    expect(((await attempt(tar, 'd')).error as Error).message).toContain('..');
    const longLink = Buffer.from(`/${'e'.repeat(120)}/../etc\0`);
    const tar2 = Buffer.concat([rawEntry({ path: 'd/', type: 'Directory' }), rawEntry({ path: '././@LongLink', type: 'NextFileHasLongLinkpath', body: longLink }), rawEntry({ path: 'd/l', type: 'SymbolicLink', linkpath: 'x' }), end]);
    expect(((await attempt(tar2, 'd')).error as Error).message).toMatch(/"d\/l".*absolute/);
  });

  it('entries named "." and "./.."', async () => {
    expect(((await attempt([dir('d/'), file('./..')], 'd')).error as Error).message).toContain('".."');
    expect((await attempt([dir('./'), file('./f')], '.')).error).toBeUndefined();
    expect(((await attempt([dir('d/'), dir('.')], 'd')).error as Error).message).toContain('outside the copied path');
  });

  it('DEST itself a pre-existing symlink leading outside, the archive without its top entry', async () => {
    const base = temp();
    const outside = join(base, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(base, 'out'));
    const entries = checkArchive([file('d/f', 'evil')], 'd');
    await expect(extractArchive(entries, join(base, 'out'))).rejects.toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('Windows-style backslashes: ..\\ refused, a lone backslash is a plain name', async () => {
    expect(((await attempt([dir('d/'), file('d/..\\..\\outside\\f')], 'd')).error as Error).message).toContain('..');
    const { base, error } = await attempt([dir('d/'), file('d/a\\b', 'ok')], 'd');
    expect(error).toBeUndefined();
    expect(readFileSync(join(base, 'dest/out/a\\b'), 'utf8')).toBe('ok');
  });

  it('a NUL in a name or link target: the tar reader ends names there; checkArchive refuses one', async () => {
    const pax = new Pax({ path: 'd/x\0/../../../outside/f' } as never).encode();
    const tar = Buffer.concat([rawEntry({ path: 'd/', type: 'Directory' }), pax, rawEntry({ path: 'd/harmless', type: 'File', body: Buffer.from('evil') }), end]);
    expect((await readTar(tar)).map((e) => e.path)).toEqual(['d/', 'd/x']);
    expect((await attempt(tar, 'd')).error).toBeUndefined();
    expect(refusal(() => checkArchive([dir('d/'), file('d/x\0/../../f')], 'd')).message).toMatch(/"d\/x\\0.*NUL/);
    expect(refusal(() => checkArchive([dir('d/'), sym('d/l', 'f\0/../../x')], 'd')).message).toContain('NUL');
  });
});

describe('checkArchive: what the refusal says, and a single symlink (SRC itself a link, no -L)', () => {
  it('an absolute symlink in a tree names the entry, the target, and what to do instead', async () => {
    const err = refusal(() => checkArchive([dir('etc/'), sym('etc/mtab', '/proc/mounts')], 'etc'));
    expect(err.message).toBe('refusing to extract archive entry "etc/mtab": symbolic link to the absolute path "/proc/mounts" leaves the destination');
    expect(err.hint).toMatch(/-L.*cp SERVICE:SRC -/);
    expect(err.hint).toContain('nothing was written');
  });

  it('a single relative link is copied as the link itself (docker cp copies links)', async () => {
    const base = temp();
    await extractArchive(checkArchive(await archive(sym('libz.so', 'libz.so.1')), 'libz.so'), join(base, 'z'));
    expect(readlinkSync(join(base, 'z'))).toBe('libz.so.1');
  });

  it('a single link that is absolute or climbs out is refused, with -L as the way out', async () => {
    const abs = refusal(() => checkArchive([sym('mtab', '/proc/mounts')], 'mtab'));
    expect(abs.message).toMatch(/"mtab".*absolute path "\/proc\/mounts"/);
    expect(abs.hint).toContain('-L');
    const up = refusal(() => checkArchive([sym('l', '../../etc/passwd')], 'l'));
    expect(up.message).toMatch(/"l".*"\.\.\/\.\.\/etc\/passwd"/);
    expect(up.hint).toContain('-L');
  });

  it('entries below a top-level link are refused (they would be written through it)', async () => {
    expect(refusal(() => checkArchive([sym('d', 'sibling'), file('d/f')], 'd')).message).toMatch(/"d\/f".*"d" is a symbolic link/);
  });
});
