import { describe, expect, it } from 'vitest';
import { Compose } from '../compose.js';
import { execEnv } from './exec.js';
import { FakeEngine } from '../../../test/support/fake-engine.js';
import { project } from '../../../test/support/fixtures.js';

/** `Compose.exec` on the fake engine: target container, exec settings, stdin, capture, exit code. */

async function running() {
  const fake = new FakeEngine({ images: ['busybox'] });
  const compose = new Compose({ engine: fake });
  const p = project('shop', { web: {}, db: {} });
  await compose.up(p, { detach: true });
  return { fake, compose, p };
}

describe('Compose.exec', () => {
  it('runs in web-1 with the flags mapped, stdin given, and returns {exitCode, stdout, stderr}', async () => {
    const { fake, compose, p } = await running();
    const seen: unknown[] = [];
    fake.onExec((c, options, stdin) => {
      seen.push(c.name, options);
      return { exitCode: 3, output: `got ${stdin}`, errorOutput: 'oops' };
    });
    const result = await compose.exec(p, 'web', ['cat'], { stdin: 'hi', env: ['A=1', 'B', 'C'], lookupEnv: { B: 'b' }, user: 'nobody', workingDir: '/tmp', privileged: true });
    expect(result).toEqual({ container: 'shop-web-1', exitCode: 3, stdout: 'got hi', stderr: 'oops' });
    expect(seen).toEqual([
      'shop-web-1',
      { cmd: ['cat'], attachStdin: true, tty: false, user: 'nobody', privileged: true, workingDir: '/tmp', env: ['A=1', 'B=b'] },
    ]);
  });

  it('`no such service: x` for an unknown service', async () => {
    const { compose, p } = await running();
    await expect(compose.exec(p, 'x', ['true'])).rejects.toMatchObject({ code: 'USAGE', message: 'no such service: x' });
  });

  it('reaches a running service of a profile not enabled now (started by an earlier --profile up)', async () => {
    const { fake, compose, p } = await running();
    // The same files read without `--profile`: db is a disabled service, its container still runs.
    const { db, ...enabled } = p.services;
    const withoutProfile = { ...p, services: enabled, disabledServices: { db: db! } };
    fake.onExec((c) => ({ exitCode: 0, output: c.name }));
    expect(await compose.exec(withoutProfile, 'db', ['hostname'])).toMatchObject({ container: 'shop-db-1', stdout: 'shop-db-1' });
    await expect(compose.exec(withoutProfile, 'x', ['true'])).rejects.toMatchObject({ code: 'USAGE', message: 'no such service: x' });
  });

  it("compose's text when the replica does not run", async () => {
    const { compose, p } = await running();
    await expect(compose.exec(p, 'web', ['true'], { index: 2 })).rejects.toMatchObject({ message: 'service "web" is not running container #2' });
  });

  it('-d starts the exec detached and captures nothing', async () => {
    const { fake, compose, p } = await running();
    fake.onExec(() => ({ exitCode: 5, output: 'x' }));
    expect(await compose.exec(p, 'web', ['true'], { detach: true })).toEqual({ container: 'shop-web-1', exitCode: 0, stdout: '', stderr: '' });
  });

  it('--dry-run finds the container and runs nothing', async () => {
    const { fake, compose, p } = await running();
    let ran = false;
    fake.onExec(() => {
      ran = true;
      return { exitCode: 5 };
    });
    expect(await compose.exec(p, 'web', ['touch', '/x'], { dryRun: true })).toEqual({ container: 'shop-web-1', exitCode: 0, stdout: '', stderr: '' });
    expect(ran).toBe(false);
    await expect(compose.exec(p, 'web', ['true'], { dryRun: true, index: 2 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('streams into the given writables and sends the TTY size', async () => {
    const { fake, compose, p } = await running();
    fake.onExec(() => ({ exitCode: 0, output: 'out' }));
    let written = '';
    const stdout = { write: (d: Buffer) => ((written += d.toString()), true) } as unknown as NodeJS.WritableStream;
    const result = await compose.exec(p, 'web', ['tty'], { tty: true, stdout, onTty: (resize) => void resize({ height: 24, width: 80 }) });
    expect(result.stdout).toBe('');
    expect(written).toBe('out');
    expect(fake.journal(['resizeExec'])).toHaveLength(1);
  });
});

describe('execEnv', () => {
  it('keeps KEY=VAL, resolves KEY from the lookup, drops unset KEY', () => {
    expect(execEnv(['A=1', 'B', 'C', 'D='], { B: 'x' })).toEqual(['A=1', 'B=x', 'D=']);
  });
});
