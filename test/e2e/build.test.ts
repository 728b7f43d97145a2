/**
 * Builds (issue 11): .dockerignore semantics in the sent context, args/target, and stale builds —
 * plain `up -d` rebuilds a service whose build inputs changed and says why in the plan.
 * Dockerfiles are `FROM busybox` (no network); built images are removed after the file.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterFile, capstan, engine, setup } from './helpers.js';

const env = (dir: string) => ({ CAPSTAN_CACHE_DIR: join(dir, '.cache-capstan') });

describe('builds', () => {
  const { project, dir } = setup('build', {
    'compose.yaml': [
      'services:',
      '  web:',
      '    build: {context: ./web, args: {GREETING: hello}, target: final}',
      '    command: ["sleep", "300"]',
      '  app:',
      '    build: ./app',
      '    command: ["sleep", "300"]',
      '',
    ].join('\n'),
    'web/Dockerfile': [
      'FROM busybox AS base',
      'ARG GREETING=none',
      'RUN echo "$GREETING from base" > /greeting',
      'FROM base AS final',
      'RUN echo "final" >> /greeting',
      'FROM base AS other',
      'RUN echo "other" >> /greeting',
      '',
    ].join('\n'),
    'web/.dockerignore': '.cache-capstan\nsecret.txt\n**/*.log\n!keep.log\nnotes.md\n',
    'web/app.py': 'v1\n',
    'web/secret.txt': 'top secret\n',
    'web/sub/debug.log': 'log\n',
    'web/keep.log': 'kept\n',
    'web/notes.md': 'notes\n',
    'app/Dockerfile': 'FROM busybox\nCOPY . /src\n',
    'app/main.txt': 'a1\n',
  });
  afterFile(async () => {
    for (const s of ['web', 'app']) await engine.removeImage?.(`${project}-${s}`, { force: true }).catch(() => undefined);
  });
  // web's Dockerfile copies nothing: add a COPY so the context lands in the image
  writeFileSync(join(dir, 'web/Dockerfile'), `${[
    'FROM busybox AS base',
    'ARG GREETING=none',
    'RUN echo "$GREETING from base" > /greeting',
    'FROM base AS final',
    'COPY . /src',
    'RUN echo "final" >> /greeting',
    'FROM base AS other',
    'RUN echo "other" >> /greeting',
  ].join('\n')}\n`);
  const run = (args: string[]) => capstan(['-p', project, ...args], { cwd: dir, env: env(dir) });
  const files = async (service: string, cmd: string) => (await run(['exec', '-T', service, 'sh', '-c', cmd])).stdout;
  const containerId = async (service: string) => (await run(['ps', '-q', service])).stdout.trim();

  it('sends the context minus .dockerignore (! and ** patterns), args and target select the stage', async () => {
    const up = await run(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const listing = (await files('web', 'cd /src && find . -type f | sort')).split('\n').filter(Boolean);
    expect(listing).toEqual(['./.dockerignore', './Dockerfile', './app.py', './keep.log']);
    expect(await files('web', 'cat /greeting')).toBe('hello from base\nfinal\n');
    const labels = (await engine.inspectImage(`${project}-web`))?.Config?.Labels ?? {};
    expect(labels['dev.capstan.build.digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(labels['com.docker.compose.project']).toBe(project);
  });

  it('rebuilds and recreates only the service whose context changed on plain up, with the reason in the plan', async () => {
    const web = await containerId('web');
    const app = await containerId('app');
    writeFileSync(join(dir, 'web/app.py'), 'v2\n');
    const plan = await run(['up', '-d', '--dry-run']);
    expect(plan.stdout).toMatch(new RegExp(`image\\s+${project}-web\\s+build\\s+build context changed: app\\.py`));
    expect(plan.stdout).not.toMatch(new RegExp(`image\\s+${project}-app`));
    const up = await run(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect(await containerId('web')).not.toBe(web);
    expect(await containerId('app')).toBe(app);
    expect(await files('web', 'cat /src/app.py')).toBe('v2\n');
  });

  it('does not rebuild for an edit to a .dockerignored file', async () => {
    const web = await containerId('web');
    writeFileSync(join(dir, 'web/notes.md'), 'edited\n');
    writeFileSync(join(dir, 'web/secret.txt'), 'edited\n');
    const plan = await run(['up', '-d', '--dry-run']);
    expect(plan.stdout).not.toMatch(/build context changed/);
    expect((await run(['up', '-d'])).code).toBe(0);
    expect(await containerId('web')).toBe(web);
  });

  it('up -d --build recreates only the service whose source changed; --no-cache gives a new image ID', async () => {
    const web = await containerId('web');
    const app = await containerId('app');
    writeFileSync(join(dir, 'app/main.txt'), 'a2\n');
    const up = await run(['up', '-d', '--build']);
    expect(up.code, up.stderr).toBe(0);
    expect(await containerId('app')).not.toBe(app);
    expect(await containerId('web')).toBe(web);
    const before = (await engine.inspectImage(`${project}-app`))?.Id;
    const build = await run(['build', '--no-cache', 'app']);
    expect(build.code, build.stderr).toBe(0);
    expect((await engine.inspectImage(`${project}-app`))?.Id).not.toBe(before);
  });

  it('build --print shows the bake file; a BuildKit-only attribute without buildx is one clear error', async () => {
    const print = await run(['build', '--print', 'web']);
    expect(print.code, print.stderr).toBe(0);
    const bake = JSON.parse(print.stdout) as { group: { default: { targets: string[] } }; target: Record<string, { args: Record<string, string>; target: string; tags: string[] }> };
    expect(bake.group.default.targets).toEqual(['web']);
    expect(bake.target.web).toMatchObject({ args: { GREETING: 'hello' }, target: 'final', tags: [`${project}-web`] });
    writeFileSync(join(dir, 'buildkit.yaml'), 'services:\n  app:\n    build: {context: ./app, ssh: [default]}\n');
    const res = await capstan(['-p', project, '-f', 'buildkit.yaml', 'build'], { cwd: dir, env: { ...env(dir), DOCKER_CONFIG: join(dir, 'no-docker-config') } });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/service "app" failed to build: build\.ssh needs BuildKit/);
    expect(res.stderr.match(/needs BuildKit/g)).toHaveLength(1); // printed once, not in the progress and again
  });

  it('down --rmi local removes the built images', async () => {
    expect(await engine.inspectImage(`${project}-web`)).toBeDefined();
    const down = await run(['down', '--rmi', 'local']);
    expect(down.code, down.stderr).toBe(0);
    expect(await engine.inspectImage(`${project}-web`)).toBeUndefined();
    expect(await engine.inspectImage(`${project}-app`)).toBeUndefined();
    expect((await run(['down', '--rmi', 'some'])).stderr).toMatch(/--rmi: invalid value "some"/);
  });
});
