import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, idle, leftovers, projectDir, setup, freePort } from './helpers.js';

/**
 * `ps` and the `--format` of the listing commands against the real engine (issue 10): ps's
 * flags (`--status`, `--filter status=`, `--format json|TEMPLATE|table TEMPLATE`, `--no-trunc`,
 * `--orphans=false`), `ps -p NAME` and `down -p NAME` from an empty directory, compose's table
 * headers and alignment, JSON field names, `-f -`, and the unknown-command message.
 */

/** The project: two idling services, one that exits at once, and `extra`, which the second file drops. */
const composeFile = (port: number, extra: boolean): string => `
services:
  web:
    image: busybox
    command: ${idle()}
    ports:
      - "${port}:80"
  worker:
    image: busybox
    command: ${idle()}
  once:
    image: busybox
    command: ["true"]
${extra ? `  extra:\n    image: busybox\n    command: ${idle()}\n` : ''}`;

/** The start of each header word in a table's first line, and the cells of the other lines at those columns. */
function columns(table: string): { headers: string[]; starts: number[]; lines: string[] } {
  const lines = table.replace(/\n$/, '').split('\n');
  const header = lines[0]!;
  const headers = header.split(/ {2,}/);
  const starts = headers.map((h) => header.indexOf(h));
  return { headers, starts, lines: lines.slice(1) };
}

