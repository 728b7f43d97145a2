import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const parsedFiles = vi.hoisted(() => [] as string[]);
vi.mock('./yaml.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./yaml.js')>();
  return {
    ...actual,
    parseYaml: (...args: Parameters<typeof actual.parseYaml>) => {
      parsedFiles.push(args[1] ?? '');
      return actual.parseYaml(...args);
    },
  };
});
const { loadProject } = await import('./index.js');

describe('loadProject parsing', () => {
  it('parses a -f file that is also an extends base, and a base extended from two projects, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-parse-once-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'compose.yaml'), 'include: [sub/compose.yaml]\nservices:\n  a: {extends: {file: base.yaml, service: b}}\n');
    writeFileSync(join(dir, 'base.yaml'), 'services:\n  b: {image: "b:${TAG:-root}"}\n');
    writeFileSync(join(dir, 'sub', 'compose.yaml'), 'services:\n  i: {extends: {file: ../base.yaml, service: b}}\n');
    writeFileSync(join(dir, 'sub', '.env'), 'TAG=inc\n');
    parsedFiles.length = 0;
    const p = await loadProject({ cwd: dir, files: [join(dir, 'compose.yaml'), join(dir, 'base.yaml')], env: {} });
    expect(Object.keys(p.services).sort()).toEqual(['a', 'b', 'i']);
    expect(p.services.i!.image).toBe('b:inc');
    expect(p.services.a!.image).toBe('b:root');
    expect(parsedFiles.sort()).toEqual(['base.yaml', 'compose.yaml', join('sub', 'compose.yaml')]);
  });
});
