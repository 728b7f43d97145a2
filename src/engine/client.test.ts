/**
 * EngineClient against a fake engine (an `http.Server` on a unix socket in a temp folder): no
 * daemon needed. Checks version negotiation, paths and queries, idempotent statuses, error
 * mapping and stream endings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapstanError, EngineError } from '../errors.js';
import { EngineClient } from './client.js';
import type { EventMessage } from './types.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

let dir: string;
let socketPath: string;
let server: http.Server;
let seen: Seen[] = [];
let handler: Handler = () => undefined;
let pings = 0;
let serverVersion = '1.41';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-engine-'));
  socketPath = join(dir, 'docker.sock');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      if (s.url === '/_ping') {
        pings++;
        // slow ping, so concurrent first calls overlap
        setTimeout(() => {
          res.writeHead(200, { 'Api-Version': serverVersion, 'Content-Type': 'text/plain' });
          res.end('OK');
        }, 20);
        return;
      }
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  pings = 0;
  serverVersion = '1.41';
  handler = (_req, res) => {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end('{"message":"no handler"}');
  };
});

function client(): EngineClient {
  return new EngineClient({ endpoint: { kind: 'unix', socketPath } });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

describe('EngineClient (fake engine)', () => {
  it('negotiates the version once for concurrent first calls and prefixes paths', async () => {
    handler = (_req, res) => json(res, 200, []);
    const c = client();
    expect(c.apiVersion).toBeUndefined();
    await Promise.all([c.listContainers({ all: true }), c.listNetworks(), c.listVolumes(), c.ping()]);
    expect(pings).toBe(1);
    expect(c.apiVersion).toBe('1.41');
    expect(seen.map((s) => s.url).sort()).toEqual(['/v1.41/containers/json?all=1', '/v1.41/networks', '/v1.41/volumes']);
    await c.ping(); // an explicit ping after negotiation pings again
    expect(pings).toBe(2);
    c.close();
  });

  it('caps the version at 1.43 and honours a pinned DOCKER_API_VERSION', async () => {
    serverVersion = '1.52';
    handler = (_req, res) => json(res, 200, []);
    const c = client();
    await c.ping();
    await c.listNetworks({ label: ['a=b'] });
    expect(seen[0]!.url).toBe(`/v1.43/networks?filters=${encodeURIComponent('{"label":["a=b"]}')}`);
    const pinned = EngineClient.fromEnvironment({ DOCKER_HOST: `unix://${socketPath}`, DOCKER_API_VERSION: '1.40' });
    await pinned.listNetworks();
    expect(pings).toBe(1);
    expect(seen[1]!.url).toBe('/v1.40/networks');
    c.close();
    pinned.close();
  });

  it('sends reads beside the first ping at 1.41, writes after it at the negotiated version', async () => {
    serverVersion = '1.43';
    handler = (req, res) => (req.method === 'POST' ? json(res, 201, { Id: 'n1' }) : json(res, 200, []));
    const c = client();
    await Promise.all([c.listContainers({ all: true }), c.createNetwork({ Name: 'net' })]);
    expect(pings).toBe(1);
    expect(seen.map((s) => `${s.method} ${s.url}`).sort()).toEqual(['GET /v1.41/containers/json?all=1', 'POST /v1.43/networks/create']);
    await c.listVolumes();
    expect(seen.at(-1)!.url).toBe('/v1.43/volumes');
    expect(await c.negotiatedApiVersion()).toBe('1.43');
    expect(pings).toBe(1);
    c.close();
  });

  it('negotiatedApiVersion joins the ping in flight: a read may answer before the version is known', async () => {
    serverVersion = '1.43';
    handler = (_req, res) => json(res, 200, []);
    const c = client();
    await c.listNetworks(); // the ping answers after 20 ms, the read at once
    expect(c.apiVersion).toBeUndefined();
    expect(await c.negotiatedApiVersion()).toBe('1.43');
    expect(pings).toBe(1);
    c.close();
  });

  it('sends a read again at the negotiated version when an older engine refuses 1.41', async () => {
    serverVersion = '1.40';
    for (const message of ['client version 1.41 is too new. Maximum supported API version is 1.40', 'given version is not supported']) {
      handler = (req, res) => (req.url.startsWith('/v1.41/') ? json(res, 400, { message }) : json(res, 200, []));
      seen = [];
      const c = client();
      expect(await c.listNetworks()).toEqual([]);
      expect(seen.map((s) => s.url)).toEqual(['/v1.41/networks', '/v1.40/networks']);
      c.close();
    }
  });

  it('a bad read before the negotiation fails once when the engine speaks 1.41', async () => {
    handler = (_req, res) => json(res, 400, { message: 'invalid filter' });
    const c = client();
    await expect(c.listNetworks({ nope: ['x'] })).rejects.toMatchObject({ statusCode: 400, daemonMessage: 'invalid filter' });
    expect(seen).toHaveLength(1);
    c.close();
  });

  it('treats 304 on start/stop and 404 on remove as success; inspectImage 404 → undefined', async () => {
    handler = (req, res) => {
      if (req.url.includes('/start') || req.url.includes('/stop')) return json(res, 304, undefined);
      if (req.method === 'DELETE') return json(res, 404, { message: 'No such thing' });
      if (req.url.startsWith('/v1.41/images/')) return json(res, 404, { message: 'No such image: nope:latest' });
      return json(res, 500, { message: 'unexpected' });
    };
    const c = client();
    await c.startContainer('abc');
    await c.stopContainer('abc', 2.4);
    await c.removeContainer('abc', { force: true, volumes: true });
    await c.removeNetwork('net');
    await c.removeVolume('vol', true);
    expect(await c.inspectImage('library/nope:latest')).toBeUndefined();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /v1.41/containers/abc/start',
      'POST /v1.41/containers/abc/stop?t=2',
      'DELETE /v1.41/containers/abc?force=1&v=1',
      'DELETE /v1.41/networks/net',
      'DELETE /v1.41/volumes/vol?force=1',
      'GET /v1.41/images/library/nope:latest/json',
    ]);
    c.close();
  });

  it('turns an HTTP error into EngineError with the daemon message and a code', async () => {
    handler = (req, res) =>
      req.url.includes('create')
        ? json(res, 409, { message: 'Conflict. The container name "/x" is already in use' })
        : json(res, 404, { message: 'No such container: x' });
    const c = client();
    const err = await c.createContainer('x', { Image: 'busybox' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ statusCode: 409, code: 'CONFLICT', daemonMessage: 'Conflict. The container name "/x" is already in use' });
    expect((err as Error).message).toBe('create container x: Conflict. The container name "/x" is already in use');
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({ Image: 'busybox' });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    await expect(c.inspectContainer('x')).rejects.toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
    await expect(c.startContainer('x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    c.close();
  });

  it('reports a missing socket as ENGINE_UNREACHABLE with a hint', async () => {
    const c = new EngineClient({ endpoint: { kind: 'unix', socketPath: join(dir, 'missing.sock') } });
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapstanError);
    expect(err).toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      message: `cannot connect to the Docker engine at unix://${join(dir, 'missing.sock')}: connect ENOENT`,
      hint: 'is dockerd running? try scripts/engine.sh',
    });
    // the failed negotiation is retried by the next call, not cached
    await expect(c.listContainers({})).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' });
  });

  it('reports an engine that accepts but never answers as ENGINE_UNREACHABLE, not a hang', async () => {
    const silentPath = join(dir, 'silent.sock');
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket)); // accept, say nothing
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
    try {
      const c = new EngineClient({ endpoint: { kind: 'unix', socketPath: silentPath }, pingTimeoutMs: 100 });
      await expect(c.listContainers({})).rejects.toMatchObject({
        code: 'ENGINE_UNREACHABLE',
        message: `the Docker engine at unix://${silentPath} did not answer within 0.1s`,
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('build: sends the tar with the query, yields progress, throws EngineError on an error message', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"stream":"Step 1/2 : FROM busybox\\n"}\r\n{"stream":"Step 2/2 : RUN false\\n"}\r\n');
      res.end('{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c false\' returned a non-zero code: 1"},"error":"The command \'/bin/sh -c false\' returned a non-zero code: 1"}\r\n');
    };
    const c = client();
    const got: string[] = [];
    const err = await (async () => {
      for await (const m of c.build(Buffer.from('TAR'), {
        tags: ['a:1', 'b:2'],
        dockerfile: 'Dockerfile.dev',
        buildargs: { X: '1' },
        labels: { l: 'v' },
        target: 'dev',
        nocache: true,
        pull: false,
        networkmode: 'host',
      }))
        got.push(m.stream ?? '');
    })().catch((e: unknown) => e);
    expect(got).toEqual(['Step 1/2 : FROM busybox\n', 'Step 2/2 : RUN false\n']);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ statusCode: 500, code: 'ENGINE' });
    expect((err as Error).message).toMatch(/^build a:1: The command/);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/x-tar');
    expect(req.body.toString()).toBe('TAR');
    const q = new URL(req.url, 'http://x').searchParams;
    expect(q.getAll('t')).toEqual(['a:1', 'b:2']);
    expect(Object.fromEntries([...q].filter(([k]) => k !== 't'))).toEqual({
      dockerfile: 'Dockerfile.dev',
      buildargs: '{"X":"1"}',
      labels: '{"l":"v"}',
      target: 'dev',
      nocache: '1',
      networkmode: 'host',
      rm: '1',
      forcerm: '1',
      version: '1',
    });
    c.close();
  });

  it('events: yields until the signal aborts, then ends without throwing', async () => {
    let open: http.ServerResponse | undefined;
    handler = (_req, res) => {
      open = res;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"Type":"container","Action":"create","time":1}\n{"Type":"container","Action":"st');
      setTimeout(() => res.write('art","time":2}\n'), 10);
    };
    const c = client();
    const ac = new AbortController();
    const got: EventMessage[] = [];
    for await (const e of c.events({ since: '1', filters: { type: ['container'] }, signal: ac.signal })) {
      got.push(e);
      if (e.Action === 'start') ac.abort();
    }
    expect(got.map((e) => e.Action)).toEqual(['create', 'start']);
    expect(seen[0]!.url).toContain('since=1');
    open?.destroy();
    // an already aborted signal: no request at all
    const before = seen.length;
    for await (const _ of c.events({ signal: ac.signal })) throw new Error('unreachable');
    expect(seen.length).toBe(before);
    c.close();
  });

  it('events: an abort while waiting for the next event ends the iterator', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
    };
    const c = client();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const got: unknown[] = [];
    for await (const e of c.events({ signal: ac.signal })) got.push(e);
    expect(got).toEqual([]);
    c.close();
  });

  it('logs: demuxes by the tty flag and builds the query', async () => {
    const frame = (t: number, s: string): Buffer => {
      const h = Buffer.alloc(8);
      h[0] = t;
      h.writeUInt32BE(Buffer.byteLength(s), 4);
      return Buffer.concat([h, Buffer.from(s)]);
    };
    handler = (_req, res) => {
      // dockerd 20.10 sends a raw-stream content type for multiplexed bodies
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
      res.end(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
    };
    const c = client();
    const chunks: string[] = [];
    for await (const ch of c.containerLogs('abc', { tty: false, tail: 10, since: 5, timestamps: true })) {
      chunks.push(`${ch.stream}:${ch.data.toString()}`);
    }
    expect(chunks).toEqual(['stdout:out\n', 'stderr:err\n']);
    expect(seen[0]!.url).toBe('/v1.41/containers/abc/logs?stdout=1&stderr=1&tail=10&since=5&timestamps=1');
    c.close();
  });

  it('logs and events pass until (Unix seconds or RFC 3339) as the Engine API wants it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    };
    const c = client();
    for await (const _ of c.containerLogs('abc', { tty: true, since: '1700000000.5', until: '2023-11-14T22:13:20Z' })) void _;
    expect(seen[0]!.url).toBe('/v1.41/containers/abc/logs?stdout=1&stderr=1&since=1700000000.5&until=1700000000');
    for await (const _ of c.events({ since: '1', until: '2' })) void _;
    expect(seen[1]!.url).toContain('since=1&until=2');
    c.close();
  });

  it('wait: returns the exit code; a cancelled wait throws CANCELLED', async () => {
    handler = (req, res) => {
      if (req.url.includes('condition=next-exit')) return json(res, 200, { StatusCode: 3, Error: null });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders(); // never finishes
    };
    const c = client();
    expect(await c.waitContainer('abc', 'next-exit')).toBe(3);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(c.waitContainer('abc', undefined, ac.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
    c.close();
  });
  it('exec: creates with the command, streams demuxed output, inspects the exit code', async () => {
    handler = (req, res) => {
      if (req.url.endsWith('/containers/web-1/exec')) return json(res, 201, { Id: 'e1' });
      if (req.url.endsWith('/exec/e1/start')) {
        const h = Buffer.alloc(8);
        h[0] = 2;
        h.writeUInt32BE(4, 4);
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
        return res.end(Buffer.concat([h, Buffer.from('oops')]));
      }
      if (req.url.endsWith('/exec/e1/json')) return json(res, 200, { ID: 'e1', Running: false, ExitCode: 2, ContainerID: 'c' });
      json(res, 404, { message: 'no' });
    };
    const c = client();
    const id = await c.createExec('web-1', { cmd: ['sh', '-c', 'exit 2'], user: '1000', env: ['A=1'], privileged: true });
    expect(id).toBe('e1');
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Cmd: ['sh', '-c', 'exit 2'],
      User: '1000',
      Privileged: true,
      Env: ['A=1'],
    });
    const out: string[] = [];
    for await (const ch of c.startExec(id, { tty: false })) out.push(`${ch.stream}:${ch.data.toString()}`);
    expect(out).toEqual(['stderr:oops']);
    expect(JSON.parse(seen[1]!.body.toString())).toEqual({ Detach: false, Tty: false });
    expect((await c.inspectExec(id)).ExitCode).toBe(2);
    c.close();
  });

  it('createContainer passes the platform query parameter', async () => {
    handler = (_req, res) => json(res, 201, { Id: 'c1', Warnings: [] });
    const c = client();
    expect(await c.createContainer('web-1', { Image: 'busybox' }, 'linux/arm64')).toBe('c1');
    expect(seen[0]!.url).toBe('/v1.41/containers/create?name=web-1&platform=linux%2Farm64');
    await c.createContainer('web-2', { Image: 'busybox' });
    expect(seen[1]!.url).toBe('/v1.41/containers/create?name=web-2');
    c.close();
  });
});
