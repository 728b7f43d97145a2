import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capstan, engine, idle, setup } from './helpers.js';

/** Runs `cmd` in a running container; resolves with its exit code and combined output. */
async function execIn(container: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const id = await engine.createExec(container, { cmd });
  let out = '';
  for await (const chunk of engine.startExec(id, { tty: false })) out += chunk.data.toString();
  const info = await engine.inspectExec(id);
  return { code: info.ExitCode ?? -1, out: out.trim() };
}

const compose = (level: string): string => `
services:
  app:
    image: busybox
    command: ${idle()}
    environment:
      LEVEL: ${level}
    volumes:
      - ./out:/out
    secrets:
      - x
      - source: tok
        mode: 0400
        uid: "1000"
        gid: "1001"
    configs:
      - greeting
      - source: greeting
        target: /etc/app/greeting.txt
        mode: 0640
    post_start:
      - command: ["sh", "-c", "echo started-$$LEVEL > /tmp/hooked"]
    pre_stop:
      - command: sh -c 'echo stopping-$$LEVEL >> /out/pre_stop.log'
secrets:
  x:
    file: ./x.txt
  tok:
    environment: CAPSTAN_E2E_TOKEN
configs:
  greeting:
    content: hello from content
`;

describe('secrets, configs and hooks without Swarm', () => {
  const { project, dir } = setup('secrets', { 'compose.yaml': compose('one'), 'x.txt': 'top secret\n', 'out/.keep': '' });
  const env = { CAPSTAN_E2E_TOKEN: 'tok-123' };
  const name = `${project}-app-1`;

  it('mounts file secrets read-only, copies environment/content sources with uid/gid/mode, runs post_start', async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);

    expect(await execIn(name, ['cat', '/run/secrets/x'])).toEqual({ code: 0, out: 'top secret' });
    const write = await execIn(name, ['sh', '-c', 'echo changed > /run/secrets/x']);
    expect(write.code).not.toBe(0);
    expect(write.out).toMatch(/read-only file system/i);
    const info = await engine.inspectContainer(name);
    expect(info.Mounts.find((m) => m.Destination === '/run/secrets/x')).toMatchObject({ Type: 'bind', RW: false });

    expect(await execIn(name, ['stat', '-c', '%a %u %g', '/greeting'])).toEqual({ code: 0, out: '444 0 0' });
    expect(await execIn(name, ['cat', '/greeting'])).toEqual({ code: 0, out: 'hello from content' });
    expect(await execIn(name, ['stat', '-c', '%a', '/etc/app/greeting.txt'])).toEqual({ code: 0, out: '640' });
    expect(await execIn(name, ['stat', '-c', '%a %u %g', '/run/secrets/tok'])).toEqual({ code: 0, out: '400 1000 1001' });
    expect(await execIn(name, ['cat', '/run/secrets/tok'])).toEqual({ code: 0, out: 'tok-123' });

    expect(await execIn(name, ['cat', '/tmp/hooked'])).toEqual({ code: 0, out: 'started-one' });
  });

  it('runs pre_stop before the old container is stopped on recreate, and post_start in the new one', async () => {
    writeFileSync(join(dir, 'compose.yaml'), compose('two'));
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
    const log = join(dir, 'out', 'pre_stop.log');
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe('stopping-one\n');
    expect(await execIn(name, ['cat', '/tmp/hooked'])).toEqual({ code: 0, out: 'started-two' });
  });

  it('a failing post_start hook fails up with the exit status', async () => {
    const { project: p2, dir: failing } = setup('hookfail', {
      'compose.yaml': `
services:
  bad:
    image: busybox
    command: ["sleep", "300"]
    post_start:
      - command: ["sh", "-c", "exit 7"]
`,
    });
    const up = await capstan(['-p', p2, 'up', '-d'], { cwd: failing });
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/service "bad" hook exited with status 7/);
  });

  it('refuses an environment secret for a read_only service, naming both', async () => {
    const { project: p3, dir: ro } = setup('ro', {
      'compose.yaml': `
services:
  ro:
    image: busybox
    read_only: true
    secrets: [tok]
secrets:
  tok:
    environment: CAPSTAN_E2E_TOKEN
`,
    });
    const up = await capstan(['-p', p3, 'up', '-d'], { cwd: ro, env });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/service "ro": secret "tok" must be copied into the container, which read_only: true forbids/);
  });
});
