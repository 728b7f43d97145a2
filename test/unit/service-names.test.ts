import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CapstanError } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';

/**
 * Every command that takes service names refuses one the project lacks with `no such service: x`
 * and exit status 1, before it asks the engine anything (the engine here is a socket nobody
 * listens on, so a command that went to the engine first would fail differently).
 */

let dir = '';
let file = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-names-'));
  file = join(dir, 'compose.yaml');
  writeFileSync(file, 'services:\n  web:\n    image: busybox\n  tools:\n    image: busybox\n    profiles: [debug]\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs one command line through `main` against the unreachable engine; stderr captured. */
async function capstan(...args: string[]): Promise<{ code: number | undefined; stderr: string }> {
  vi.stubEnv('DOCKER_HOST', `unix://${join(dir, 'no-engine.sock')}`);
  vi.stubEnv('COMPOSE_PROJECT_NAME', '');
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new CapstanError('CANCELLED', 'exit', { exitCode: Number(code ?? 0) });
  });
  const saved = process.exitCode;
  try {
    await main(['node', 'capstan', '-f', file, '-p', 'names', ...args]);
    return { code: process.exitCode === undefined ? undefined : Number(process.exitCode), stderr };
  } finally {
    process.exitCode = saved;
  }
}

const families: Record<string, string[][]> = {
  'up and create': [['up', '-d', 'nope'], ['create', 'nope']],
  down: [['down', 'nope']],
  'lifecycle verbs': [['start', 'nope'], ['stop', 'nope'], ['restart', 'nope'], ['kill', 'nope'], ['pause', 'nope'], ['unpause', 'nope'], ['rm', '-f', 'nope']],
  'ps and logs': [['ps', 'nope'], ['logs', 'nope']],
  exec: [['exec', '-T', 'nope', 'true']],
  'read-only verbs': [['top', 'nope'], ['port', 'nope', '80'], ['images', 'nope'], ['volumes', 'nope']],
  'config and build': [['config', 'nope'], ['build', 'nope']],
};

describe('no such service', () => {
  for (const [family, lines] of Object.entries(families)) {
    it(`${family}: an unknown service is refused with exit 1`, async () => {
      for (const line of lines) {
        const r = await capstan(...line);
        expect({ line, stderr: r.stderr.split('\n')[0] }).toEqual({ line, stderr: 'error: no such service: nope' });
        expect(r.code).toBe(1);
      }
    });
  }
});
