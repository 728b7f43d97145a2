import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, capstan, cleanup, engine, httpGet, leftovers, uniqueProject, freePort } from '../helpers.js';

interface Service {
  environment?: Record<string, string>;
  labels?: Record<string, string>;
  ports?: { published?: string; target?: number }[];
  profiles?: string[];
  depends_on?: Record<string, { condition?: string }>;
  read_only?: boolean;
  restart?: string;
  tmpfs?: string[];
}

/**
 * Issue 12, example 5: examples/profiles-and-overrides. The three invocations its README
 * documents give exactly the documented models (`config --format json`), and each of them runs
 * with `up -d --wait` under its own project name and host ports.
 */
const project = uniqueProject('po');
const cwd = join(ROOT, 'examples', 'profiles-and-overrides');
const PROD = ['-f', 'compose.yaml', '-f', 'compose.prod.yaml'];
const DEBUG = ['--profile', 'debug'];

describe('examples/profiles-and-overrides', () => {
  afterAll(() => cleanup(project));

  let env: Record<string, string>;
  const config = async (flags: string[]): Promise<Record<string, Service>> => {
    const res = await capstan(['-p', project, ...flags, 'config', '--format', 'json'], { cwd, env });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    return (JSON.parse(res.stdout) as { services: Record<string, Service> }).services;
  };

  it('the three invocations give the documented models', async () => {
    env = { PROFILES_DEV_PORT: String(await freePort()), PROFILES_PROD_PORT: String(await freePort()) };

    // `capstan config`: the base plus compose.override.yaml (development).
    const dev = await config([]);
    expect(Object.keys(dev)).toEqual(['app']);
    expect(dev.app!.environment).toEqual({
      APP_ENV: 'development',
      LOG_LEVEL: 'debug',
      GREETING: 'Hello from profiles-and-overrides',
    });
    expect(dev.app!.labels).toEqual({ 'example.stage': 'development' });
    expect(dev.app!.ports).toEqual([expect.objectContaining({ published: env.PROFILES_DEV_PORT, target: 8080 })]);
    expect(dev.app!.read_only).toBeUndefined();
    expect(dev.app!.restart).toBeUndefined();

    // `-f compose.yaml -f compose.prod.yaml`: production, the override file not read.
    const prod = await config(PROD);
    expect(Object.keys(prod)).toEqual(['app']);
    expect(prod.app!.environment).toEqual({
      APP_ENV: 'production',
      LOG_LEVEL: 'warn',
      GREETING: 'Hello from profiles-and-overrides',
    });
    expect(prod.app!.labels).toEqual({ 'example.stage': 'production' });
    expect(prod.app!.ports).toEqual([expect.objectContaining({ published: env.PROFILES_PROD_PORT, target: 8080 })]);
    expect(prod.app!.read_only).toBe(true);
    expect(prod.app!.restart).toBe('unless-stopped');
    expect(prod.app!.tmpfs).toEqual(['/tmp']);

    // `--profile debug`: development plus the profiled toolbox.
    const debug = await config(DEBUG);
    expect(Object.keys(debug).sort()).toEqual(['app', 'debug-shell']);
    expect(debug.app).toEqual(dev.app);
    expect(debug['debug-shell']!.profiles).toEqual(['debug']);
    expect(debug['debug-shell']!.depends_on?.app?.condition).toBe('service_healthy');

    const profiles = await capstan(['-p', project, 'config', '--profiles'], { cwd, env });
    expect(profiles.stdout).toBe('debug\n');
  });

  it('each invocation runs with up -d --wait and serves its own environment', async () => {
    const app = `${project}-app-1`;
    const up = await capstan(['-p', project, 'up', '-d', '--wait'], { cwd, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
    expect(await httpGet(`http://127.0.0.1:${env.PROFILES_DEV_PORT}/`)).toBe(
      'Hello from profiles-and-overrides: APP_ENV=development LOG_LEVEL=debug\n',
    );
    const ps = await capstan(['-p', project, 'ps', '--services'], { cwd, env });
    expect(ps.stdout).toBe('app\n');
    const devId = (await engine.inspectContainer(app)).Id;

    // The debug profile adds debug-shell beside the unchanged app, and it reaches app by name.
    const debugUp = await capstan(['-p', project, ...DEBUG, 'up', '-d', '--wait'], { cwd, env });
    expect(debugUp.code).toBe(0);
    expect((await engine.inspectContainer(app)).Id).toBe(devId);
    // exec needs no --profile: it looks for the running container, as compose's does.
    const wget = await capstan(['-p', project, 'exec', '-T', 'debug-shell', 'wget', '-qO-', 'http://app:8080/'], { cwd, env });
    expect(wget.code).toBe(0);
    expect(wget.stdout).toBe('Hello from profiles-and-overrides: APP_ENV=development LOG_LEVEL=debug\n');
    const debugDown = await capstan(['-p', project, ...DEBUG, 'down'], { cwd, env });
    expect(debugDown.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });

    // Production: read-only root with a tmpfs, restart policy, its own port.
    const prodUp = await capstan(['-p', project, ...PROD, 'up', '-d', '--wait'], { cwd, env });
    expect(prodUp.stderr).not.toMatch(/^error/m);
    expect(prodUp.code).toBe(0);
    expect(await httpGet(`http://127.0.0.1:${env.PROFILES_PROD_PORT}/`)).toBe(
      'Hello from profiles-and-overrides: APP_ENV=production LOG_LEVEL=warn\n',
    );
    const inspect = await engine.inspectContainer(app);
    expect(inspect.HostConfig?.ReadonlyRootfs).toBe(true);
    expect(inspect.HostConfig?.RestartPolicy?.Name).toBe('unless-stopped');
    expect(Object.keys(inspect.HostConfig?.Tmpfs ?? {})).toEqual(['/tmp']);
    expect(inspect.Config?.Labels?.['example.stage']).toBe('production');

    const down = await capstan(['-p', project, ...PROD, 'down'], { cwd, env });
    expect(down.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
