/**
 * Stream decoders for Docker Engine API responses. Pure functions over `AsyncIterable`s of byte
 * chunks (an `http.IncomingMessage` is one), so they are tested without a daemon and honour
 * backpressure: nothing is read from the source until the consumer asks for the next item.
 *
 * - {@link demuxStream}: the multiplexed stdout/stderr framing of `GET /containers/{id}/logs`,
 *   `POST /containers/{id}/attach` and `POST /exec/{id}/start` when the container/exec has no TTY.
 * - {@link rawStream}: the same endpoints when a TTY is allocated (one raw byte stream).
 * - {@link logStream}: picks one of the two from the container's `Config.Tty` flag. Never decide
 *   from the `Content-Type` header: dockerd 20.10 answers `application/vnd.docker.raw-stream` for
 *   bodies that *are* multiplexed.
 * - {@link readNdjson}: newline-delimited JSON (`POST /build`, `POST /images/create`,
 *   `GET /events`), decoded with a streaming `TextDecoder` so a UTF-8 character split across
 *   chunks survives; a line that is not JSON becomes a `CapstanError('ENGINE')`.
 */
import { CapstanError } from '../errors.js';
import type { LogChunk } from './types.js';

/** Anything an HTTP body may yield: Node `Buffer`s, plain `Uint8Array`s or (decoded) strings. */
export type ByteChunk = Uint8Array | string;

/** Length of the multiplexing header: `[type, 0, 0, 0, size (uint32, big-endian)]`. */
export const FRAME_HEADER_LENGTH = 8;

function toBuffer(chunk: ByteChunk): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Maps the header's stream-type byte to a {@link LogChunk} stream; `undefined` for type 3. */
function streamOf(type: number): LogChunk['stream'] | undefined {
  switch (type) {
    case 0: // stdin: dockerd never sends it on output, but the docker CLI maps it to stdout too
    case 1:
      return 'stdout';
    case 2:
      return 'stderr';
    case 3: // systemerr (API ≥ 1.42): the payload is an error message from the daemon
      return undefined;
    default:
      throw new CapstanError(
        'ENGINE',
        `malformed multiplexed stream from the engine: unknown stream type ${type}`,
        { hint: 'is the container started with a TTY? then read the stream raw (tty: true)' },
      );
  }
}

/**
 * Demultiplexes a non-TTY stdout/stderr stream of `GET /containers/{id}/logs`,
 * `POST /containers/{id}/attach` or `POST /exec/{id}/start`.
 *
 * Each frame is an 8-byte header (stream type: 1 stdout, 2 stderr; three zero bytes; payload
 * length as a big-endian uint32) followed by the payload. Headers and payloads may be split
 * across chunks at any byte. Payload bytes are yielded as soon as they arrive, without copying
 * (a `subarray` of the source chunk), so one frame may come out as several chunks of the same
 * stream; empty frames yield nothing. Line boundaries are not preserved: consumers that want
 * lines must split themselves.
 *
 * @throws CapstanError `ENGINE` on an unknown stream type, on a type-3 (systemerr) frame (its
 *   payload becomes the message), or when the source ends inside a header or a payload.
 */
