import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { demuxStream, logStream, rawStream, readNdjson, type ByteChunk } from './streams.js';
import {
  apiPath,
  buildQuery,
  compareApiVersions,
  formatEndpoint,
  negotiateApiVersion,
  resolveEndpoint,
  toEngineTimestamp,
} from './client.js';
import type { LogChunk } from './types.js';

/** One multiplexed frame: type byte, 3 zero bytes, big-endian length, payload. */
function frame(type: number, payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

async function* chunked(data: Buffer, size: number | number[]): AsyncGenerator<Buffer> {
  let off = 0;
  let i = 0;
  while (off < data.length) {
    const n = Array.isArray(size) ? size[i++ % size.length]! : size;
    yield data.subarray(off, off + n);
    off += n;
  }
}

async function* from(chunks: ByteChunk[]): AsyncGenerator<ByteChunk> {
  yield* chunks;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Joins consecutive chunks of the same stream (demux may split a frame at chunk edges). */
function merged(chunks: LogChunk[]): Array<[string, string]> {
  const runs: Array<[string, Buffer[]]> = [];
  for (const c of chunks) {
    const last = runs[runs.length - 1];
    if (last && last[0] === c.stream) last[1].push(c.data);
    else runs.push([c.stream, [c.data]]);
  }
  return runs.map(([stream, data]) => [stream, Buffer.concat(data).toString()]);
}

describe('demuxStream', () => {
  const wire = Buffer.concat([
    frame(1, 'out line 1\n'),
    frame(2, 'err line 1\n'),
    frame(2, 'err line 2\n'),
    frame(1, ''),
    frame(1, 'héllo wörld\n'),
    frame(2, Buffer.alloc(70_000, 'x')),
    frame(1, 'done\n'),
  ]);
  const expected: Array<[string, string]> = [
    ['stdout', 'out line 1\n'],
    ['stderr', 'err line 1\nerr line 2\n'],
    ['stdout', 'héllo wörld\n'],
    ['stderr', 'x'.repeat(70_000)],
    ['stdout', 'done\n'],
  ];

  it('decodes frames of both streams from one chunk, one chunk per frame', async () => {
    const chunks = await collect(demuxStream(from([wire])));
    expect(chunks.map((c) => c.stream)).toEqual(['stdout', 'stderr', 'stderr', 'stdout', 'stderr', 'stdout']);
    expect(merged(chunks)).toEqual(expected);
  });

  it.each([1, 2, 3, 5, 7, 8, 9, 13, 4096])('is correct with %i-byte chunks', async (size) => {
    expect(merged(await collect(demuxStream(chunked(wire, size))))).toEqual(expected);
  });

  it('is correct with irregular chunks that split headers everywhere', async () => {
    expect(merged(await collect(demuxStream(chunked(wire, [1, 7, 3, 8, 2, 11, 6, 5, 9]))))).toEqual(expected);
    // every split point of a small wire
    const small = Buffer.concat([frame(1, 'ab'), frame(2, 'cd'), frame(1, 'e')]);
    for (let cut = 0; cut <= small.length; cut++) {
      const out = await collect(demuxStream(from([small.subarray(0, cut), small.subarray(cut)])));
      expect(merged(out)).toEqual([
        ['stdout', 'ab'],
        ['stderr', 'cd'],
        ['stdout', 'e'],
      ]);
    }
  });

  it('accepts Uint8Array and string chunks', async () => {
    const f = frame(2, 'z');
    const out = await collect(demuxStream(from([new Uint8Array(f.subarray(0, 4)), new Uint8Array(f.subarray(4))])));
    expect(merged(out)).toEqual([['stderr', 'z']]);
  });

  it('ends cleanly on an empty stream', async () => {
    expect(await collect(demuxStream(from([])))).toEqual([]);
  });

  it('throws a typed error when the stream ends inside a header or a payload', async () => {
    const f = frame(1, 'hello');
    await expect(collect(demuxStream(from([f.subarray(0, 5)])))).rejects.toMatchObject({ code: 'ENGINE' });
    await expect(collect(demuxStream(from([f.subarray(0, 10)])))).rejects.toThrow(/3 bytes before the end/);
  });

  it('throws a typed error on an unknown stream type (a TTY stream read as multiplexed)', async () => {
    const err = await collect(demuxStream(from([Buffer.from('hello world, this is a tty\n')]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe('ENGINE');
    expect((err as CapstanError).hint).toMatch(/TTY/);
  });

  it('turns a systemerr frame (type 3) into an error carrying its message', async () => {
    await expect(collect(demuxStream(from([frame(1, 'a'), frame(3, 'boom\n')])))).rejects.toThrow(/boom/);
  });
});

describe('rawStream / logStream', () => {
  it('passes a TTY stream through as stdout, bytes unchanged', async () => {
    const bytes = Buffer.from([1, 0, 0, 0, 0, 0, 0, 2, 0x1b, 0x5b, 0x41]);
    const out = await collect(rawStream(from([bytes.subarray(0, 3), Buffer.alloc(0), bytes.subarray(3)])));
    expect(out.every((c) => c.stream === 'stdout')).toBe(true);
    expect(Buffer.concat(out.map((c) => c.data))).toEqual(bytes);
  });

  it('chooses by the tty flag', async () => {
    const wire = frame(2, 'e');
    expect(merged(await collect(logStream(from([wire]), false)))).toEqual([['stderr', 'e']]);
    expect(Buffer.concat((await collect(logStream(from([wire]), true))).map((c) => c.data))).toEqual(wire);
  });
});

describe('readNdjson', () => {
  it('decodes a multibyte character split across chunks', async () => {
    const bytes = Buffer.from('{"stream":"héllo 🐳"}\n{"a":1}\n');
    // split inside é (2 bytes) and inside 🐳 (4 bytes), then 1-byte chunks
    for (const size of [1, 2, 3, [9, 3, 5], [13, 1, 1, 1]]) {
      const out = await collect(readNdjson(chunked(bytes, size)));
      expect(out).toEqual([{ stream: 'héllo 🐳' }, { a: 1 }]);
    }
  });

  it('skips blank lines, accepts CRLF and a last line without a newline', async () => {
    const out = await collect(readNdjson(from(['\n{"a":1}\r\n\n', '  \n{"b"', ':2}\n\n{"c":3}'])));
    expect(out).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('throws a typed error on a bad line, after yielding the good ones', async () => {
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const v of readNdjson(from(['{"a":1}\n{"a":', '2}\nnot json at all\n{"a":3}\n']))) seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ a: 1 }, { a: 2 }]);
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe('ENGINE');
    expect((err as CapstanError).message).toMatch(/line 3.*not json at all/);
    expect((err as CapstanError).cause).toBeInstanceOf(SyntaxError);
  });

  it('throws a typed error on a truncated last line', async () => {
    await expect(collect(readNdjson(from(['{"a":1}\n{"a"'])))).rejects.toMatchObject({ code: 'ENGINE' });
  });
});

describe('URL and query building', () => {
  it('prefixes the negotiated version and encodes query values', () => {
    expect(apiPath('1.41', '/containers/json', { all: true })).toBe('/v1.41/containers/json?all=1');
    expect(apiPath(undefined, '/_ping')).toBe('/_ping');
    expect(buildQuery({ a: undefined, b: null, c: false, d: 0, e: '' })).toBe('?c=0&d=0&e=');
    expect(buildQuery({})).toBe('');
    expect(buildQuery(undefined)).toBe('');
  });

  it('JSON-encodes filters and skips empty ones', () => {
    const q = buildQuery({ all: true, filters: { label: ['com.docker.compose.project=x y'], name: ['a'] } });
    const params = new URLSearchParams(q.slice(1));
    expect(params.get('all')).toBe('1');
    expect(JSON.parse(params.get('filters')!)).toEqual({ label: ['com.docker.compose.project=x y'], name: ['a'] });
    expect(buildQuery({ filters: {} })).toBe('');
  });

  it('repeats array keys (POST /build t=…&t=…) and JSON-encodes buildargs', () => {
    const q = buildQuery({ t: ['a:1', 'b:2'], buildargs: { X: '1' }, rm: true });
    const params = new URLSearchParams(q.slice(1));
    expect(params.getAll('t')).toEqual(['a:1', 'b:2']);
    expect(params.get('buildargs')).toBe('{"X":"1"}');
    expect(params.get('rm')).toBe('1');
  });

  it('negotiates min(server, max) and compares versions numerically', () => {
    expect(negotiateApiVersion('1.41')).toBe('1.41');
    expect(negotiateApiVersion('1.52')).toBe('1.43');
    expect(negotiateApiVersion('1.40')).toBe('1.40');
    expect(negotiateApiVersion(undefined)).toBe('1.41');
    expect(negotiateApiVersion('garbage')).toBe('1.41');
    expect(compareApiVersions('1.9', '1.41')).toBeLessThan(0);
    expect(compareApiVersions('1.43', '1.43')).toBe(0);
  });

  it('converts since times to seconds[.fraction]', () => {
    expect(toEngineTimestamp(1700000000)).toBe('1700000000');
    expect(toEngineTimestamp(1.5)).toBe('1.500000000');
    expect(toEngineTimestamp('1700000000.25')).toBe('1700000000.25');
    expect(toEngineTimestamp('2023-11-14T22:13:20Z')).toBe('1700000000');
    expect(toEngineTimestamp('2023-11-14T22:13:20.5Z')).toBe('1700000000.500');
    expect(() => toEngineTimestamp('yesterday')).toThrow(CapstanError);
  });
});

describe('resolveEndpoint', () => {
  it('defaults to /var/run/docker.sock', () => {
    expect(resolveEndpoint({})).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(resolveEndpoint({ DOCKER_HOST: '' })).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('reads unix:// and npipe:// hosts', () => {
    expect(resolveEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(resolveEndpoint({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' })).toEqual({
      kind: 'npipe',
      socketPath: '\\\\.\\pipe\\docker_engine',
    });
  });

  it('reads tcp:// hosts with default ports, IPv6 and TLS', () => {
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 2375 });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://docker' })).toEqual({ kind: 'tcp', host: 'docker', port: 2375 });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://[::1]:2380' })).toEqual({ kind: 'tcp', host: '::1', port: 2380 });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://docker', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' })).toEqual({
      kind: 'tcp',
      host: 'docker',
      port: 2376,
      tls: { certPath: '/certs', verify: true },
    });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1', HOME: '/home/u' })).toMatchObject({
      tls: { certPath: '/home/u/.docker', verify: true },
    });
  });

  it('rejects ssh:// and unknown schemes with a typed error and a hint', () => {
    for (const host of ['ssh://me@box', 'fd://', 'docker.sock']) {
      const err = (() => {
        try {
          resolveEndpoint({ DOCKER_HOST: host });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(CapstanError);
      expect((err as CapstanError).code).toBe('ENGINE_UNREACHABLE');
      expect((err as CapstanError).hint).toBeTruthy();
    }
  });

  it('formats endpoints for messages', () => {
    expect(formatEndpoint({ kind: 'unix', socketPath: '/var/run/docker.sock' })).toBe('unix:///var/run/docker.sock');
    expect(formatEndpoint({ kind: 'tcp', host: '::1', port: 2375 })).toBe('tcp://[::1]:2375');
  });
});
