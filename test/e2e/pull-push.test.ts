import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, idle, setup } from './helpers.js';

/**
 * Pull and push against the real registries of scripts/registry.sh (issue 11's acceptance):
 * 127.0.0.1:5000 (plain) and 127.0.0.1:5443 (TLS + htpasswd, user capstan / capstan-pass).
 * Every image pulled or tagged here is removed from the local engine afterwards; what was pushed
 * stays in the registries (unique names).
 */
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
/** Remove every local reference to `repo` (tags and `repo@digest` references) — never by image ID (busybox shares it). */
function removeRepo(repo: string): void {
  const rmi = (ref: string): void => {
    try {
      execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
    } catch {
      // already gone with an earlier reference
    }
  };
  const refs = docker('images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}', repo).split('\n').filter(Boolean);
  for (const line of refs) {
    const [name, tag, digest] = line.split(' ');
    if (tag && tag !== '<none>') rmi(`${name}:${tag}`);
    if (digest && digest !== '<none>') rmi(`${name}@${digest}`);
  }
}
const imageId = async (ref: string): Promise<string | undefined> => (await engine.inspectImage(ref))?.Id;

/** A temporary DOCKER_CONFIG with `password` for 127.0.0.1:5443; removed after the file's tests. */
function dockerConfig(password: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-e2e-dockercfg-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5443': { auth: Buffer.from(`capstan:${password}`).toString('base64') } } }));
  afterFile(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('pull from the plain registry', () => {
  const repo = `127.0.0.1:5000/capstan-e2e-${process.pid}-${Date.now().toString(36)}`;
  const ref = `${repo}:1`;
  const { project, dir } = setup('pull', {
    'compose.yaml': `services:\n  app:\n    image: ${ref}\n    command: ${idle()}\n`,
  });
  const run = (...args: string[]): ReturnType<typeof capstan> => capstan(['-p', project, ...args], { cwd: dir });
  afterFile(() => removeRepo(repo));
  // seed: busybox as <repo>:1, then forget it locally
  docker('tag', 'busybox:latest', ref);
  docker('push', '-q', ref);
  docker('rmi', ref);

  it('up -d pulls an image that is absent locally, then starts it', async () => {
    expect(await imageId(ref)).toBeUndefined();
    const r = await run('up', '-d');
    expect(r.stderr).toMatch(/Pulling|Pulled/);
    expect(r.code, r.stderr).toBe(0);
    const id = await imageId(ref);
    expect(id).toMatch(/^sha256:/);
    const c = await engine.inspectContainer(`${project}-app-1`);
    expect(c.State?.Running).toBe(true);
    expect(c.Image).toBe(id);
    expect(c.Config?.Labels?.['com.docker.compose.image']).toBe(id);
  });

  it('pull --policy missing makes no request when the image is present', async () => {
    const before = await engine.inspectImage(ref);
    const plan = await run('--dry-run', 'pull', '--policy', 'missing');
    expect(plan.stdout).toMatch(new RegExp(`image\\s+${ref.replace(/[.]/g, '\\.')}\\s+up to date\\s+image already present locally`));
    const r = await run('pull', '--policy', 'missing');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Pulling|Pulled/);
    const after = await engine.inspectImage(ref);
    expect(after?.Id).toBe(before?.Id);
    // a pull re-tags the image (Metadata.LastTagTime): unchanged means no pull happened
    expect((after as { Metadata?: unknown }).Metadata).toEqual((before as { Metadata?: unknown }).Metadata);
  });

  it('up --pull always recreates the container after a new image was pushed under the same tag', async () => {
    const old = await imageId(ref);
    // a new image under the same tag: busybox plus one file
    const maker = `${project}-maker`;
    docker('run', '--name', maker, 'busybox:latest', 'touch', '/v2');
    docker('commit', maker, ref);
    docker('rm', maker);
    docker('push', '-q', ref);
    docker('tag', old!, ref); // the local tag goes back to the old image: only a pull brings the new one
    expect(await imageId(ref)).toBe(old);

    const plan = await run('up', '--pull', 'always', '-d', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/image\s+\S+:1\s+pull\s+--pull always/);
    expect(plan.stdout).toMatch(new RegExp(`container\\s+${project}-app-1\\s+recreate\\s+image is pulled first`));

    const r = await run('up', '--pull', 'always', '-d');
    expect(r.code, r.stderr).toBe(0);
    const fresh = await imageId(ref);
    expect(fresh).not.toBe(old);
    const c = await engine.inspectContainer(`${project}-app-1`);
    expect(c.Image).toBe(fresh);
    expect(c.Config?.Labels?.['com.docker.compose.image']).toBe(fresh);
  });
});

describe('the authenticated registry', () => {
  const repo = `127.0.0.1:5443/capstan-e2e-${process.pid}-${Date.now().toString(36)}`;
  const ref = `${repo}:1`;
  const { project, dir } = setup('push', {
    'compose.yaml': `services:\n  app:\n    image: ${ref}\n    build: .\n    command: ${idle()}\n`,
    Dockerfile: 'FROM busybox\nRUN echo pushed > /pushed\n',
  });
  const run = (env: Record<string, string>, ...args: string[]): ReturnType<typeof capstan> => capstan(['-p', project, ...args], { cwd: dir, env });
  afterFile(() => removeRepo(repo));

  it('push then pull succeed with the credentials of a temporary DOCKER_CONFIG', async () => {
    const env = { DOCKER_CONFIG: dockerConfig('capstan-pass') };
    expect((await run(env, 'build')).code).toBe(0);
    const built = await imageId(ref);
    const push = await run(env, 'push');
    expect(push.code, push.stderr).toBe(0);
    await engine.removeImage?.(ref, { force: true });
    expect(await imageId(ref)).toBeUndefined();
    const pull = await run(env, 'pull');
    expect(pull.code, pull.stderr).toBe(0);
    expect(await imageId(ref)).toBe(built);
  });

  it('a wrong password: one line naming the registry and "unauthorized", non-zero exit', async () => {
    const env = { DOCKER_CONFIG: dockerConfig('wrong-password') };
    await engine.removeImage?.(ref, { force: true });
    const r = await run(env, 'up', '-d', '--no-build');
    expect(r.code).not.toBe(0);
    const line = r.stderr.split('\n').find((l) => /unauthorized/.test(l));
    expect(line).toMatch(/registry 127\.0\.0\.1:5443: unauthorized/);
  });
});

describe('a failed pull of a buildable service', () => {
  const repo = `127.0.0.1:5000/capstan-e2e-never-pushed-${process.pid}-${Date.now().toString(36)}`;
  const { project, dir } = setup('pullbuild', {
    'compose.yaml': `services:\n  app:\n    image: ${repo}:1\n    build: .\n    command: ${idle()}\n`,
    Dockerfile: 'FROM busybox\nRUN echo built > /built\n',
  });
  afterFile(() => removeRepo(repo));

  it('builds instead, with a warning', async () => {
    const r = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/failed, building it instead/);
    const c = await engine.inspectContainer(`${project}-app-1`);
    expect(c.State?.Running).toBe(true);
    expect(c.Image).toBe(await imageId(`${repo}:1`));
  });
});

describe('build --push', () => {
  const repo = `127.0.0.1:5000/capstan-e2e-buildpush-${process.pid}-${Date.now().toString(36)}`;
  const ref = `${repo}:1`;
  const { project, dir } = setup('buildpush', {
    'compose.yaml': `services:\n  app:\n    image: ${ref}\n    build: .\n    command: ${idle()}\n  local:\n    build: .\n    command: ${idle()}\n`,
    Dockerfile: 'FROM busybox\nRUN echo built > /built\n',
  });
  afterFile(async () => {
    removeRepo(repo);
    await engine.removeImage?.(`${project}-local`, { force: true }).catch(() => undefined);
  });

  it('pushes each built image that has a name, after its build', async () => {
    const r = await capstan(['-p', project, 'build', '--push'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${ref.replace(/[.]/g, '\\.')}\\s+Pushed`));
    const built = await imageId(ref);
    await engine.removeImage?.(ref, { force: true });
    const pull = await capstan(['-p', project, 'pull', 'app'], { cwd: dir });
    expect(pull.code, pull.stderr).toBe(0);
    expect(await imageId(ref)).toBe(built);
  });
});
