import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Compose } from '../compose.js';
import { formatCauses } from '../plan.js';
import { Label } from '../labels.js';
import type { ContainerSpec } from '../container-spec.js';
import type { Plan } from '../plan.js';
import { FakeEngine } from '../../../test/support/fake-engine.js';
import { detachKeyBytes, escapeProxy } from './attach.js';
import { project } from '../../../test/support/fixtures.js';

/** `Compose.run` and `Compose.attach` on the fake engine: the plan, the one-off's settings, the attached session. */

const SLUG = 'abcdef0123456789'.repeat(4);
const NAME = `shop-web-run-${SLUG.slice(0, 12)}`;

/** web depends on a healthy db, publishes 8080:80 and restarts always; db has a healthcheck. */
const shop = () =>
  project('shop', {
    db: { healthcheck: { test: ['CMD', 'true'] } },
    web: {
      depends_on: { db: { condition: 'service_healthy', required: true } },
      ports: [{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }],
      restart: 'always',
      command: ['serve'],
      container_name: 'fixed-name',
      environment: { FOO: 'from-compose', KEEP: 'k' },
      networks: { default: { aliases: ['www'] } },
    },
  });

function setup() {
  const fake = new FakeEngine({ images: ['busybox'] });
  const compose = new Compose({ engine: fake });
  return { fake, compose, p: shop() };
}

const oneOff = (plan: Plan): ContainerSpec => {
  const step = plan.steps.find((s) => s.id === `create-container:${NAME}`)!;
  if (step.op.type !== 'create-container') throw new Error('not a create');
  return step.op.spec;
};

