import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInputs, findBuildx, type BuildRequest } from './build.js';
import { BUILD_DIGEST_LABEL, BUILD_PARTS_LABEL, partsLabel, saveManifest, staleReason, walkContext } from './build-inputs.js';
import { planBuild } from './planner.js';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-digest-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const request = (dir: string, extra: Partial<BuildRequest> = {}): BuildRequest => ({
  service: 'web', context: dir, dockerfile: 'Dockerfile', tags: ['p-web'], args: {}, labels: {}, ...extra,
});

describe('walkContext', () => {
  it('honours ! and ** patterns, and walks an excluded directory an exception reaches into', async () => {
    const dir = context({
      Dockerfile: 'FROM busybox\n',
      '.dockerignore': 'secret.txt\n**/*.log\n!keep.log\nlogs\n!logs/important.log\n',
      'secret.txt': 's', 'app.py': 'a', 'a/b/debug.log': 'x', 'keep.log': 'k', 'logs/x': 'x', 'logs/important.log': 'i',
    });
    try {
      const files = (await walkContext({ context: dir, dockerfile: 'Dockerfile', cache: null })).filter((e) => e.type === 'file').map((e) => e.path);
      expect(files).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'keep.log', 'logs/important.log']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('build input digest', () => {
  it('changes with a sent file, its mode, the Dockerfile, args and target; not with an ignored file, mtime or no_cache', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\n', '.dockerignore': 'notes.md\n', 'app.py': 'v1', 'notes.md': 'n' });
    const cache = mkdtempSync(join(tmpdir(), 'capstan-digest-cache-'));
    try {
      const digest = async (extra: Partial<BuildRequest> = {}) => (await buildInputs(request(dir, extra), cache)).digest;
      const base = await digest();
      expect(await digest()).toBe(base);
      writeFileSync(join(dir, 'notes.md'), 'edited');
      expect(await digest()).toBe(base);
      writeFileSync(join(dir, 'app.py'), 'v1'); // same content, new mtime
      expect(await digest()).toBe(base);
      expect(await digest({ noCache: true, pull: true })).toBe(base);
      expect(await digest({ args: { A: '1' } })).not.toBe(base);
      expect(await digest({ target: 'dev' })).not.toBe(base);
      chmodSync(join(dir, 'app.py'), 0o755);
      const chmodded = await digest();
      expect(chmodded).not.toBe(base);
      writeFileSync(join(dir, 'app.py'), 'v2');
      expect(await digest()).not.toBe(chmodded);
      writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nRUN true\n');
      expect(await digest()).not.toBe(chmodded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('names the changed files from the manifest saved at build time', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\n', 'app.py': 'v1', 'lib.py': 'l' });
    const cache = mkdtempSync(join(tmpdir(), 'capstan-digest-cache-'));
    try {
      const built = await buildInputs(request(dir), cache);
      saveManifest(cache, built);
      const labels = { [BUILD_DIGEST_LABEL]: built.digest, [BUILD_PARTS_LABEL]: partsLabel(built.parts) };
      expect(staleReason(labels, await buildInputs(request(dir), cache), cache)).toBe('');
      writeFileSync(join(dir, 'app.py'), 'v2');
      writeFileSync(join(dir, 'new.py'), 'n');
      expect(staleReason(labels, await buildInputs(request(dir), cache), cache)).toBe('build context changed: app.py, new.py');
      expect(staleReason(labels, await buildInputs(request(dir, { args: { A: '1' } }), cache), cache)).toMatch(/^build options changed/);
      expect(staleReason({}, await buildInputs(request(dir), cache), cache)).toBe(''); // no digest label: never stale
      expect(staleReason(labels, await buildInputs(request(dir), null), null)).toBe('build context changed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('buildx detection and planning', () => {
  it('finds docker-buildx only where it is installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-plugins-'));
    try {
      expect(findBuildx([dir])).toBeUndefined();
      writeFileSync(join(dir, 'docker-buildx'), '#!/bin/sh\n');
      expect(findBuildx([dir])).toBe(join(dir, 'docker-buildx'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a shared image once and passes --build-arg/--no-cache overrides', () => {
    const p = {
      name: 'p', workingDir: '/w', environment: { FROM_ENV: 'e' }, envFiles: [],
      services: {
        a: { name: 'a', image: 'shared', build: { context: '/w', args: { X: '1', FROM_ENV: null } } },
        b: { name: 'b', image: 'shared', build: { context: '/w' } },
      },
    } as never;
    const plan = planBuild(p, ['a', 'b'], new Map(), { noCache: true, buildArgs: { Y: '2' } });
    expect(plan.steps.map((s) => s.id)).toEqual(['build-image:shared']);
    const op = plan.steps[0]!.op as { request: BuildRequest };
    expect(op.request).toMatchObject({ noCache: true, args: { X: '1', FROM_ENV: 'e', Y: '2' } });
  });
});

describe('down --rmi', () => {
  it('plans one image removal per image, after the containers', async () => {
    const { planDown } = await import('./planner.js');
    const p = { name: 'p', workingDir: '/w', environment: {}, envFiles: [], services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} } as never;
    const observed = { project: 'p', containers: [], networks: new Map(), volumes: new Map(), images: new Map() } as never;
    const plan = planDown(p, observed, { removeImages: ['p-web', 'p-web', 'p-app'] });
    expect(plan.steps.map((s) => s.id)).toEqual(['remove-image:p-web', 'remove-image:p-app']);
    expect(plan.nodes.map((n) => `${n.resource} ${n.name} ${n.action} ${n.cause}`)).toEqual(['image p-web remove --rmi', 'image p-app remove --rmi']);
  });
});
