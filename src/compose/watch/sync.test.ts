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