describe('Compose.run: the plan', () => {
  it('starts the dependencies, waits for their conditions, then creates and starts the one-off', async () => {
    const { compose, p } = setup();
    const { plan, container, id } = await compose.run(p, 'web', ['true'], { dryRun: true, slug: SLUG });
    expect(container).toBe(NAME);
    expect(id).toBe('');
    expect(formatCauses(plan)).toBe(
      [
        'create-network:shop_default  # missing',
        'create-container:shop-db-1 <- create-network:shop_default  # missing',
        'start-container:shop-db-1 <- create-container:shop-db-1  # missing',
        'wait-healthy:db <- start-container:shop-db-1  # depends_on db: service_healthy',
        `create-container:${NAME} <- create-network:shop_default, create-container:shop-db-1, wait-healthy:db  # run true`,
        `start-container:${NAME} <- create-container:${NAME}  # run true`,
      ].join('\n'),
    );
    expect(plan.toString()).toContain(`container  ${NAME}  create  run true`);
  });

  it('--no-deps: only what the one-off needs itself', async () => {
    const { compose, p } = setup();
    const { plan } = await compose.run(p, 'web', [], { dryRun: true, slug: SLUG, noDeps: true });
    expect(formatCauses(plan)).toBe(
      [
        'create-network:shop_default  # missing',
        `create-container:${NAME} <- create-network:shop_default  # run`,
        `start-container:${NAME} <- create-container:${NAME}  # run`,
      ].join('\n'),
    );
  });

  it('the one-off: labelled oneoff=True with its slug and no number, ports not published, restart cleared, its own name and alias', async () => {
    const { compose, p } = setup();
    const spec = oneOff((await compose.run(p, 'web', ['true'], { dryRun: true, slug: SLUG })).plan);
    const labels = spec.body.Labels!;
    expect(labels[Label.oneoff]).toBe('True');
    expect(labels[Label.slug]).toBe(SLUG);
    expect(labels[Label.containerNumber]).toBeUndefined();
    expect(labels[Label.service]).toBe('web');
    expect(spec.body.HostConfig?.PortBindings).toEqual({});
    expect(spec.body.ExposedPorts).toBeUndefined();
    expect(spec.body.HostConfig?.RestartPolicy).toEqual({ Name: 'no' });
    expect(spec.body.HostConfig?.AutoRemove).toBeUndefined();
    expect(spec.body.Cmd).toEqual(['true']);
    expect(spec.body.NetworkingConfig?.EndpointsConfig?.shop_default?.Aliases).toEqual([NAME]);
    // -i by default: stdin open for one attach
    expect(spec.body).toMatchObject({ OpenStdin: true, AttachStdin: true, StdinOnce: true });
  });

  it('-P publishes the service ports; -p others; --use-aliases keeps the aliases; --rm sets AutoRemove', async () => {
    const { compose, p } = setup();
    const published = oneOff((await compose.run(p, 'web', [], { dryRun: true, slug: SLUG, servicePorts: true, useAliases: true, autoRemove: true })).plan);
    expect(published.body.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
    expect(published.body.NetworkingConfig?.EndpointsConfig?.shop_default?.Aliases).toEqual([NAME, 'web', 'www']);
    expect(published.body.HostConfig?.AutoRemove).toBe(true);
    expect(published.body.Cmd).toEqual(['serve']);
    const other = oneOff((await compose.run(p, 'web', [], { dryRun: true, slug: SLUG, publish: [{ target: 90, published: '9090', protocol: 'tcp', mode: 'ingress' }] })).plan);
    expect(other.body.HostConfig?.PortBindings).toEqual({ '90/tcp': [{ HostIp: '', HostPort: '9090' }] });
    await expect(compose.run(p, 'web', [], { dryRun: true, servicePorts: true, publish: [{ target: 90 }] })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('-e over the environment, --entrypoint clears the command, -u -w -l --cap-add --cap-drop --name', async () => {
    const { compose, p } = setup();
    p.environment = { FROM_SHELL: 'sh' };
    const { plan } = await compose.run(p, 'web', [], {
      dryRun: true,
      slug: SLUG,
      name: 'custom',
      env: ['FOO=over', 'FROM_SHELL', 'UNSET'],
      entrypoint: ['/bin/sh', '-c'],
      user: 'nobody',
      workingDir: '/tmp',
      labels: { team: 'a' },
      capAdd: ['NET_ADMIN'],
      capDrop: ['CHOWN'],
    });
    const step = plan.steps.find((s) => s.id === 'create-container:custom')!;
    if (step.op.type !== 'create-container') throw new Error('not a create');
    const body = step.op.spec.body;
    expect(body.Env).toEqual(['FOO=over', 'KEEP=k', 'FROM_SHELL=sh']);
    expect(body.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(body.Cmd).toEqual([]);
    expect(body).toMatchObject({ User: 'nobody', WorkingDir: '/tmp' });
    expect(body.Labels).toMatchObject({ team: 'a', [Label.oneoff]: 'True' });
    expect(body.HostConfig).toMatchObject({ CapAdd: ['NET_ADMIN'], CapDrop: ['CHOWN'] });
  });

  it('`no such service: x`', async () => {
    const { compose, p } = setup();
    await expect(compose.run(p, 'x', [])).rejects.toMatchObject({ code: 'USAGE', message: 'no such service: x' });
  });
});

describe('Compose.run: running it', () => {
  it('waits for the healthy dependency, attaches, starts, returns the exit status and output; the exited one-off stays', async () => {
    const { fake, compose, p } = setup();
    fake.behave('db', { health: 'healthy' });
    fake.behave('web', { exitCode: 3, output: 'hello\n' });
    const result = await compose.run(p, 'web', ['true'], { slug: SLUG, stdin: 'in' });
    expect(result).toMatchObject({ container: NAME, exitCode: 3, stdout: 'hello\n', stderr: '', detached: false });
    expect(result.id).toBe(fake.container(NAME)!.id);
    expect(fake.container(NAME)!.status).toBe('exited');
    expect(fake.container('shop-db-1')!.status).toBe('running');
    // attached before started, and stdin went in
    const journal = fake.journal(['attachContainer', 'startContainer']);
    expect(journal.indexOf(`attachContainer ${result.id}`)).toBeLessThan(journal.indexOf(`startContainer ${result.id}`));
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.stdinReceived.get(result.id)).toBe('in');
    // ps -a lists it as a one-off; down removes it
    expect((await compose.ps('shop', { all: true })).map((r) => r.name)).toContain(NAME);
    await compose.down(p);
    expect(fake.containerNames()).toEqual([]);
  });

  it('--rm: the container is gone once it exited', async () => {
    const { fake, compose, p } = setup();
    fake.behave('db', { health: 'healthy' });
    fake.behave('web', { exitCode: 1 });
    const result = await compose.run(p, 'web', ['false'], { slug: SLUG, autoRemove: true });
    expect(result.exitCode).toBe(1);
    expect(fake.container(NAME)).toBeUndefined();
  });

  it('--rm: a one-off whose start fails is removed, and the start error is thrown', async () => {
    const { fake, compose, p } = setup();
    fake.behave('web', { startError: 'driver failed programming external connectivity: port is already allocated' });
    await expect(compose.run(p, 'web', ['true'], { slug: SLUG, noDeps: true, autoRemove: true })).rejects.toThrow('port is already allocated');
    expect(fake.container(NAME)).toBeUndefined();
    // without --rm it stays, as docker leaves a created container
    await expect(compose.run(p, 'web', ['true'], { slug: SLUG, noDeps: true })).rejects.toThrow('port is already allocated');
    expect(fake.container(NAME)?.status).toBe('created');
  });

  it('an unhealthy dependency fails the run before the one-off is created', async () => {
    const { fake, compose, p } = setup();
    fake.behave('db', { health: 'unhealthy' });
    await expect(compose.run(p, 'web', ['true'], { slug: SLUG })).rejects.toMatchObject({ code: 'DEPENDENCY' });
    expect(fake.container(NAME)).toBeUndefined();
  });

  it('-d: created and started, not attached; the ID is returned', async () => {
    const { fake, compose, p } = setup();
    const result = await compose.run(p, 'web', [], { slug: SLUG, detach: true, noDeps: true });
    expect(result.id).toBe(fake.container(NAME)!.id);
    expect(fake.container(NAME)!.status).toBe('running');
    expect(fake.journal(['attachContainer'])).toEqual([]);
  });

  it('a TTY: output raw, resized once attached, signals reach the container', async () => {
    const { fake, compose, p } = setup();
    fake.behave('web', { output: 'tty-out' });
    const kills: string[] = [];
    const running = compose.run(p, 'web', ['sh'], {
      slug: SLUG,
      noDeps: true,
      tty: true,
      stdin: Readable.from([]),
      onTty: (resize) => void resize({ height: 24, width: 80 }),
      onAttached: (c) => {
        kills.push(c.name);
        void c.kill('SIGTERM');
      },
    });
    const result = await running;
    expect(result.stdout).toBe('tty-out');
    expect(result.exitCode).toBe(128 + 15);
    expect(kills).toEqual([NAME]);
    expect(fake.journal(['resizeContainer'])).toEqual([`resizeContainer ${result.id}`]);
  });
});

describe('Compose.attach', () => {
  it("attaches to the service's first container and returns its exit status", async () => {
    const { fake, compose } = setup();
    const p = project('att', { web: { scale: 2 } });
    await compose.up(p, { detach: true });
    const attached = compose.attach(p, 'web', { index: 2, noStdin: true, onAttached: () => {
      fake.write('att-web-2', 'line\n');
      fake.exit('att-web-2', 4);
    } });
    expect(await attached).toMatchObject({ container: 'att-web-2', exitCode: 4, stdout: 'line\n', detached: false });
    expect(fake.journal(['attachContainer'])).toEqual([`attachContainer ${fake.container('att-web-2')!.id}`]);
  });

  it("compose's errors: unknown service, not running", async () => {
    const { compose } = setup();
    const p = project('att', { web: {} });
    await expect(compose.attach(p, 'x')).rejects.toMatchObject({ message: 'no such service: x' });
    await expect(compose.attach(p, 'web')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'service "web" is not running' });
    await compose.up(p, { detach: true });
    await expect(compose.attach(p, 'web', { index: 3 })).rejects.toMatchObject({ message: 'service "web" is not running container #3' });
  });
});

describe('detach keys', () => {
  it("docker's syntax: characters and ctrl- keys; anything else refused", () => {
    expect([...detachKeyBytes('ctrl-p,ctrl-q')]).toEqual([16, 17]);
    expect([...detachKeyBytes('a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-z')]).toEqual([97, 0, 27, 28, 29, 30, 31, 26]);
    for (const bad of ['ctrl-P', 'ctrl-1', 'ctrl-', 'ab', '', 'a,,b']) {
      expect(() => detachKeyBytes(bad)).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringContaining(`invalid detach keys "${bad}"`) }));
    }
  });

  /** What `escapeProxy` passes on for `chunks`, and whether it detached. */
  async function proxied(chunks: string[], keys = 'ctrl-p,ctrl-q'): Promise<{ out: string; detached: boolean }> {
    const input = new PassThrough();
    let detached = false;
    const proxy = escapeProxy(input, detachKeyBytes(keys), () => (detached = true));
    const out: Buffer[] = [];
    proxy.on('data', (d: Buffer) => out.push(d));
    for (const c of chunks) {
      input.write(c);
      await new Promise((r) => setImmediate(r));
    }
    input.end();
    await new Promise((r) => setImmediate(r));
    return { out: Buffer.concat(out).toString('latin1'), detached };
  }

  it('escapeProxy: the sequence is kept back and detaches, also split across reads; a broken one passes on', async () => {
    expect(await proxied(['ab\x10\x11cd'])).toEqual({ out: 'ab', detached: true });
    expect(await proxied(['ab\x10', '\x11', 'cd'])).toEqual({ out: 'ab', detached: true });
    expect(await proxied(['\x10x\x10\x10\x11'])).toEqual({ out: '\x10x\x10', detached: true });
    expect(await proxied(['a\x10', 'b\x11'])).toEqual({ out: 'a\x10b\x11', detached: false });
    expect(await proxied(['a\x10'])).toEqual({ out: 'a\x10', detached: false });
    expect(await proxied(['xyz', 'y', 'x'], 'x,y')).toEqual({ out: '', detached: true });
  });
});

