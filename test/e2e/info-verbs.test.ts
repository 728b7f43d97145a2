import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { realpathSync, rmSync } from 'node:fs';
import { afterFile, capstan, idle, projectDir, setup, freePort } from './helpers.js';

/** The read-only verbs against the real engine: `ls`, `port`, `top`, `images`, `volumes` (issue 10's acceptance lines). */

const compose = (port: number): string => `
services:
  web:
    image: busybox
    command: ${idle()}
    ports:
      - "${port}:80"
  worker:
    image: busybox
    command: ${idle()}
    volumes:
      - data:/data
volumes:
  data: {}
`;

describe('read-only verbs', () => {
  let port = 0;
  let ctx: { project: string; dir: string };

  beforeAll(async () => {
    port = await freePort();
    ctx = setup('info', { 'compose.yaml': compose(port) });
    const up = await capstan(['-p', ctx.project, 'up', '-d'], { cwd: ctx.dir });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
  }, 120_000);

  it('ls --format json lists the project with status running(2) and its config files', async () => {
    const ls = await capstan(['ls', '--format', 'json', '--filter', `name=^${ctx.project}$`]);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([{ Name: ctx.project, Status: 'running(2)', ConfigFiles: join(realpathSync(ctx.dir), 'compose.yaml') }]);
  });

  it('ls prints compose\'s table and -q the names', async () => {
    const table = await capstan(['ls', '--filter', `name=^${ctx.project}$`]);
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(/^NAME +STATUS {14}CONFIG FILES$/);
    expect(row).toMatch(new RegExp(`^${ctx.project} {3}running\\(2\\) {10}/`));
    expect(header!.indexOf('STATUS')).toBe(ctx.project.length + 3);
    const quiet = await capstan(['ls', '-q', '--filter', `name=^${ctx.project}$`]);
    expect(quiet.stdout).toBe(`${ctx.project}\n`);
  });

  it('port web 80 prints the published address, from an empty directory with -p', async () => {
    const empty = projectDir({});
    afterFile(() => rmSync(empty, { recursive: true, force: true }));
    const res = await capstan(['-p', ctx.project, 'port', 'web', '80'], { cwd: empty });
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(`0.0.0.0:${port}\n`);
  });

  it('port of an unknown service says no such service and exits 1', async () => {
    const res = await capstan(['-p', ctx.project, 'port', 'nope', '80'], { cwd: ctx.dir });
    expect(res.stderr).toMatch(/no such service: nope/);
    expect(res.code).toBe(1);
  });

  it('top lists the processes of each container', async () => {
    const res = await capstan(['-p', ctx.project, 'top'], { cwd: ctx.dir });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SERVICE +# +UID +PID +PPID +C +STIME +TTY +TIME +CMD$/);
    expect(lines.some((l) => /^web +1 +.*sh -c/.test(l))).toBe(true);
    expect(lines.some((l) => /^worker +1 +.*sh -c/.test(l))).toBe(true);
  });

  it('images shows the image of each container, with compose\'s headers', async () => {
    const res = await capstan(['-p', ctx.project, 'images'], { cwd: ctx.dir });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER +REPOSITORY +TAG +PLATFORM +IMAGE ID +SIZE +CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/ {3,}/).slice(0, 3))).toEqual([
      [`${ctx.project}-web-1`, 'busybox', 'latest'],
      [`${ctx.project}-worker-1`, 'busybox', 'latest'],
    ]);
    const json = await capstan(['-p', ctx.project, 'images', '--format', 'json', 'web'], { cwd: ctx.dir });
    expect(JSON.parse(json.stdout)).toMatchObject([{ ContainerName: `${ctx.project}-web-1`, Repository: 'busybox', Tag: 'latest' }]);
  });

  it('volumes lists the project\'s volumes as the docker CLI does; a service filters them', async () => {
    const res = await capstan(['-p', ctx.project, 'volumes'], { cwd: ctx.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`DRIVER    VOLUME NAME\nlocal     ${ctx.project}_data\n`);
    const web = await capstan(['-p', ctx.project, 'volumes', '-q', 'web'], { cwd: ctx.dir });
    expect(web.stdout).toBe('');
    const json = await capstan(['-p', ctx.project, 'volumes', '--format', 'json', 'worker'], { cwd: ctx.dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ Name: `${ctx.project}_data`, Driver: 'local', Scope: 'local' });
    const unknown = await capstan(['-p', ctx.project, 'volumes', 'nope'], { cwd: ctx.dir });
    expect(unknown.stderr).toMatch(/no such service: nope/);
    expect(unknown.code).toBe(1);
  });
});
