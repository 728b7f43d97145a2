/**
 * Safety (issue 13): a secret's content reaches the container's file and nowhere else — not the
 * container's `Config.Env` or labels (the config-hash and digest labels included), not
 * `ps --format json`, not `logs`, not `config` output (which may name the secret file's path),
 * not `up`'s own output.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { capstan, engine, idle, setup } from './helpers.js';

const FILE_SECRET = `file-secret-${randomBytes(6).toString('hex')}`;
const ENV_SECRET = `env-secret-${randomBytes(6).toString('hex')}`;

describe('secret content never leaks', () => {
  const { project, dir } = setup('secret-leaks', {
    'compose.yaml': `
services:
  app:
    image: busybox
    command: ${idle('echo app is up; ls /run/secrets')}
    secrets: [db_password, api_token]
secrets:
  db_password:
    file: ./db_password.txt
  api_token:
    environment: CAPSTAN_E2E_API_TOKEN
`,
    'db_password.txt': `${FILE_SECRET}\n`,
  });
  const env = { CAPSTAN_E2E_API_TOKEN: ENV_SECRET };
  const noSecret = (where: string, text: string): void => {
    expect(text, `${where} shows the file secret`).not.toContain(FILE_SECRET);
    expect(text, `${where} shows the environment secret`).not.toContain(ENV_SECRET);
  };

  it('is not in inspect, ps --format json, labels, logs, config output or a dry-run plan', async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
    noSecret('up', up.stdout + up.stderr);

    // the container does get both
    const name = `${project}-app-1`;
    const exec = await engine.createExec(name, { cmd: ['cat', '/run/secrets/db_password', '/run/secrets/api_token'] });
    let out = '';
    for await (const chunk of engine.startExec(exec, { tty: false })) out += chunk.data.toString();
    expect(out).toContain(FILE_SECRET);
    expect(out).toContain(ENV_SECRET);

    const info = await engine.inspectContainer(name);
    noSecret('Config.Env', JSON.stringify(info.Config?.Env ?? []));
    noSecret('Config.Labels', JSON.stringify(info.Config?.Labels ?? {}));
    expect(info.Config?.Labels?.['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    noSecret('inspect', JSON.stringify(info));

    const ps = await capstan(['-p', project, 'ps', '--format', 'json'], { cwd: dir, env });
    expect(ps.code).toBe(0);
    expect(ps.stdout).toContain(name);
    noSecret('ps --format json', ps.stdout);

    const logs = await capstan(['-p', project, 'logs'], { cwd: dir, env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('app is up');
    noSecret('logs', logs.stdout + logs.stderr);

    const plan = await capstan(['-p', project, 'up', '--dry-run', '--force-recreate'], { cwd: dir, env });
    expect(plan.code).toBe(0);
    noSecret('up --dry-run', plan.stdout + plan.stderr);

    for (const format of ['yaml', 'json']) {
      const config = await capstan(['-p', project, 'config', '--format', format], { cwd: dir, env });
      expect(config.code).toBe(0);
      expect(config.stdout).toContain('db_password.txt'); // the path, yes
      expect(config.stdout).toContain('CAPSTAN_E2E_API_TOKEN'); // the variable's name, yes
      noSecret(`config --format ${format}`, config.stdout + config.stderr);
    }
  });
});
