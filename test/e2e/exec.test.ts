import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Compose } from '../../src/index.js';
import { capstan, engine, idle, ROOT, setup, spawnCapstan } from './helpers.js';

/** `capstan exec` against the real engine (issue 10's acceptance lines), and the library's `Compose.exec`. */

const file = `
services:
  web:
    image: busybox
    command: ${idle()}
    environment:
      FOO: from-compose
`;

describe('exec', () => {
  const { project, dir } = setup('exec', { 'compose.yaml': file });
  const run = (args: string[], input?: string) => capstan(['-p', project, 'exec', ...args], { cwd: dir, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  it("prints the service's environment (`-T web sh -c 'echo $FOO'`)", async () => {
    const r = await run(['-T', 'web', 'sh', '-c', 'echo $FOO']);
    expect(r.stdout).toBe('from-compose\n');
    expect(r.code).toBe(0);
  });

  it('streams stdin and half-closes it (`echo hi | exec -T web cat`)', async () => {
    const r = await run(['-T', 'web', 'cat'], 'hi\n');
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  it("exits with the command's status (`exec web sh -c 'exit 7'`)", async () => {
    const r = await run(['web', 'sh', '-c', 'exit 7']);
    expect(r.code).toBe(7);
  });

  it('allocates a TTY on a terminal (`exec web tty` under script)', async () => {
    const bin = join(ROOT, 'bin', 'capstan');
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', `${process.execPath} ${bin} -p ${project} exec web tty`, '/dev/null'], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    // Node's raw mode keeps the local terminal's ONLCR: the line may end \r\r\n
    expect(out.stdout).toMatch(/^\/dev\/pts\/\d+\r*\n/);
    expect(out.code).toBe(0);
  });

  it('passes flags after the service through (`exec -T web echo -f /x --verbose`)', async () => {
    const r = await run(['-T', 'web', 'echo', '-f', '/x', '-c=y', '--verbose']);
    expect(r.stdout).toBe('-f /x -c=y --verbose\n');
    expect(r.code).toBe(0);
  });

  it('`exec web tail -f /etc/hostname` is not parsed as capstan flags', async () => {
    const child = spawnCapstan(['-p', project, 'exec', '-T', 'web', 'tail', '-f', '/etc/hostname'], { cwd: dir });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output from tail -f; stderr: ${err}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.endsWith('\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`capstan exited before tail printed; stderr: ${err}`)));
      });
      expect(out.trim()).toMatch(/^[0-9a-f]{12}$/); // the container's hostname: tail runs and follows
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--dry-run exec prints what it would run and runs nothing', async () => {
    const r = await capstan(['-p', project, '--dry-run', 'exec', '-T', 'web', 'touch', '/tmp/dry'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Plan for project "${project}" (1 change)\n  container  ${project}-web-1  exec  touch /tmp/dry\n`);
    expect((await run(['-T', 'web', 'ls', '/tmp/dry'])).code).not.toBe(0);
  });

  it('-e, -u, -w, and -d', async () => {
    const r = await run(['-T', '-e', 'BAR=1', '-u', 'nobody', '-w', '/tmp', 'web', 'sh', '-c', 'echo $BAR $(id -un) $(pwd)']);
    expect(r.stdout).toBe('1 nobody /tmp\n');
    const d = await run(['-d', 'web', 'touch', '/tmp/detached']);
    expect(d.code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await run(['-T', 'web', 'ls', '/tmp/detached'])).code).toBe(0);
  });

  it('unknown service, missing replica', async () => {
    const unknown = await run(['-T', 'nope', 'true']);
    expect(unknown.stderr).toContain('no such service: nope');
    expect(unknown.code).toBe(1);
    const missing = await run(['-T', '--index', '2', 'web', 'true']);
    expect(missing.stderr).toContain('service "web" is not running container #2');
    expect(missing.code).toBe(1);
  });

  it('works without a compose file (-p NAME from another directory)', async () => {
    const r = await capstan(['-p', project, 'exec', '-T', 'web', 'sh', '-c', 'echo $FOO'], { cwd: '/' });
    expect(r.stdout).toBe('from-compose\n');
  });

  it('the library returns {exitCode, stdout}', async () => {
    const compose = new Compose({ engine });
    const p = await compose.projectFromLabels(project);
    const result = await compose.exec(p, 'web', ['echo', 'hi']);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'hi\n' });
    expect((await compose.exec(p, 'web', ['sh', '-c', 'cat; exit 3'], { stdin: 'in' })).stdout).toBe('in');
  });
});
