/**
 * EngineClient's keep-alive sockets against a fake engine (an `http.Server` on a unix socket) that
 * closes them while the client's event loop is busy, as a long `spawnSync` or a CPU-bound caller
 * leaves it: the client reuses a socket whose close it has not seen yet.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import http from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from './client.js';

let dir: string;
let server: http.Server;
const sockets = new Set<Socket>();
const seen: string[] = [];
let client: EngineClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capstan-engine-keepalive-'));
  const socketPath = join(dir, 'docker.sock');
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.41' });
        res.end('OK');
      } else if (req.method === 'POST') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end('{"Id":"n1","Warning":""}');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('[]');
      }
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  client = new EngineClient({ endpoint: { kind: 'unix', socketPath } });
});

afterAll(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** The engine closes every idle connection while this process is blocked (no I/O callbacks run). */
function closeIdleWhileBlocked(): void {
  for (const s of sockets) s.destroy();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}

it('sends a write again when the engine had closed the reused keep-alive socket before it was written', async () => {
  await client.listNetworks();
  closeIdleWhileBlocked();
  seen.length = 0;
  await expect(client.createNetwork({ Name: 'pp_default' })).resolves.toBe('n1');
  expect(seen.filter((s) => s.startsWith('POST'))).toHaveLength(1);
});

it('sends a read again in the same case', async () => {
  await client.listNetworks();
  closeIdleWhileBlocked();
  await expect(client.listNetworks()).resolves.toEqual([]);
});
