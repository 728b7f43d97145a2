/**
 * Malformed Engine API answers (issue 13 "Bad input"): a fake engine on a unix socket in the OS
 * temp dir (a raw `net` server, so it can send what no well-behaved HTTP server would — a body
 * shorter than its Content-Length, a connection dropped mid-stream, an HTML error page) and the
 * client must turn each into exactly one clear CapstanError: a code, one line naming the call and
 * what went wrong, no HTML dump, no Node internals ("aborted", "socket hang up").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapstanError, EngineError } from '../errors.js';
import { EngineClient } from './client.js';

/** What the fake engine does for one request (the ping is always answered properly). */
type Behaviour = (socket: net.Socket, path: string) => void;

let dir = '';
let socketPath = '';
let server: net.Server;
let behaviour: Behaviour = () => undefined;
const sockets = new Set<net.Socket>();

const head = (status: string, headers: Record<string, string | number>): string =>
  `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-malformed-'));
  socketPath = join(dir, 'engine.sock');
  server = net.createServer((socket) => {
    let buffered = '';
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      // one request at a time per connection; bodies are ignored (these tests send GETs and small POSTs)
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = buffered.slice(0, buffered.indexOf('\r\n')).split(' ')[1] ?? '/';
      const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      if (path === '/_ping') {
        socket.write(head('200 OK', { 'Api-Version': '1.41', 'Content-Type': 'text/plain', 'Content-Length': 2 }) + 'OK');
        return;
      }
      behaviour(socket, path);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh client (no kept-alive sockets from earlier cases). */
const client = (): EngineClient => EngineClient.fromEnvironment({ DOCKER_HOST: `unix://${socketPath}` });

/** The one error `fn` rejects with; fails the test when it resolves. */
async function failure(fn: () => Promise<unknown>): Promise<CapstanError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CapstanError);
  const e = err as CapstanError;
  // one clear line: no newline, no Node-internal wording, no markup
  expect(e.message).not.toMatch(/\n|^aborted$|: aborted$|socket hang up|<\/?[a-z]+[ >]/i);
  return e;
}

/** Drain an async iterable (a stream answer) to its end. */
async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