describe('detaching and waiting', () => {
  it('run with a TTY: the detach keys on stdin detach at once (exit 0, running), and are not sent', async () => {
    const { fake, compose, p } = setup();
    const stdin = new PassThrough();
    const running = compose.run(p, 'web', ['sh'], { slug: SLUG, noDeps: true, tty: true, stdin, onAttached: () => {
      fake.write(NAME, 'prompt$ ');
      setTimeout(() => stdin.write('ls\r\x10\x11'), 10);
    } });
    const result = await running;
    // what was captured before the detach is kept
    expect(result).toMatchObject({ detached: true, exitCode: 0, stdout: 'prompt$ ' });
    expect(fake.container(NAME)!.status).toBe('running');
    expect(fake.stdinReceived.get(result.id)).toBe('ls\r');
    expect(fake.journal(['attachContainer'])).toHaveLength(1);
  });

  it('--detach-keys: its sequence detaches; without a TTY the keys are just input', async () => {
    const { fake, compose, p } = setup();
    const stdin = new PassThrough();
    const tty = compose.run(p, 'web', ['sh'], { slug: SLUG, noDeps: true, tty: true, stdin, detachKeys: 'ctrl-x,y', onAttached: () => void stdin.write('\x10\x11\x18y') });
    expect(await tty).toMatchObject({ detached: true, exitCode: 0 });
    expect(fake.stdinReceived.get(fake.container(NAME)!.id)).toBe('\x10\x11');
    await expect(compose.run(p, 'web', ['sh'], { slug: SLUG.replace('a', 'b'), noDeps: true, tty: true, detachKeys: 'ctrl-' })).rejects.toMatchObject({ code: 'USAGE' });

    const other = `shop-web-run-${'1'.repeat(12)}`;
    const pipe = new PassThrough();
    const plain = compose.run(p, 'web', ['cat'], {
      slug: '1'.repeat(64),
      noDeps: true,
      stdin: pipe,
      onAttached: () => {
        pipe.end('\x10\x11');
        setTimeout(() => fake.exit(other, 2), 20);
      },
    });
    expect(await plain).toMatchObject({ detached: false, exitCode: 2 });
    expect(fake.stdinReceived.get(fake.container(other)!.id)).toBe('\x10\x11');
  });

  it('a container that closes its output but runs on is waited for, not taken as detached', async () => {
    const { fake, compose } = setup();
    const p = project('att', { web: {} });
    await compose.up(p, { detach: true });
    let ended = false;
    const attached = compose.attach(p, 'web', { noStdin: true, onAttached: () => {
      fake.write('att-web-1', 'bye\n');
      fake.closeOutput('att-web-1');
    } });
    void attached.then(() => (ended = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(ended).toBe(false);
    fake.exit('att-web-1', 6);
    expect(await attached).toMatchObject({ exitCode: 6, stdout: 'bye\n', detached: false });
  });
});