describe('ps and --format', () => {
  let ctx: { project: string; dir: string };
  let port = 0;
  const inDir = (args: string[], input?: string) => capstan(['-p', ctx.project, ...args], { cwd: ctx.dir, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    port = await freePort();
    ctx = setup('psfmt', { 'compose.yaml': composeFile(port, false), 'with-extra.yaml': composeFile(port, true) });
    const up = await capstan(['-p', ctx.project, '-f', 'with-extra.yaml', 'up', '-d'], { cwd: ctx.dir });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
    // `once` has exited by the time `up -d` returns? wait until it has
    for (let i = 0; i < 50; i++) {
      const c = await engine.listContainers({ all: true, filters: { name: [`${ctx.project}-once-1`] } });
      if (c[0]?.State === 'exited') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  it('ps -p NAME works from an empty directory', async () => {
    const empty = projectDir({});
    afterFile(() => rmSync(empty, { recursive: true, force: true }));
    const res = await capstan(['-p', ctx.project, 'ps', '--format', '{{.Name}}'], { cwd: empty });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${ctx.project}-extra-1\n${ctx.project}-web-1\n${ctx.project}-worker-1\n`);
  });

  it('ps prints compose\'s table: headers, column order and alignment', async () => {
    const res = await inDir(['ps']);
    expect(res.code).toBe(0);
    const { headers, starts, lines } = columns(res.stdout);
    expect(headers).toEqual(['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS']);
    // columns 3 spaces apart at least, at least 10 wide (docker's formatter tabwriter)
    expect(starts.slice(1).map((s, i) => s - starts[i]!).every((w) => w >= 10)).toBe(true);
    expect(starts[1]).toBe(`${ctx.project}-worker-1`.length + 3);
    const web = lines.find((l) => l.startsWith(`${ctx.project}-web-1 `))!;
    expect(web.slice(starts[1]!).startsWith('busybox ')).toBe(true);
    expect(web.slice(starts[2]!, starts[3]).trimEnd()).toMatch(/^"sh -c .{13}…"$/u);
    expect(web.slice(starts[3]!).startsWith('web ')).toBe(true);
    expect(web.slice(starts[5]!)).toMatch(/^Up /);
    expect(web.slice(starts[6]!)).toBe(`0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp`);
    // no `once` (exited) without -a
    expect(lines.some((l) => l.startsWith(`${ctx.project}-once-1`))).toBe(false);
  });

  it('ps --format json prints one object per container with compose\'s field names', async () => {
    const res = await inDir(['ps', '--format', 'json', 'web']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'Command', 'CreatedAt', 'Engine', 'ExitCode', 'Health', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Name', 'Names',
      'Networks', 'Ports', 'Project', 'Publishers', 'RunningFor', 'Service', 'Size', 'State', 'Status',
    ]);
    expect(json).toMatchObject({ Name: `${ctx.project}-web-1`, Service: 'web', Project: ctx.project, State: 'running', Image: 'busybox' });
    expect(json.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(json.Publishers).toContainEqual({ URL: '0.0.0.0', TargetPort: 80, PublishedPort: port, Protocol: 'tcp' });
  });

  it('ps --status and --filter status= pick containers by state, stopped ones included', async () => {
    const exited = await inDir(['ps', '--status', 'exited', '--format', '{{.Service}} {{.State}}']);
    expect(exited.stdout).toBe('once exited\n');
    const both = await inDir(['ps', '--status', 'exited', '--status', 'running', '--format', '{{.Service}}']);
    expect(both.stdout).toBe('extra\nonce\nweb\nworker\n');
    const filtered = await inDir(['ps', '--filter', 'status=running', '-q']);
    expect(filtered.stdout.trimEnd().split('\n')).toHaveLength(3);
    const bad = await inDir(['ps', '--filter', 'name=web']);
    expect(bad.stderr).toMatch(/^error: unknown filter name/);
    expect(bad.code).toBe(1);
  });

  it('ps --format TEMPLATE and table TEMPLATE; an unknown field is refused naming the fields', async () => {
    const tpl = await inDir(['ps', '--format', '{{.Service}}: {{.Ports}}', 'web']);
    expect(tpl.stdout).toBe(`web: 0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp\n`);
    const table = await inDir(['ps', '--format', 'table {{.Service}}\\t{{.State}}', 'web', 'worker']);
    expect(table.stdout).toBe('SERVICE   STATE\nweb       running\nworker    running\n');
    const bad = await inDir(['ps', '--format', '{{.Nmae}}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --format: unknown field "Nmae" in template\n {2}available fields: .*\bName\b/);
  });

  it('ps --no-trunc prints full IDs and commands', async () => {
    const full = await inDir(['ps', '--no-trunc', '--format', '{{.ID}} {{.Command}}', 'web']);
    expect(full.stdout).toMatch(/^[0-9a-f]{64} "sh -c [^…]*while true; do sleep 0\.2; done.*"\n$/u);
  });

  it('ps --orphans=false hides containers of services the compose file does not declare', async () => {
    const all = await inDir(['ps', '--format', '{{.Service}}']);
    expect(all.stdout).toBe('extra\nweb\nworker\n');
    const declared = await inDir(['ps', '--orphans=false', '--format', '{{.Service}}']);
    expect(declared.stdout).toBe('web\nworker\n');
  });

  it('ls, images and volumes take a Go template too', async () => {
    const ls = await capstan(['ls', '-a', '--filter', `name=^${ctx.project}$`, '--format', '{{.Name}} {{.Status}}']);
    expect(ls.stdout).toBe(`${ctx.project} exited(1), running(3)\n`);
    const images = await inDir(['images', '--format', 'table {{.ContainerName}}\\t{{.Repository}}:{{.Tag}}', 'web']);
    // compose's formatter.Print geometry: columns at least 20 wide, 3 apart
    const width = Math.max(20, `${ctx.project}-web-1`.length + 3);
    expect(images.stdout).toBe(`${'CONTAINER'.padEnd(width)}REPOSITORY:TAG\n${`${ctx.project}-web-1`.padEnd(width)}busybox:latest\n`);
    const volumes = await inDir(['volumes', '--format', '{{.Name}}']);
    expect(volumes.stdout).toBe('');
  });

  it('-f - reads the compose file from stdin', async () => {
    const res = await capstan(['-p', ctx.project, '-f', '-', 'ps', '--orphans=false', '--format', '{{.Service}}'], {
      cwd: ctx.dir,
      input: composeFile(port, false),
    });
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('web\nworker\n');
  });

  it('an unknown command says so with the closest command and exits 1', async () => {
    const typo = await capstan(['stpo']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^error: unknown command "stpo"\n {2}hint: did you mean "stop"\?/);
    const far = await capstan(['frobnicate']);
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/^error: unknown command "frobnicate"/);
  });

  it('logs, top, images, pause, unpause, kill and rm work with -p NAME from an empty directory', async () => {
    const empty = projectDir({});
    afterFile(() => rmSync(empty, { recursive: true, force: true }));
    const run = (...args: string[]) => capstan(['-p', ctx.project, ...args], { cwd: empty });
    const state = async (): Promise<string | undefined> =>
      (await engine.listContainers({ all: true, filters: { name: [`${ctx.project}-worker-1`] } }))[0]?.State;
    const logs = await run('logs', '--tail', '1', 'web');
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    const top = await run('top', 'web');
    expect(top.stdout).toMatch(/^SERVICE +# +UID +PID .*CMD\nweb +1 /);
    const images = await run('images', 'web', 'worker');
    expect(images.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ {3,}/)[0])).toEqual([`${ctx.project}-web-1`, `${ctx.project}-worker-1`]);
    expect((await run('pause', 'worker')).code).toBe(0);
    expect(await state()).toBe('paused');
    expect((await run('unpause', 'worker')).code).toBe(0);
    expect(await state()).toBe('running');
    expect((await run('kill', 'worker')).code).toBe(0);
    expect(await state()).toBe('exited');
    const rm = await run('rm', '-f', 'worker');
    expect(rm.code).toBe(0);
    expect(await state()).toBeUndefined();
  });

  it('down -p NAME works from an empty directory', async () => {
    const empty = projectDir({});
    afterFile(() => rmSync(empty, { recursive: true, force: true }));
    writeFileSync(join(empty, '.keep'), '');
    const res = await capstan(['-p', ctx.project, 'down', '--remove-orphans'], { cwd: empty });
    expect(res.stderr).not.toMatch(/^error/m);
    expect(res.code).toBe(0);
    expect(await leftovers(ctx.project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