describe('malformed engine answers', () => {
  it('truncated JSON (complete body, cut document): ENGINE "invalid JSON", the start of the text as detail', async () => {
    behaviour = (socket) => {
      const body = '{"Id":"abc","Config":{"Env":["A=1",';
      socket.write(head('200 OK', { 'Content-Type': 'application/json', 'Content-Length': body.length }) + body);
    };
    const err = await failure(() => client().inspectContainer('web'));
    expect(err.code).toBe('ENGINE');
    expect(err.message).toBe('inspect container web: the engine answered with invalid JSON');
    expect(err.details[0]).toContain('{"Id":"abc"');
  });

  it('a body shorter than its Content-Length (the engine closes the connection): ENGINE "closed the connection"', async () => {
    behaviour = (socket) => {
      socket.end(head('200 OK', { 'Content-Type': 'application/json', 'Content-Length': 500 }) + '{"Id":"abc","Na');
    };
    const err = await failure(() => client().inspectContainer('web'));
    expect(err.code).toBe('ENGINE');
    expect(err.message).toMatch(/^inspect container web: the engine closed the connection before its answer was complete$/);
    expect(err.hint).toMatch(/restarted or stopped/);
  });

  it('the connection closed before any answer: ENGINE "closed the connection without answering"', async () => {
    behaviour = (socket) => socket.destroy();
    const err = await failure(() => client().removeContainer('web', { force: true }));
    expect(err.code).toBe('ENGINE');
    expect(err.message).toBe('remove container web: the engine closed the connection without answering');
    expect(err.hint).toMatch(/restarted or stopped/);
  });

  it('a JSON stream (events) closed mid-stream: the events before it, then one ENGINE error', async () => {
    behaviour = (socket) => {
      socket.write(head('200 OK', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }));
      const line = '{"Type":"container","Action":"start","id":"abc","time":1}\n';
      socket.write(`${line.length.toString(16)}\r\n${line}\r\n`);
      const partial = '{"Type":"cont';
      setTimeout(() => socket.end(`${(partial.length + 20).toString(16)}\r\n${partial}`), 20);
    };
    const seen: unknown[] = [];
    const err = await failure(async () => {
      for await (const e of client().events({})) seen.push(e);
    });
    expect(seen).toHaveLength(1);
    expect(err.code).toBe('ENGINE');
    expect(err.message).toMatch(/^follow engine events: the engine closed the connection before its answer was complete$/);
  });

  it('a log stream closed mid-frame: one ENGINE error, not a silent end', async () => {
    behaviour = (socket) => {
      socket.write(head('200 OK', { 'Content-Type': 'application/vnd.docker.raw-stream', 'Transfer-Encoding': 'chunked' }));
      const frame = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 6]), Buffer.from('hello\n')]);
      const cut = Buffer.from([1, 0, 0, 0, 0, 0, 0, 50, 0x61, 0x62]);
      socket.write(`${frame.length.toString(16)}\r\n`);
      socket.write(frame);
      socket.write('\r\n');
      setTimeout(() => {
        socket.write(`${(cut.length + 40).toString(16)}\r\n`);
        socket.end(cut);
      }, 20);
    };
    const err = await failure(() => drain(client().containerLogs('web', { tty: false })));
    expect(err.code).toBe('ENGINE');
    expect(err.message).toMatch(/^read the logs of container web: the engine closed the connection before its answer was complete$/);
  });

  it('a pull progress stream closed mid-stream: one ENGINE error', async () => {
    behaviour = (socket) => {
      socket.write(head('200 OK', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }));
      const line = '{"status":"Pulling from library/busybox","id":"latest"}\n';
      socket.write(`${line.length.toString(16)}\r\n${line}\r\n`);
      setTimeout(() => socket.destroy(), 20);
    };
    const err = await failure(() => drain(client().pullImage('busybox:latest')));
    expect(err.code).toBe('ENGINE');
    expect(err.message).toMatch(/the engine closed the connection before its answer was complete$/);
  });

  it('a 500 with an HTML body (a proxy in front of the engine): the page summarised, not dumped', async () => {
    const html = `<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx/1.25.3</center>\n${'<!-- padding -->\n'.repeat(50)}</body>\n</html>\n`;
    behaviour = (socket) => {
      socket.write(head('500 Internal Server Error', { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) }) + html);
    };
    const err = await failure(() => client().listContainers({ all: true }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('ENGINE');
    expect((err as EngineError).statusCode).toBe(500);
    expect(err.message).toBe('list containers: HTTP 500 with an HTML page instead of an Engine API answer: "502 Bad Gateway"');
    expect(err.message.length).toBeLessThan(200);
    expect(err.hint).toMatch(/DOCKER_HOST/);
  });

  it('a 500 with a long plain-text body: its first line, shortened', async () => {
    const text = `${'x'.repeat(500)}\nsecond line\n`;
    behaviour = (socket) => {
      socket.write(head('500 Internal Server Error', { 'Content-Type': 'text/plain', 'Content-Length': text.length }) + text);
    };
    const err = await failure(() => client().listContainers({ all: true }));
    expect(err.code).toBe('ENGINE');
    expect(err.message.length).toBeLessThan(260);
    expect(err.message).toMatch(/^list containers: x+…$/);
  });

  it('a JSON error body still gives the daemon message as before', async () => {
    const body = '{"message":"something broke"}';
    behaviour = (socket) => {
      socket.write(head('500 Internal Server Error', { 'Content-Type': 'application/json', 'Content-Length': body.length }) + body);
    };
    const err = await failure(() => client().listContainers({ all: true }));
    expect(err.message).toBe('list containers: something broke');
  });
});
