import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { capstan, projectDir } from './helpers.js';

/**
 * Bad input gets one clear line naming the file, line and key, and a non-zero exit; never a stack
 * trace. These run the built CLI but need no engine (nothing gets that far).
 */
const dirs: string[] = [];
const dir = (files: Record<string, string>): string => {
  const d = projectDir(files);
  dirs.push(d);
  return d;
};

describe('errors in compose files', () => {
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a typo in a service attribute names file, line and key', async () => {
    const cwd = dir({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    restrat: always\n' });
    for (const command of [['config'], ['up', '-d']]) {
      const r = await capstan(['-p', 'typo', ...command], { cwd });
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^error: .*compose\.yaml:4:5: services\.web: .*restrat/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('a bad duration, byte size or octal mode fails config with file:line:col, key path and value', async () => {
    const cases: [string, RegExp][] = [
      ['    stop_grace_period: 5 sec\n', /^error: .*compose\.yaml:4:24: services\.web\.stop_grace_period: "5 sec" is not a duration/],
      ['    shm_size: 64 megs\n', /^error: .*compose\.yaml:4:15: services\.web\.shm_size: invalid size: "64 megs"/],
      [
        '    secrets: [{source: pw, mode: "0999"}]\nsecrets:\n  pw: {file: ./compose.yaml}\n',
        /^error: .*compose\.yaml:4:\d+: services\.web\.secrets\[0\]: invalid file mode "0999"/,
      ],
    ];
    for (const [attrs, expected] of cases) {
      const cwd = dir({ 'compose.yaml': `services:\n  web:\n    image: busybox\n${attrs}` });
      const r = await capstan(['-p', 'formats', 'config'], { cwd });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')[0]).toMatch(expected);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a YAML syntax error names file and line', async () => {
    const cwd = dir({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n   ports: [80\n' });
    const r = await capstan(['-p', 'syntax', 'config'], { cwd });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: .*compose\.yaml:\d+:\d+: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing compose file says so', async () => {
    const cwd = dir({ 'README': 'nothing here' });
    const r = await capstan(['config'], { cwd });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*no configuration file/im);
  });

  it('an unset required variable names the variable', async () => {
    const cwd = dir({ 'compose.yaml': 'services:\n  web:\n    image: ${IMAGE:?set IMAGE first}\n' });
    const r = await capstan(['-p', 'req', 'config'], { cwd });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/required variable IMAGE is missing a value: set IMAGE first/);
  });

  it('an unknown command and an unknown flag exit non-zero', async () => {
    expect((await capstan(['frobnicate'])).code).not.toBe(0);
    expect((await capstan(['up', '--frobnicate'])).code).not.toBe(0);
  });

  it('version answers', async () => {
    const r = await capstan(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Capstan version v\d+\.\d+\.\d+/);
  });
});
