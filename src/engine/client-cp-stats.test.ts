/**
 * EngineClient's cp/stats/export/commit endpoints against a fake engine (an `http.Server` on a
 * unix socket): paths, queries, the path-stat header, streamed bodies.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EngineClient } from './client.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let dir: string;
let server: http.Server;
let seen: Seen[] = [];
let handler: (req: Seen, res: http.ServerResponse) => void = () => undefined;
let client: EngineClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-engine-cp-'));
  const socketPath = join(dir, 'docker.sock');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.43' });
        res.end('OK');
        return;
      }
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  client = new EngineClient({ endpoint: { kind: 'unix', socketPath } });
});

afterAll(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

const pathStat = { name: 'hostname', size: 13, mode: 0o644, mtime: '2024-01-01T00:00:00Z', linkTarget: '' };
const header = Buffer.from(JSON.stringify(pathStat)).toString('base64');

async function collect(source: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

describe('EngineClient cp/stats/export/commit', () => {
  it('statContainerPath: HEAD archive, the decoded X-Docker-Container-Path-Stat; undefined for a missing path', async () => {
    handler = (req, res) => {
      if (req.url.includes('/json')) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"Id":"c1"}');
      if (req.url.includes('missing')) return void res.writeHead(404).end();
      res.writeHead(200, { 'X-Docker-Container-Path-Stat': header });
      res.end();
    };
    expect(await client.statContainerPath('c1', '/etc/hostname')).toEqual(pathStat);
    expect(seen[0]).toMatchObject({ method: 'HEAD', url: '/v1.43/containers/c1/archive?path=%2Fetc%2Fhostname' });
    expect(await client.statContainerPath('c1', '/missing')).toBeUndefined();
  });

  it('getArchive: the stat and the tar stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': header });
      res.end('TARBYTES');
    };
    const archive = await client.getArchive('c1', '/etc/hostname');
    expect(archive.stat.name).toBe('hostname');
    expect(await collect(archive.content)).toBe('TARBYTES');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1.43/containers/c1/archive?path=%2Fetc%2Fhostname' });
  });

  it('copyToContainer: PUT archive with noOverwriteDirNonDir, copyUIDGID with -a, a buffer or a stream body', async () => {
    handler = (_req, res) => void res.writeHead(200).end();
    await client.copyToContainer('c1', '/tmp', Buffer.from('tar1'), { copyUIDGID: true });
    await client.copyToContainer('c1', '/tmp', Readable.from([Buffer.from('tar'), Buffer.from('2')]));
    expect(seen.map((s) => [s.method, s.url, s.headers['content-type'], s.body.toString()])).toEqual([
      ['PUT', '/v1.43/containers/c1/archive?path=%2Ftmp&noOverwriteDirNonDir=1&copyUIDGID=1', 'application/x-tar', 'tar1'],
      ['PUT', '/v1.43/containers/c1/archive?path=%2Ftmp&noOverwriteDirNonDir=1', 'application/x-tar', 'tar2'],
    ]);
  });

  it('containerStats: stream=0 gives one sample; streamed samples end quietly on abort', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url.includes('stream=0')) return void res.end(JSON.stringify({ pids_stats: { current: 1 } }));
      res.write(`${JSON.stringify({ pids_stats: { current: 2 } })}\n`);
      res.write(`${JSON.stringify({ pids_stats: { current: 3 } })}\n`);
    };
    const one = [];
    for await (const s of client.containerStats('c1', { stream: false })) one.push(s.pids_stats?.current);
    expect(one).toEqual([1]);
    expect(seen[0]!.url).toBe('/v1.43/containers/c1/stats?stream=0');
    const stop = new AbortController();
    const many = [];
    for await (const s of client.containerStats('c1', { stream: true, oneShot: false, signal: stop.signal })) {
      many.push(s.pids_stats?.current);
      if (many.length === 2) stop.abort();
    }
    expect(many).toEqual([2, 3]);
    expect(seen[1]!.url).toBe('/v1.43/containers/c1/stats?stream=1');
  });

  it('exportContainer: GET export, the tar stream', async () => {
    handler = (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end('FS');
    expect(await collect(await client.exportContainer('c1'))).toBe('FS');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1.43/containers/c1/export' });
  });

  it('commitContainer: POST /commit with one changes parameter per instruction; pause=0 only when off', async () => {
    handler = (_req, res) => void res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"Id":"sha256:new"}');
    expect(await client.commitContainer('c1', { repo: 'me/img', tag: 'v1', comment: 'msg', author: 'me', changes: ['ENV A=1', 'CMD ["sh"]'], pause: false })).toBe('sha256:new');
    await client.commitContainer('c1', {});
    const [first, second] = seen.map((s) => new URL(s.url, 'http://x'));
    expect(first!.pathname).toBe('/v1.43/commit');
    expect(Object.fromEntries(first!.searchParams)).toMatchObject({ container: 'c1', repo: 'me/img', tag: 'v1', comment: 'msg', author: 'me', pause: '0' });
    expect(first!.searchParams.getAll('changes')).toEqual(['ENV A=1', 'CMD ["sh"]']);
    expect(second!.search).toBe('?container=c1');
  });
});
