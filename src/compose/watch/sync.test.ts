import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inParallel, preparePayload } from './sync.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preparePayload', () => {
  it('files by container path (relative to /), directories walked through the filter, symlinks kept, missing paths deleted', async () => {
    mkdirSync(join(dir, 'new', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'A');
    writeFileSync(join(dir, 'new', 'b.txt'), 'B');
    writeFileSync(join(dir, 'new', 'skip.log'), 'x');
    writeFileSync(join(dir, 'new', 'sub', 'c.txt'), 'C');
    symlinkSync('a.txt', join(dir, 'link'));
    const payload = await preparePayload(
      [
        { hostPath: join(dir, 'a.txt'), containerPath: '/app/a.txt' },
        { hostPath: join(dir, 'new'), containerPath: '/app/new' },
        { hostPath: join(dir, 'link'), containerPath: '/app/link' },
        { hostPath: join(dir, 'gone'), containerPath: '/app/gone' },
        { hostPath: join(dir, 'a.txt'), containerPath: '/app/a.txt' },
      ],
      (p) => !p.endsWith('.log'),
    );
    expect(payload.entries.map((e) => [e.path, e.type, e.data?.toString() ?? e.linkpath])).toEqual([
      ['app/a.txt', 'file', 'A'],
      ['app/new', 'directory', undefined],
      ['app/new/b.txt', 'file', 'B'],
      ['app/new/sub', 'directory', undefined],
      ['app/new/sub/c.txt', 'file', 'C'],
      ['app/link', 'symlink', 'a.txt'],
    ]);
    expect(payload.deletions).toEqual(['/app/gone']);
  });
});

describe('inParallel', () => {
  it('runs at most `limit` at once, and rejects with the first failure after all settled', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const work = inParallel([...Array(40).keys()], 16, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 2));
      active--;
      if (i === 3) throw new Error('three');
      done.push(i);
    });
    await expect(work).rejects.toThrow('three');
    expect(peak).toBe(16);
    expect(done).toHaveLength(39);
  });
});

describe('syncContainers', () => {
  it('a refused tar is sent again without its directory entries', async () => {
    const { syncContainers } = await import('./sync.js');
    const { EngineError } = await import('../../errors.js');
    const { readTar } = await import('../archive.js');
    const sent: string[][] = [];
    const engine = {
      copyToContainer: async (_id: string, _path: string, tar: Buffer) => {
        const names = (await readTar(tar)).map((e) => e.path);
        sent.push(names);
        if (names.some((n) => n.endsWith('/'))) throw new EngineError(400, 'cannot overwrite non-directory with directory', 'copy');
      },
    } as never;
    const now = new Date();
    await syncContainers(engine, 'web', ['c1'], {
      deletions: [],
      entries: [
        { path: 'app/lib', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: now },
        { path: 'app/lib/a.js', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: now, data: Buffer.from('a') },
      ],
    });
    expect(sent).toEqual([['app/lib/', 'app/lib/a.js'], ['app/lib/a.js']]);
  });
});
