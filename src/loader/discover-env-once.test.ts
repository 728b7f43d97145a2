import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const readEnvFiles = vi.hoisted(() => [] as string[]);
vi.mock('./dotenv.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./dotenv.js')>();
  return {
    ...actual,
    parseDotenv: (...args: Parameters<typeof actual.parseDotenv>) => {
      readEnvFiles.push(args[1]?.file ?? '');
      return actual.parseDotenv(...args);
    },
  };
});
const { resolveProjectOptions } = await import('./discover.js');

describe('resolveProjectOptions env files', () => {
  const layout = () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-env-once-'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'compose.yaml'), 'services: {}\n');
    writeFileSync(join(dir, 'one.env'), 'A=${B:-unset}\n');
    writeFileSync(join(dir, 'two.env'), 'B=2\n');
    writeFileSync(join(dir, '.env'), 'C=3\n');
    writeFileSync(join(dir, 'a', 'b', '.env'), 'C=first\nD=4\n');
    return dir;
  };
  it('reads explicit env files once when the project directory is found by discovery', async () => {
    const dir = layout();
    readEnvFiles.length = 0;
    const o = await resolveProjectOptions({ cwd: join(dir, 'a', 'b'), env: {}, envFiles: [join(dir, 'one.env'), join(dir, 'two.env')] });
    expect(o.workingDir).toBe(dir);
    expect(o.environment).toEqual({ A: 'unset', B: '2' });
    expect(readEnvFiles).toHaveLength(2);
  });
  it('still reads the .env of the discovered project directory under the first one', async () => {
    const dir = layout();
    readEnvFiles.length = 0;
    const o = await resolveProjectOptions({ cwd: join(dir, 'a', 'b'), env: {} });
    expect(o.environment).toEqual({ C: 'first', D: '4' });
    expect(readEnvFiles).toHaveLength(2);
  });
});
