import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTar, writeTar } from '../../src/compose/archive.js';
import { afterFile, capstan, engine, idle, setup, spawnCapstan } from './helpers.js';

/** `capstan cp`, `stats`, `export`, `commit` against the real engine (issue 10's acceptance lines). */

const file = `
services:
  web:
    image: busybox
    command: ${idle()}
`;

/** Runs the CLI with a binary stdin and a binary stdout. */
function binary(args: string[], options: { cwd: string; input?: Buffer; env?: Record<string, string> }): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCapstan(args, { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(options.input ?? Buffer.alloc(0));
  });
}

/** A scratch directory removed after this file's tests. */
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'capstan-e2e-cp-'));
  afterFile(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('cp, stats, export, commit', () => {
  const { project, dir } = setup('cpstats', { 'compose.yaml': file });
  const cli = (args: string[]) => capstan(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    const up = await cli(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
  });

  it('cp round-trips a file into the container and back out', async () => {
    const d = scratch();
    writeFileSync(join(d, 'note.txt'), 'round trip\n');
    const into = await capstan(['-p', project, '-f', join(dir, 'compose.yaml'), 'cp', 'note.txt', 'web:/tmp/'], { cwd: d });
    expect(into.code, into.stderr).toBe(0);
    const seen = await cli(['exec', '-T', 'web', 'cat', '/tmp/note.txt']);
    expect(seen.stdout).toBe('round trip\n');
    const out = await capstan(['-p', project, '-f', join(dir, 'compose.yaml'), 'cp', 'web:/tmp/note.txt', 'back.txt'], { cwd: d });
    expect(out.code, out.stderr).toBe(0);
    expect(readFileSync(join(d, 'back.txt'), 'utf8')).toBe('round trip\n');
  });

  it('cp round-trips through `-` (a tar on stdin, a tar on stdout)', async () => {
    const t0 = new Date('2024-01-01T00:00:00Z');
    const tar = writeTar([{ path: 'streamed.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: t0, data: Buffer.from('via stdin\n') }]);
    const into = await binary(['-p', project, 'cp', '-', 'web:/tmp'], { cwd: dir, input: tar });
    expect(into.code, into.stderr).toBe(0);
    const out = await binary(['-p', project, 'cp', 'web:/tmp/streamed.txt', '-'], { cwd: dir });
    expect(out.code, out.stderr).toBe(0);
    const entries = await readTar(out.stdout);
    expect(entries.map((e) => [e.path, e.data?.toString()])).toEqual([['streamed.txt', 'via stdin\n']]);
  });

  it('cp refuses a container tree holding a symlink to /etc (or ../..), and writes nothing outside DEST', async () => {
    const made = await cli(['exec', '-T', 'web', 'sh', '-c', 'mkdir -p /x/sub && echo ok > /x/ok && ln -s /etc /x/evil && mkdir -p /y/sub && ln -s ../../etc /y/sub/up']);
    expect(made.code, made.stderr).toBe(0);
    const base = scratch();
    const dest = join(base, 'dest');
    mkdirSync(dest);
    const abs = await cli(['cp', 'web:/x', dest]);
    expect(abs.code).toBe(1);
    expect(abs.stderr).toMatch(/refusing to extract archive entry "x\/evil".*"\/etc"/);
    const rel = await cli(['cp', 'web:/y', dest]);
    expect(rel.code).toBe(1);
    expect(rel.stderr).toMatch(/refusing to extract archive entry "y\/sub\/up".*"\.\.\/\.\.\/etc"/);
    expect(readdirSync(dest)).toEqual([]);
    expect(readdirSync(base)).toEqual(['dest']);
  });

  it('cp of a single symlink copies the link itself (relative); an absolute one is refused, naming the entry and suggesting -L', async () => {
    const made = await cli(['exec', '-T', 'web', 'sh', '-c', 'echo lib > /tmp/libz.so.1 && ln -sf libz.so.1 /tmp/libz.so && ln -sf /tmp/libz.so.1 /tmp/abs']);
    expect(made.code, made.stderr).toBe(0);
    const base = scratch();
    const rel = await cli(['cp', 'web:/tmp/libz.so', base]);
    expect(rel.code, rel.stderr).toBe(0);
    expect(readlinkSync(join(base, 'libz.so'))).toBe('libz.so.1');
    const abs = await cli(['cp', 'web:/tmp/abs', base]);
    expect(abs.code).toBe(1);
    expect(abs.stderr).toMatch(/refusing to extract archive entry "abs": symbolic link to the absolute path "\/tmp\/libz.so.1"/);
    expect(abs.stderr).toContain('-L');
    const followed = await cli(['cp', '-L', 'web:/tmp/abs', base]);
    expect(followed.code, followed.stderr).toBe(0);
    expect(readFileSync(join(base, 'abs'), 'utf8')).toBe('lib\n');
  });

  it('cp refuses a container archive holding ../escape (served by an engine proxy), and writes nothing outside DEST', async () => {
    // dockerd never names an entry ../x itself: a proxy in front of it answers the archive request
    const hostile = writeTar([
      { path: 'x/', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date() },
      { path: 'x/ok', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date(), data: Buffer.from('fine') },
      { path: 'x/../../escape', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date(), data: Buffer.from('evil') },
    ]);
    const socket = join(scratch(), 'proxy.sock');
    const proxy = http.createServer((req, res) => {
      if (req.method === 'GET' && /\/containers\/[^/]+\/archive/.test(req.url ?? '')) {
        const stat = Buffer.from(JSON.stringify({ name: 'x', size: 0, mode: 2 ** 31 + 0o755, mtime: new Date().toISOString(), linkTarget: '' })).toString('base64');
        res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': stat });
        res.end(hostile);
        return;
      }
      const upstream = http.request({ socketPath: '/var/run/docker.sock', path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 500, r.headers);
        r.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(socket, resolve));
    try {
      const base = scratch();
      const dest = join(base, 'deep', 'dest');
      mkdirSync(dest, { recursive: true });
      const r = await binary(['-p', project, 'cp', 'web:/x', dest], { cwd: dir, env: { DOCKER_HOST: `unix://${socket}` } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('refusing to extract archive entry "x/../../escape"');
      expect(readdirSync(dest)).toEqual([]);
      expect(existsSync(join(base, 'escape'))).toBe(false);
      expect(existsSync(join(base, 'deep', 'escape'))).toBe(false);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('stats --no-stream --format json has docker\'s fields', async () => {
    const r = await cli(['stats', '--no-stream', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Record<string, string>;
    expect(Object.keys(row).sort()).toEqual(['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
    expect(row.Name).toBe(`${project}-web-1`);
    expect(row.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(row.CPUPerc).toMatch(/^\d+\.\d\d%$/);
    expect(row.MemUsage).toMatch(/^[\d.]+[KMG]?i?B \/ [\d.]+[KMGT]?i?B$/);
    expect(Number(row.PIDs)).toBeGreaterThan(0);
  });

  it('export -o writes a tar of the filesystem containing /etc/hostname', async () => {
    const out = join(scratch(), 'fs.tar');
    const r = await cli(['export', 'web', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const entries = await readTar(readFileSync(out));
    const hostname = entries.find((e) => e.path === 'etc/hostname');
    expect(hostname?.type).toBe('file');
  });

  it('commit creates an image from the container', async () => {
    const ref = `${project}-committed:v1`;
    afterFile(() => engine.removeImage?.(ref, { force: true }).catch(() => undefined));
    const r = await cli(['commit', '-m', 'snapshot', '-a', 'capstan e2e', '-c', 'ENV COMMITTED=1', 'web', ref]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Committed as sha256:[0-9a-f]{64}/);
    const image = await engine.inspectImage(ref);
    expect(image?.Comment).toBe('snapshot');
    expect(image?.Author).toBe('capstan e2e');
    expect(image?.Config?.Env).toContain('COMMITTED=1');
  });
});
