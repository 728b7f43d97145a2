import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packContext, type BuildRequest } from './build.js';
import { tarEntries as entries } from '../../test/support/tar.js';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-ctx-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const request = (dir: string, extra: Partial<BuildRequest> = {}): BuildRequest => ({
  service: 'web',
  context: dir,
  dockerfile: 'Dockerfile',
  tags: ['p-web'],
  args: {},
  labels: {},
  ...extra,
});

describe('packContext', () => {
  it('sends the context minus .dockerignore matches, always with the Dockerfile and .dockerignore', async () => {
    const dir = context({
      Dockerfile: 'FROM busybox\n',
      '.dockerignore': 'Dockerfile\n*.log\nsecret/\n',
      'app.py': 'print(1)\n',
      'debug.log': 'x',
      'secret/key': 'k',
      'sub/debug.log': 'kept: patterns are anchored at the context root',
    });
    try {
      const files = await entries(await packContext(request(dir)));
      expect(Object.keys(files).filter((f) => f && !f.endsWith('/')).sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'sub/debug.log']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds dockerfile_inline as a file, and fails clearly on a missing Dockerfile or context', async () => {
    const dir = context({ 'app.py': '' });
    try {
      const files = await entries(await packContext(request(dir, { dockerfile: '.capstan.Dockerfile', dockerfileInline: 'FROM busybox\nRUN true\n' })));
      expect(files['.capstan.Dockerfile']).toBe('FROM busybox\nRUN true\n');
      await expect(packContext(request(dir))).rejects.toThrow(/Dockerfile .*Dockerfile not found/);
      await expect(packContext(request(join(dir, 'nope')))).rejects.toThrow(/build context .* is not a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
