import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from './client.js';
import type { LogChunk } from './types.js';

/**
 * `attachExec` against a fake daemon on a unix socket: the request asks for an upgrade, stdin
 * reaches the process, the write side is half-closed (the fake answers only after EOF, as `cat`
 * does), and the multiplexed answer is demultiplexed.
 */

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

let server: Server | undefined;
let dir: string | undefined;
afterEach(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A daemon that answers /_ping and upgrades `POST /exec/x/start`, echoing stdin (after EOF) as stdout and `err` on stderr. */
function fakeDaemon(seen: string[]): string {
  dir = mkdtempSync(join(tmpdir(), 'capstan-hijack-'));
  const socketPath = join(dir, 'd.sock');
  server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    const input: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      if (upgraded) return void input.push(d);
      buffered = Buffer.concat([buffered, d]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString();
      seen.push(head.split('\r\n')[0]!);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      if (head.startsWith('GET /_ping')) {
        // keep-alive: the exec may come next on this connection
        buffered = buffered.subarray(end + 4 + length);
        socket.write('HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Length: 2\r\n\r\nOK');
        return;
      }
      seen.push(/upgrade: tcp/i.test(head) && /connection: upgrade/i.test(head) ? 'upgrade asked' : 'no upgrade');
      seen.push(buffered.subarray(end + 4, end + 4 + length).toString());
      upgraded = true;
      const rest = buffered.subarray(end + 4 + length);
      if (rest.length) input.push(rest);
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    });
    socket.on('end', () => {
      // the client half-closed: answer with what it sent, then close
      if (upgraded) socket.end(Buffer.concat([frame(1, Buffer.concat(input).toString()), frame(2, 'err')]));
    });
  });
  server.listen(socketPath);
  return socketPath;
}

describe('attachExec', () => {
  it('streams stdin, half-closes, and demultiplexes the answer', async () => {
    const seen: string[] = [];
    const client = new EngineClient({ endpoint: { kind: 'unix', socketPath: fakeDaemon(seen) } });
    const chunks: LogChunk[] = [];
    for await (const c of client.attachExec('x', { stdin: Readable.from([Buffer.from('hi\n')]) })) chunks.push(c);
    expect(chunks.map((c) => `${c.stream}:${c.data.toString()}`)).toEqual(['stdout:hi\n', 'stderr:err']);
    expect(seen.slice(1)).toEqual(['POST /v1.43/exec/x/start HTTP/1.1', 'upgrade asked', '{"Detach":false,"Tty":false}']);
  });

  it('without stdin, half-closes at once (the process reads EOF)', async () => {
    const seen: string[] = [];
    const client = new EngineClient({ endpoint: { kind: 'unix', socketPath: fakeDaemon(seen) } });
    const chunks: LogChunk[] = [];
    for await (const c of client.attachExec('x', {})) chunks.push(c);
    expect(chunks.map((c) => `${c.stream}:${c.data.toString()}`)).toEqual(['stderr:err']);
  });
});
