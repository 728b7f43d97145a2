import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, afterFile, capstan, idle, setup } from './helpers.js';

/**
 * Issue 11 acceptance, the terminal experience: a tty run captured with tmux, `--progress plain`
 * and `json` line by line, shell completion of service names, and `docker compose` through the
 * CLI plugin (in a temporary DOCKER_CONFIG and HOME: the real ~/.docker is never touched).
 */
const BIN = join(ROOT, 'bin');
const PATH = `${BIN}:${process.env.PATH}`;

const twoServices = `services:
  db:
    image: busybox
    command: ${idle('touch /tmp/ok')}
    volumes: [data:/data]
    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ok"], interval: 1s, timeout: 1s, retries: 10}
  web:
    image: busybox
    command: ${idle()}
    depends_on: {db: {condition: service_healthy}}
volumes:
  data:
`;

const oneService = `services:
  app:
    image: busybox
    command: ${idle()}
`;

describe('terminal experience', () => {
  it('--progress tty in tmux: one line per resource ending in Created/Started/Healthy, no stray escape sequences', async () => {
    const { project, dir } = setup('tty', { 'compose.yaml': twoServices });
    const session = `capstan-${project}`;
    const done = join(dir, 'done');
    const command = `env -u NO_COLOR -u COMPOSE_PROGRESS PATH='${PATH}' capstan -p ${project} --progress tty up -d; echo $? > ${done}; sleep 60`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', '-c', dir, command]);
    afterFile(() => {
      try {
        execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    });
    for (let i = 0; i < 120 && !existsSync(done); i++) await new Promise((r) => setTimeout(r, 250));
    expect(readFileSync(done, 'utf8').trim()).toBe('0');
    const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    const lines = screen.split('\n').filter((l) => l.trim());
    expect(lines[0]).toBe('[+] Running 4/4');
    const rows = lines.slice(1);
    expect(rows.map((l) => l.replace(/ +\d+\.\ds$/, '').replace(/ +/g, ' ').trim()).sort()).toEqual(
      [
        `✔ Container ${project}-db-1 Healthy`,
        `✔ Container ${project}-web-1 Started`,
        `✔ Network ${project}_default Created`,
        `✔ Volume ${project}_data Created`,
      ].sort(),
    );
    for (const row of rows) {
      expect(row).toMatch(/ \d+\.\ds$/);
      expect(row.length).toBeLessThanOrEqual(120);
    }
    // escape sequences the terminal did not understand would show as text
    expect(screen).not.toMatch(/\x1b|\[\?25|\[\d+A|\[2K|\[J/);
  });

  it('--progress plain and json, line by line', async () => {
    const { project, dir } = setup('prog', { 'compose.yaml': oneService });
    const plain = await capstan(['-p', project, '--progress', 'plain', 'up', '-d'], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(plain.stderr.replace(/ \d+\.\ds$/gm, ' Ns').split('\n')).toEqual([
      ` Network ${project}_default  Creating`,
      ` Network ${project}_default  Created Ns`,
      ` Container ${project}-app-1  Creating`,
      ` Container ${project}-app-1  Created Ns`,
      ` Container ${project}-app-1  Starting`,
      ` Container ${project}-app-1  Started Ns`,
      '',
    ]);
    const json = await capstan(['-p', project, '--progress', 'json', 'down'], { cwd: dir });
    expect(json.code).toBe(0);
    const records = json.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) if ('elapsed' in r) expect(Math.round((r.elapsed as number) * 1000) / 1000).toBe(r.elapsed);
    expect(records.map(({ elapsed: _e, ...r }) => r)).toEqual([
      { resource: 'container', id: `${project}-app-1`, status: 'Stopping', done: false },
      { resource: 'container', id: `${project}-app-1`, status: 'Stopped', done: true },
      { resource: 'container', id: `${project}-app-1`, status: 'Removing', done: false },
      { resource: 'container', id: `${project}-app-1`, status: 'Removed', done: true },
      { resource: 'network', id: `${project}_default`, status: 'Removing', done: false },
      { resource: 'network', id: `${project}_default`, status: 'Removed', done: true },
    ]);
    // the command's error is one JSON object too
    const bad = await capstan(['-p', project, '--progress', 'json', 'logs', 'nope'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: true, message: 'no such service: nope' });
  });

  it('completion: the bash script registers, and `capstan logs ` offers the example\'s services', () => {
    const cwd = join(ROOT, 'examples', 'getting-started');
    const env = { ...process.env, PATH };
    expect(execFileSync('bash', ['-c', 'source <(capstan completion bash); complete -p capstan'], { cwd, env, encoding: 'utf8' })).toBe('complete -F _capstan capstan\n');
    const reply = execFileSync('bash', ['-c', 'source <(capstan completion bash); COMP_WORDS=(capstan logs ""); COMP_CWORD=2; _capstan; printf "%s\\n" "${COMPREPLY[@]}"'], { cwd, env, encoding: 'utf8' });
    expect(reply.trim().split('\n').sort()).toEqual(['redis', 'web']);
  });

  it('install-plugin: `docker compose version` prints Capstan\'s version and `docker compose -p x ps` works; uninstall-plugin removes it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'capstan-plugin-'));
    afterFile(() => rmSync(home, { recursive: true, force: true }));
    const env = { HOME: home, DOCKER_CONFIG: join(home, '.docker') };
    const install = await capstan(['install-plugin'], { env });
    expect(install.code).toBe(0);
    const plugin = join(home, '.docker', 'cli-plugins', 'docker-compose');
    expect(existsSync(plugin)).toBe(true);
    const version = (await capstan(['version'])).stdout;
    const dockerEnv = { ...process.env, ...env, NO_COLOR: '1', COMPOSE_PROGRESS: 'plain' };
    expect(execFileSync('docker', ['compose', 'version'], { env: dockerEnv, encoding: 'utf8' })).toBe(version);
    const ps = execFileSync('docker', ['compose', '-p', 'capstan-e2e-plugin-none', 'ps'], { env: dockerEnv, encoding: 'utf8' });
    expect(ps).toMatch(/^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS\n$/);
    const uninstall = await capstan(['uninstall-plugin'], { env });
    expect(uninstall.code).toBe(0);
    expect(existsSync(plugin)).toBe(false);
  });
});