export async function* demuxStream(source: AsyncIterable<ByteChunk>): AsyncGenerator<LogChunk, void, undefined> {
  const header = Buffer.alloc(FRAME_HEADER_LENGTH);
  let headerFill = 0; // bytes of a split header collected so far
  let remaining = 0; // payload bytes still to come for the current frame; 0 = expecting a header
  let stream: LogChunk['stream'] | undefined = 'stdout';
  let systemErr: Buffer[] | undefined;

  for await (const raw of source) {
    const chunk = toBuffer(raw);
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      if (remaining === 0) {
        let type: number;
        let size: number;
        if (headerFill === 0 && len - off >= FRAME_HEADER_LENGTH) {
          // fast path: the whole header is inside this chunk
          type = chunk[off]!;
          size = chunk.readUInt32BE(off + 4);
          off += FRAME_HEADER_LENGTH;
        } else {
          const n = Math.min(FRAME_HEADER_LENGTH - headerFill, len - off);
          chunk.copy(header, headerFill, off, off + n);
          headerFill += n;
          off += n;
          if (headerFill < FRAME_HEADER_LENGTH) break;
          headerFill = 0;
          type = header[0]!;
          size = header.readUInt32BE(4);
        }
        stream = streamOf(type);
        remaining = size;
        if (stream === undefined) {
          if (size === 0) throw new CapstanError('ENGINE', 'the engine reported an error on the stream');
          systemErr = [];
        }
        continue;
      }
      const n = Math.min(remaining, len - off);
      const data = chunk.subarray(off, off + n);
      off += n;
      remaining -= n;
      if (stream === undefined) {
        systemErr!.push(data);
        if (remaining === 0) {
          throw new CapstanError('ENGINE', `the engine reported: ${Buffer.concat(systemErr!).toString('utf8').trim()}`);
        }
      } else {
        yield { stream, data };
      }
    }
  }
  if (headerFill !== 0 || remaining !== 0) {
    throw new CapstanError(
      'ENGINE',
      headerFill !== 0
        ? `multiplexed stream from the engine ended inside a frame header (${headerFill} of 8 bytes)`
        : `multiplexed stream from the engine ended ${remaining} bytes before the end of a frame`,
    );
  }
}

/**
 * Passes a TTY stream through unchanged: every chunk is yielded as `stdout` (a TTY merges
 * stdout and stderr; the bytes may contain terminal escape sequences).
 */
export async function* rawStream(source: AsyncIterable<ByteChunk>): AsyncGenerator<LogChunk, void, undefined> {
  for await (const chunk of source) {
    const data = toBuffer(chunk);
    if (data.length > 0) yield { stream: 'stdout', data };
  }
}

/**
 * Decodes a logs/attach/exec output stream by the container's (or exec's) `Tty` flag:
 * {@link rawStream} when `tty` is true, {@link demuxStream} otherwise.
 */
export function logStream(source: AsyncIterable<ByteChunk>, tty: boolean): AsyncGenerator<LogChunk, void, undefined> {
  return tty ? rawStream(source) : demuxStream(source);
}

const MAX_SNIPPET = 120;

function parseLine<T>(line: string, lineNo: number): T {
  try {
    return JSON.parse(line) as T;
  } catch (cause) {
    const snippet = line.length > MAX_SNIPPET ? `${line.slice(0, MAX_SNIPPET)}…` : line;
    throw new CapstanError('ENGINE', `the engine sent a line that is not JSON (line ${lineNo}): ${snippet}`, {
      cause,
      details: [(cause as Error).message],
    });
  }
}

/**
 * Reads newline-delimited JSON (the progress stream of `POST /build` and `POST /images/create`,
 * the event stream of `GET /events`) and yields one parsed value per line.
 *
 * Bytes are decoded with one streaming `TextDecoder` (`stream: true`), so a multibyte UTF-8
 * character split across chunks is decoded correctly. Blank lines and `\r\n` line ends are
 * accepted; a last line without a newline is parsed at the end of the stream.
 *
 * @throws CapstanError `ENGINE` for a line that is not valid JSON (the message names the line
 *   number and quotes the start of the line; `cause` is the `SyntaxError`). Values yielded before
 *   the bad line are not lost.
 */
export async function* readNdjson<T = unknown>(source: AsyncIterable<ByteChunk>): AsyncGenerator<T, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let lineNo = 0;
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) !== -1) {
      const line = pending.slice(start, nl).trim();
      start = nl + 1;
      lineNo++;
      if (line !== '') yield parseLine<T>(line, lineNo);
    }
    if (start > 0) pending = pending.slice(start);
  }
  pending += decoder.decode();
  const last = pending.trim();
  if (last !== '') yield parseLine<T>(last, lineNo + 1);
}
