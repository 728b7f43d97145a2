/**
 * `EngineClient`: Capstan's own thin Docker Engine API client on `node:http` (no dependencies;
 * importing it costs nothing beyond the built-ins). Why we own it and what it must get right:
 * `shared/reference/ecosystem.md` §1.
 *
 * - Endpoint from `DOCKER_HOST` (`unix://`, `tcp://`, `npipe://`; TLS with `DOCKER_TLS_VERIFY`
 *   and `DOCKER_CERT_PATH`), else `unix:///var/run/docker.sock` ({@link resolveEndpoint}).
 * - One keep-alive `Agent` per client.
 * - API version negotiated lazily from the `Api-Version` header of `GET /_ping`: every path is
 *   prefixed `/v{min(server, MAX_API_VERSION)}`; concurrent first calls share one ping. Reads
 *   sent before the answer go out at `MIN_API_VERSION` beside the ping (see `open`).
 *   `DOCKER_API_VERSION` pins the version and skips negotiation, as with the docker CLI.
 * - Errors: an HTTP error status becomes an `EngineError` carrying the daemon's `message`; no
 *   connection becomes `CapstanError('ENGINE_UNREACHABLE')` with a hint; an aborted call becomes
 *   `CapstanError('CANCELLED')` — except the follow-style streams (`events`, `containerLogs`),
 *   which just end when their signal aborts.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { CapstanError, EngineError } from '../errors.js';
import { demuxStream, rawStream, readNdjson, type ByteChunk } from './streams.js';
import { compareApiVersions, MAX_API_VERSION, MIN_API_VERSION } from './api-version.js';
import { encodeRegistryAuth, parseImageReference, type RegistryAuth } from './registry-auth.js';
import type {
  CommitOptions,
  ContainerArchive,
  ContainerPathStat,
  ContainerStats,
  ContainerTop,
  BuildOptions,
  ContainerCreateBody,
  ContainerInspect,
  ContainerSummary,
  Engine,
  SwarmEngine,
  SwarmInfo,
  SwarmNode,
  SwarmObject,
  SwarmService,
  SwarmServiceSpec,
  SwarmTask,
  EndpointSettings,
  EngineVersion,
  EventMessage,
  ExecAttachOptions,
  ContainerAttachOptions,
  ExecInspect,
  ExecOptions,
  Filters,
  ImageInspect,
  LogChunk,
  LogsOptions,
  Network,
  NetworkCreateBody,
  ProgressMessage,
  PullImageOptions,
  PushImageOptions,
  Volume,
  VolumeCreateBody,
} from './types.js';

/** How long the first `GET /_ping` may take before the engine counts as unreachable. */
const PING_TIMEOUT_MS = 30_000;

export { compareApiVersions, MAX_API_VERSION, MIN_API_VERSION } from './api-version.js';
/** The docker CLI's default socket. */
export const DEFAULT_SOCKET = '/var/run/docker.sock';

// ───────────────────────────── endpoint ─────────────────────────────

/** TLS material for a `tcp://` endpoint: files `ca.pem`, `cert.pem`, `key.pem` in `certPath`. */
export interface TlsSettings {
  certPath: string;
  /** Verify the daemon's certificate against `ca.pem` (`DOCKER_TLS_VERIFY`). */
  verify: boolean;
}

/** Where the engine listens. `unix` also covers Windows named pipes (`npipe://`). */
export type EngineEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'npipe'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: TlsSettings };

/**
 * Resolves the engine endpoint from the environment, as the docker CLI does for its first steps:
 * `DOCKER_HOST` (`unix:///path`, `tcp://host[:port]`, `npipe:////./pipe/name`) else
 * `unix:///var/run/docker.sock`. For `tcp://`, a non-empty `DOCKER_TLS_VERIFY` turns on TLS with
 * certificate verification, using `DOCKER_CERT_PATH` (default `~/.docker`); the default port is
 * 2376 with TLS, 2375 without. Pure: reads no files (the certificates are read on first use).
 *
 * Not handled (yet): docker contexts (`DOCKER_CONTEXT`, `currentContext`), `ssh://`, rootless
 * socket fallbacks.
 *
 * @throws CapstanError `ENGINE_UNREACHABLE` for an unsupported or malformed `DOCKER_HOST`.
 */
export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { kind: 'unix', socketPath: DEFAULT_SOCKET };
  const bad = (why: string, hint?: string): CapstanError =>
    new CapstanError('ENGINE_UNREACHABLE', `DOCKER_HOST=${host}: ${why}`, {
      hint: hint ?? 'use unix:///path/to/docker.sock or tcp://host:port',
    });
  const m = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(host);
  if (!m) throw bad('not a URL');
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case 'unix':
      return { kind: 'unix', socketPath: rest === '' ? DEFAULT_SOCKET : rest };
    case 'npipe': {
      // npipe:////./pipe/docker_engine → \\.\pipe\docker_engine
      const path = rest === '' ? '//./pipe/docker_engine' : rest;
      return { kind: 'npipe', socketPath: path.replace(/\//g, '\\') };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      let url: URL;
      try {
        url = new URL(`http://${rest}`);
      } catch {
        throw bad('cannot parse host and port');
      }
      if (url.hostname === '') throw bad('no host name');
      const verify = (env.DOCKER_TLS_VERIFY ?? '') !== '';
      const useTls = verify || scheme === 'https';
      const tls: TlsSettings | undefined = useTls
        ? { certPath: env.DOCKER_CERT_PATH || join(env.HOME || homedir(), '.docker'), verify }
        : undefined;
      const port = url.port ? Number(url.port) : useTls ? 2376 : 2375;
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literal
      return tls ? { kind: 'tcp', host: hostname, port, tls } : { kind: 'tcp', host: hostname, port };
    }
    case 'ssh':
      throw bad('ssh:// is not supported yet', 'forward the socket: ssh -NL /tmp/docker.sock:/var/run/docker.sock host, then DOCKER_HOST=unix:///tmp/docker.sock');
    default:
      throw bad(`unsupported scheme ${scheme}://`);
  }
}

/** The endpoint as a URL for messages: `unix:///var/run/docker.sock`, `tcp://host:2376`. */
export function formatEndpoint(endpoint: EngineEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'npipe':
      return `npipe://${endpoint.socketPath.replace(/\\/g, '/')}`;
    case 'tcp':
      return `tcp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  }
}

// ───────────────────────────── URL building ─────────────────────────────

/** A query parameter: arrays repeat the key, objects are JSON-encoded, `undefined` is omitted. */
export type QueryValue = string | number | boolean | undefined | null | readonly string[] | Readonly<Record<string, unknown>>;
/** Query parameters of one request. */
export type Query = Readonly<Record<string, QueryValue>>;

/**
 * Encodes query parameters as the Engine API expects them: booleans as `1`/`0`, arrays as a
 * repeated key (`t=a&t=b` for `POST /build`), objects (`filters`, `buildargs`, `labels`) as JSON;
 * `undefined`, `null` and empty objects are left out. Returns `''` or a string starting with `?`.
 */
export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'boolean') params.append(key, value ? '1' : '0');
    else if (typeof value === 'string' || typeof value === 'number') params.append(key, String(value));
    else if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
    else if (Object.keys(value).length > 0) params.append(key, JSON.stringify(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * The request path for an Engine API endpoint: `/v1.41/containers/json?all=1`. `version`
 * undefined gives an unversioned path (used for `/_ping`).
 */
export function apiPath(version: string | undefined, path: string, query?: Query): string {
  return `${version ? `/v${version}` : ''}${path}${buildQuery(query)}`;
}

/** Encodes one path segment (a container, network or volume name or ID). */
function seg(value: string): string {
  return encodeURIComponent(value);
}

/** Encodes an image reference for a path; `/`, `:` and `@` stay readable (`library/busybox:latest`). */
function imageSeg(value: string): string {
  return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/g, '@');
}

/**
 * Picks the API version to speak from the daemon's `Api-Version` header: the smaller of the
 * server's and {@link MAX_API_VERSION}. Without a usable header, {@link MIN_API_VERSION}.
 * An older daemon is spoken to at its own version (as the docker CLI does); features newer than
 * that fail with the daemon's own error.
 */
export function negotiateApiVersion(serverVersion: string | undefined, max: string = MAX_API_VERSION): string {
  if (!serverVersion || !/^\d+\.\d+$/.test(serverVersion.trim())) return MIN_API_VERSION;
  const v = serverVersion.trim();
  return compareApiVersions(v, max) > 0 ? max : v;
}

/**
 * Converts a `since`/`until` time to the form dockerd parses (`seconds[.nanoseconds]`): numbers
 * are Unix seconds (fractions allowed), numeric strings pass through, other strings are parsed
 * as dates (RFC 3339).
 *
 * @throws CapstanError `USAGE` for a string that is neither.
 */
export function toEngineTimestamp(value: number | string): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(9);
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new CapstanError('USAGE', `invalid time "${value}"`, { hint: 'use Unix seconds or an RFC 3339 date' });
  }
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3);
}

// ───────────────────────────── the client ─────────────────────────────

/** `node:https` (and with it `node:tls`, ~3 ms) is loaded only for a TLS endpoint. */
function httpsModule(): typeof import('node:https') {
  return process.getBuiltinModule('node:https');
}

/** Options of {@link EngineClient}'s constructor. */
export interface EngineClientOptions {
  endpoint: EngineEndpoint;
  /** Pin the API version (e.g. from `DOCKER_API_VERSION`) instead of negotiating it. */
  apiVersion?: string;
  /** Highest version to negotiate; default {@link MAX_API_VERSION}. */
  maxApiVersion?: string;
  /** `User-Agent` header; default `capstan`. */
  userAgent?: string;
  /** Milliseconds the first `GET /_ping` may take; default 30 000. */
  pingTimeoutMs?: number;
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

interface RequestSpec {
  method: Method;
  /** Unversioned path, e.g. `/containers/json`. */
  path: string;
  query?: Query;
  /** JSON body (sent as `application/json`). */
  json?: unknown;
  /** Raw body with its content type. */
  body?: Buffer | NodeJS.ReadableStream;
  contentType?: string;
  signal?: AbortSignal;
  /** What we were doing, for error messages: `start container web-1`. */
  context: string;
  /** Error statuses handed back to the caller instead of thrown (e.g. 404 for "already gone"). */
  accept?: readonly number[];
  /** Default true; false for `/_ping`. */
  versioned?: boolean;
  /** Extra request headers (`X-Registry-Auth`). */
  headers?: OutgoingHttpHeaders;
}

/** Connection failures that mean "no engine answers there" (→ `ENGINE_UNREACHABLE`). */
const UNREACHABLE: Record<string, string> = {
  ENOENT: 'is dockerd running? try scripts/engine.sh',
  ECONNREFUSED: 'is dockerd running? try scripts/engine.sh',
  EACCES: 'no permission on the socket: add your user to the docker group, or set DOCKER_HOST',
  EPERM: 'no permission on the socket: add your user to the docker group, or set DOCKER_HOST',
  ENOTFOUND: 'check the host name in DOCKER_HOST',
  EAI_AGAIN: 'check the host name in DOCKER_HOST',
  EHOSTUNREACH: 'check DOCKER_HOST and your network',
  ENETUNREACH: 'check DOCKER_HOST and your network',
  ETIMEDOUT: 'check DOCKER_HOST and your network',
  ECONNRESET: 'is DOCKER_HOST an engine? (TLS needs DOCKER_TLS_VERIFY=1)',
  EPROTO: 'does the daemon expect TLS? set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH',
};

type NodeError = Error & { code?: string; syscall?: string; reusedSocket?: boolean; connected?: boolean };

function daemonMessage(text: string, res: IncomingMessage): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const body = JSON.parse(trimmed) as { message?: unknown };
      if (typeof body.message === 'string' && body.message !== '') return body.message;
    } catch {
      // not JSON after all: fall through to the text
    }
  }
  if (trimmed === '') return `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim();
  // an HTML error page (a proxy or web server answering instead of the engine): its title only
  if (/html/i.test(String(res.headers['content-type'] ?? '')) || /^<(!doctype|html|head|body)\b/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)</i.exec(trimmed)?.[1] ?? /<h1[^>]*>([^<]*)</i.exec(trimmed)?.[1] ?? trimmed.replace(/<[^>]*>/g, ' ');
    return `HTTP ${res.statusCode} with an HTML page instead of an Engine API answer: ${JSON.stringify(shorten(title.replace(/\s+/g, ' ').trim(), 80))}`;
  }
  // plain text: its first line, at most 200 characters
  return shorten(trimmed.split(/\r?\n/)[0]!.trim(), 200);
}

/** `text` cut to `max` characters, with `…` when cut. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The {@link EngineError} for an HTTP error status; an HTML answer gets a hint about `DOCKER_HOST`. */
function statusError(status: number, text: string, res: IncomingMessage, context: string): EngineError {
  const message = daemonMessage(text, res);
  const html = message.includes('with an HTML page instead of an Engine API answer');
  return new EngineError(status, message, context, html ? { hint: 'is DOCKER_HOST the Docker engine, not a web server or proxy in front of it?' } : {});
}

/** Hint for a connection the engine dropped (it restarted, crashed or was stopped). */
const DROPPED_HINT = 'the engine may have restarted or stopped: check it with `docker info`, then run the command again';

/**
 * Implements the {@link Engine} contract over HTTP. Create one per process with
 * {@link EngineClient.fromEnvironment}; it is safe to use concurrently. Call {@link close} when
 * done if the process must exit while sockets are idle.
 */
export class EngineClient implements Engine, SwarmEngine {
  /** Where requests go. */
  readonly endpoint: EngineEndpoint;
  private readonly maxApiVersion: string;
  private readonly pingTimeoutMs: number;
  private readonly userAgent: string;
  private negotiated: string | undefined;
  private negotiation: Promise<string> | undefined;
  private agentInstance: http.Agent | undefined;

  /** Builds a client for `options.endpoint`; nothing is connected until the first call. */
  constructor(options: EngineClientOptions) {
    this.endpoint = options.endpoint;
    this.negotiated = options.apiVersion;
    this.maxApiVersion = options.maxApiVersion ?? MAX_API_VERSION;
    this.userAgent = options.userAgent ?? 'capstan';
    this.pingTimeoutMs = options.pingTimeoutMs ?? PING_TIMEOUT_MS;
  }

  /**
   * A client for the engine named by the environment ({@link resolveEndpoint}); honours
   * `DOCKER_API_VERSION` to pin the API version.
   *
   * @throws CapstanError `ENGINE_UNREACHABLE` for an unsupported `DOCKER_HOST`.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): EngineClient {
    const pinned = env.DOCKER_API_VERSION?.trim();
    return new EngineClient({
      endpoint: resolveEndpoint(env),
      ...(pinned ? { apiVersion: pinned.replace(/^v/, '') } : {}),
    });
  }

  /** The negotiated (or pinned) API version, e.g. `"1.41"`; undefined until the first ping answers. */
  get apiVersion(): string | undefined {
    return this.negotiated;
  }

  /** {@link Engine.negotiatedApiVersion}. @throws CapstanError `ENGINE_UNREACHABLE` as {@link ping}. */
  negotiatedApiVersion(): Promise<string> {
    return this.negotiate();
  }

  /** The endpoint as a URL, e.g. `unix:///var/run/docker.sock`. */
  get endpointUrl(): string {
    return formatEndpoint(this.endpoint);
  }

  /** Closes idle keep-alive sockets; the client still works afterwards (it reconnects). */
  close(): void {
    this.agentInstance?.destroy();
    this.agentInstance = undefined;
  }

  // ── transport ──

  private agent(): http.Agent {
    if (this.agentInstance) return this.agentInstance;
    const ep = this.endpoint;
    if (ep.kind === 'tcp' && ep.tls) {
      const read = (name: string): Buffer => {
        const file = join(ep.tls!.certPath, name);
        try {
          return readFileSync(file);
        } catch (cause) {
          throw new CapstanError('ENGINE_UNREACHABLE', `cannot read the TLS file ${file}: ${(cause as NodeError).code ?? cause}`, {
            hint: 'set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem',
            cause,
          });
        }
      };
      this.agentInstance = new (httpsModule().Agent)({
        keepAlive: true,
        ca: read('ca.pem'),
        cert: read('cert.pem'),
        key: read('key.pem'),
        rejectUnauthorized: ep.tls.verify,
      });
    } else {
      this.agentInstance = new http.Agent({ keepAlive: true });
    }
    return this.agentInstance;
  }

  /** An agent for one request on a new connection (closed after its answer), with the keep-alive agent's TLS settings. */
  private freshAgent(): http.Agent {
    const { options } = this.agent() as http.Agent & { options: http.AgentOptions };
    const ep = this.endpoint;
    return ep.kind === 'tcp' && ep.tls ? new (httpsModule().Agent)({ ...options, keepAlive: false }) : new http.Agent({ keepAlive: false });
  }

  /**
   * Sends one request; resolves with the response (any status) or rejects with a Node error.
   * `fresh`: on a new connection of its own instead of the keep-alive agent's.
   */
  private transport(spec: RequestSpec, path: string, fresh = false): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const ep = this.endpoint;
      const headers: OutgoingHttpHeaders = { 'User-Agent': this.userAgent, ...spec.headers };
      let payload: Buffer | undefined;
      let stream: NodeJS.ReadableStream | undefined;
      if (spec.json !== undefined) {
        payload = Buffer.from(JSON.stringify(spec.json), 'utf8');
        headers['Content-Type'] = 'application/json';
      } else if (Buffer.isBuffer(spec.body)) {
        payload = spec.body;
        headers['Content-Type'] = spec.contentType ?? 'application/octet-stream';
      } else if (spec.body) {
        stream = spec.body;
        headers['Content-Type'] = spec.contentType ?? 'application/octet-stream';
      }
      if (!stream) headers['Content-Length'] = payload?.length ?? 0;
      const options: http.RequestOptions = {
        method: spec.method,
        path,
        headers,
        agent: fresh ? this.freshAgent() : this.agent(),
        ...(spec.signal ? { signal: spec.signal } : {}),
        // On a socket there is no TLS server name: saying so spares the agent its IP check of
        // the host name, a regular expression that costs milliseconds on a cold start.
        ...(ep.kind === 'tcp' ? { host: ep.host, port: ep.port } : { socketPath: ep.socketPath, servername: '' }),
      };
      const send = ep.kind === 'tcp' && ep.tls ? httpsModule().request : http.request;
      const req = send(options, resolve);
      req.on('error', (err: NodeError) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      if (stream) {
        stream.on('error', (err) => req.destroy(err));
        stream.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  /** Maps a transport/stream failure to Capstan's errors (`ENGINE_UNREACHABLE`, `CANCELLED`, `ENGINE`). */
  private mapError(err: unknown, spec: RequestSpec, connected: boolean): Error {
    if (err instanceof CapstanError) return err;
    const e = err as NodeError;
    if (spec.signal?.aborted || e?.name === 'AbortError') {
      return new CapstanError('CANCELLED', `${spec.context}: cancelled`, { cause: spec.signal?.reason ?? err });
    }
    // the engine dropped the connection: mid-answer, or (after the ping) before answering at all
    if (connected && (e?.message === 'aborted' || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE')) {
      return new CapstanError('ENGINE', `${spec.context}: the engine closed the connection before its answer was complete`, { hint: DROPPED_HINT, cause: err });
    }
    if (!connected && e?.code === 'ECONNRESET' && e.message === 'socket hang up' && spec.path !== '/_ping') {
      return new CapstanError('ENGINE', `${spec.context}: the engine closed the connection without answering`, { hint: DROPPED_HINT, cause: err });
    }
    const hint = e?.code ? UNREACHABLE[e.code] : undefined;
    if (!connected && hint) {
      const what = e.syscall && e.code ? `${e.syscall} ${e.code}` : e.message;
      return new CapstanError('ENGINE_UNREACHABLE', `cannot connect to the Docker engine at ${this.endpointUrl}: ${what}`, {
        hint,
        cause: err,
      });
    }
    return new CapstanError('ENGINE', `${spec.context}: ${e?.message ?? String(err)}`, { cause: err });
  }

  /**
   * Negotiates the version if needed, sends the request and checks the status. Resolves with the
   * response for 2xx, 304 and statuses in `spec.accept`; otherwise reads the body and throws.
   *
   * @throws EngineError for any other status; CapstanError as in {@link mapError}.
   */
  private async open(spec: RequestSpec): Promise<IncomingMessage> {
    // A read sent before the version is known goes out at MIN_API_VERSION beside the ping instead
    // of after it (every engine Capstan supports speaks 1.41). An older engine refuses it with a
    // 400 ("too new", "not supported"): it is sent again at the negotiated version. Writes always
    // wait for the negotiation.
    if (spec.versioned !== false && !this.negotiated && spec.method === 'GET') {
      // A failed ping (no engine, or one that never answers) ends the read unanswered with it.
      const negotiation = this.negotiate();
      const unanswered = new AbortController();
      let answered = false;
      negotiation.catch(() => answered || unanswered.abort());
      const signal = spec.signal ? AbortSignal.any([spec.signal, unanswered.signal]) : unanswered.signal;
      try {
        const res = await this.openAt(MIN_API_VERSION, { ...spec, signal });
        answered = true;
        return res;
      } catch (err) {
        if (unanswered.signal.aborted) await negotiation; // throws the ping's error
        if (!(err instanceof EngineError && err.statusCode === 400) || (await negotiation) === MIN_API_VERSION) throw err;
      }
    }
    return this.openAt(spec.versioned === false ? undefined : await this.negotiate(), spec);
  }

  /** {@link open} at a given API version (`undefined`: an unversioned path). */
  private async openAt(version: string | undefined, spec: RequestSpec): Promise<IncomingMessage> {
    const path = apiPath(version, spec.path, spec.query);
    let res: IncomingMessage;
    try {
      try {
        res = await this.transport(spec, path);
      } catch (err) {
        // A keep-alive socket the engine closed while idle (its close not seen yet, e.g. while the
        // event loop was busy): send once more on a new socket. A read always; a write only on
        // EPIPE with a buffered body: the write itself failed, so the engine never read the request
        // (ECONNRESET could come after the engine acted on it, and a streamed body is gone).
        const e = err as NodeError;
        const retriable = e.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        const read = spec.method === 'GET' || spec.method === 'HEAD';
        const unsent = e.code === 'EPIPE' && !(spec.body && !Buffer.isBuffer(spec.body));
        if (!retriable || !(read || unsent)) throw err;
        // The other idle sockets are as old: dropped, and the request goes on a new connection of
        // its own (the agent may still hand out a destroyed socket until its close is seen).
        for (const free of Object.values(this.agent().freeSockets)) for (const socket of free ?? []) socket.destroy();
        res = await this.transport(spec, path, true);
      }
    } catch (err) {
      throw this.mapError(err, spec, false);
    }
    const status = res.statusCode ?? 0;
    if ((status >= 200 && status < 300) || status === 304 || spec.accept?.includes(status)) return res;
    const text = await this.readText(res, spec);
    throw statusError(status, text, res, spec.context);
  }

  private async readText(res: IncomingMessage, spec: RequestSpec): Promise<string> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (err) {
      throw this.mapError(err, spec, true);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Sends the request and parses the JSON answer (undefined for an empty body). */
  private async json<T>(spec: RequestSpec): Promise<T> {
    const res = await this.open(spec);
    const text = await this.readText(res, spec);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new CapstanError('ENGINE', `${spec.context}: the engine answered with invalid JSON`, {
        cause,
        details: [text.slice(0, 200)],
      });
    }
  }

  /** Sends the request and drains the answer; resolves with the status code. */
  private async call(spec: RequestSpec): Promise<number> {
    const res = await this.open(spec);
    await this.readText(res, spec);
    return res.statusCode ?? 0;
  }

  /**
   * Streams the response body through `decode`. When `endOnAbort`, an abort of `spec.signal`
   * ends the iterator quietly; otherwise it throws `CANCELLED`. Stopping the iteration early
   * (break/return) closes the connection.
   */
  private async *stream<T>(
    spec: RequestSpec,
    decode: (body: AsyncIterable<ByteChunk>) => AsyncGenerator<T, void, undefined>,
    endOnAbort: boolean,
  ): AsyncGenerator<T, void, undefined> {
    const signal = spec.signal;
    if (signal?.aborted) {
      if (endOnAbort) return;
      throw this.mapError(signal.reason, spec, false);
    }
    let res: IncomingMessage;
    try {
      res = await this.open(spec);
    } catch (err) {
      if (endOnAbort && signal?.aborted) return;
      throw err;
    }
    const onAbort = (): void => {
      res.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      yield* decode(res);
      if (signal?.aborted) {
        if (endOnAbort) return;
        throw this.mapError(signal.reason, spec, true);
      }
    } catch (err) {
      if (endOnAbort && signal?.aborted) return;
      throw this.mapError(err, spec, true);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!res.complete) res.destroy();
    }
  }

  private async negotiate(): Promise<string> {
    if (this.negotiated) return this.negotiated;
    this.negotiation ??= this.pingOnce().finally(() => {
      this.negotiation = undefined;
    });
    return this.negotiation;
  }

  private async pingOnce(): Promise<string> {
    // An engine that accepts the connection but never answers must not hang Capstan forever.
    const deadline = AbortSignal.timeout(this.pingTimeoutMs);
    const spec: RequestSpec = { method: 'GET', path: '/_ping', context: 'ping the Docker engine', versioned: false, signal: deadline };
    let res: http.IncomingMessage;
    try {
      res = await this.open(spec);
      await this.readText(res, spec);
    } catch (err) {
      if (!deadline.aborted) throw err;
      throw new CapstanError('ENGINE_UNREACHABLE', `the Docker engine at ${this.endpointUrl} did not answer within ${this.pingTimeoutMs / 1000}s`, {
        hint: 'is dockerd running and healthy? try scripts/engine.sh',
      });
    }
    const header = res.headers['api-version'];
    this.negotiated ??= negotiateApiVersion(Array.isArray(header) ? header[0] : header, this.maxApiVersion);
    return this.negotiated;
  }

  // ── system ──

  /**
   * `GET /_ping`. The first call (or the first of any calls) also negotiates the API version
   * from the `Api-Version` header.
   *
   * @throws CapstanError `ENGINE_UNREACHABLE` when nothing answers; EngineError on an HTTP error.
   */
  async ping(): Promise<void> {
    if (!this.negotiated) {
      await this.negotiate();
      return;
    }
    await this.pingOnce();
  }

  /** `GET /version`. @throws EngineError, CapstanError `ENGINE_UNREACHABLE`. */
  version(): Promise<EngineVersion> {
    return this.json<EngineVersion>({ method: 'GET', path: '/version', context: 'read the engine version' });
  }

  // ── containers ──

  /**
   * `GET /containers/json?all=…&filters=…` (filters JSON-encoded, e.g.
   * `{ label: ['com.docker.compose.project=x'] }`).
   *
   * @throws EngineError (400 for a bad filter), CapstanError `ENGINE_UNREACHABLE`.
   */
  async listContainers(options: { all?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    const list = await this.json<ContainerSummary[] | null>({
      method: 'GET',
      path: '/containers/json',
      query: { all: options.all, filters: options.filters },
      context: 'list containers',
    });
    return list ?? [];
  }

  /**
   * `POST /containers/create?name=…` → the new container's ID. Durations in the body
   * (`Healthcheck.*`) are **nanoseconds**, `HostConfig.NanoCpus` is CPUs × 10⁹, memory in bytes,
   * `StopTimeout` in seconds.
   *
   * `platform` (`os[/arch[/variant]]`, query parameter since API 1.41) picks the image variant.
   *
   * @throws EngineError 409 (`CONFLICT`) when the name is taken, 404 when the image is missing
   *   (or not for `platform`), 400 for an invalid body.
   */
  async createContainer(name: string, body: ContainerCreateBody, platform?: string): Promise<string> {
    const res = await this.json<{ Id: string; Warnings?: string[] }>({
      method: 'POST',
      path: '/containers/create',
      query: { name: name || undefined, platform: platform || undefined },
      json: body,
      context: `create container ${name}`,
    });
    return res.Id;
  }

  /** `GET /containers/{id}/json`. @throws EngineError 404 (`NOT_FOUND`) when there is no such container. */
  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.json<ContainerInspect>({ method: 'GET', path: `/containers/${seg(id)}/json`, context: `inspect container ${id}` });
  }

  /** `GET /containers/{id}/top?ps_args=…` (see {@link Engine.topContainer}). */
  topContainer(id: string, psArgs?: string): Promise<ContainerTop> {
    return this.json<ContainerTop>({ method: 'GET', path: `/containers/${seg(id)}/top`, query: { ps_args: psArgs }, context: `list the processes of container ${id}` });
  }

  /**
   * `POST /containers/{id}/start`. Already started (304) is not an error.
   *
   * @throws EngineError 404 for a missing container, 500 when the start fails (port in use, bad
   *   mount, …: the daemon's message says which).
   */
  async startContainer(id: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${seg(id)}/start`, context: `start container ${id}` });
  }

  /**
   * `POST /containers/{id}/stop?t=…`, `timeoutSeconds` in **seconds** before SIGKILL (default:
   * the container's `StopTimeout`, else 10). Already stopped (304) is not an error. The request
   * lasts as long as the stop.
   *
   * @throws EngineError 404 for a missing container.
   */
  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/containers/${seg(id)}/stop`,
      query: { t: timeoutSeconds === undefined ? undefined : Math.max(0, Math.round(timeoutSeconds)) },
      context: `stop container ${id}`,
    });
  }

  /**
   * `POST /containers/{id}/kill?signal=…` (default SIGKILL).
   *
   * @throws EngineError 404 for a missing container, 409 when it is not running.
   */
  async killContainer(id: string, signal?: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${seg(id)}/kill`, query: { signal }, context: `kill container ${id}` });
  }

  /**
   * `POST /containers/{id}/pause`.
   *
   * @throws EngineError 404 for a missing container, 409 when it is not running or already paused.
   */
  async pauseContainer(id: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${seg(id)}/pause`, context: `pause container ${id}` });
  }

  /**
   * `POST /containers/{id}/unpause`.
   *
   * @throws EngineError 404 for a missing container, 409 when it is not paused.
   */
  async unpauseContainer(id: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${seg(id)}/unpause`, context: `unpause container ${id}` });
  }

  /**
   * `DELETE /containers/{id}?force=…&v=…` (`volumes` removes anonymous volumes). A missing
   * container (404) is not an error.
   *
   * @throws EngineError 409 when it is running and `force` is not set, or a removal is in progress.
   */
  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/containers/${seg(id)}`,
      query: { force: options.force || undefined, v: options.volumes || undefined },
      context: `remove container ${id}`,
      accept: [404],
    });
  }

  /** `POST /containers/{id}/rename?name=…`. @throws EngineError 404 missing, 409 name taken. */
  async renameContainer(id: string, name: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${seg(id)}/rename`, query: { name }, context: `rename container ${id} to ${name}` });
  }

  /**
   * `POST /containers/{id}/wait?condition=…` (default `not-running`) → the exit code. The request
   * lasts until the condition is met. Use `next-exit` *before* starting a container to not miss
   * a fast exit.
   *
   * @throws EngineError 404 for a missing container; CapstanError `ENGINE` when the daemon reports
   *   a wait error in the body; CapstanError `CANCELLED` when `signal` aborts.
   */
  async waitContainer(id: string, condition?: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<number> {
    const spec: RequestSpec = {
      method: 'POST',
      path: `/containers/${seg(id)}/wait`,
      query: { condition },
      context: `wait for container ${id}`,
      ...(signal ? { signal } : {}),
    };
    if (signal?.aborted) throw this.mapError(signal.reason, spec, false);
    const res = await this.json<{ StatusCode: number; Error?: { Message?: string } | null }>(spec);
    if (res?.Error?.Message) throw new CapstanError('ENGINE', `${spec.context}: ${res.Error.Message}`);
    return res.StatusCode;
  }

  /**
   * `GET /containers/{id}/logs?stdout=1&stderr=1&follow=…&tail=…&since=…&timestamps=…`,
   * demultiplexed by `options.tty` (the container's `Config.Tty`; never by Content-Type). With
   * `follow`, the iterator runs until the container stops or `signal` aborts — an abort ends it
   * quietly. `since` is Unix seconds or RFC 3339.
   *
   * @throws EngineError 404 for a missing container; CapstanError `ENGINE` for a malformed stream.
   */
  containerLogs(id: string, options: LogsOptions): AsyncIterable<LogChunk> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `/containers/${seg(id)}/logs`,
      query: {
        stdout: true,
        stderr: true,
        follow: options.follow || undefined,
        tail: options.tail === undefined ? undefined : String(options.tail),
        since: options.since === undefined ? undefined : toEngineTimestamp(options.since),
        until: options.until === undefined ? undefined : toEngineTimestamp(options.until),
        timestamps: options.timestamps || undefined,
      },
      context: `read the logs of container ${id}`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    return this.stream(spec, options.tty ? rawStream : demuxStream, true);
  }

  /**
   * `PUT /containers/{id}/archive?path=…` with an uncompressed tar body
   * (`Content-Type: application/x-tar`): extracts it into directory `path` of the container.
   *
   * @throws EngineError 404 when the container or `path` does not exist, 403 for a read-only
   *   path, 400 for a bad archive.
   */
  async putArchive(id: string, path: string, tar: Buffer): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/containers/${seg(id)}/archive`,
      query: { path },
      body: tar,
      contentType: 'application/x-tar',
      context: `copy files into ${id}:${path}`,
    });
  }

  // ── cp / stats / export / commit (issue 10) ──

  /**
   * `HEAD /containers/{id}/archive?path=…`: the path's stat from the `X-Docker-Container-Path-Stat`
   * header (base64 JSON), or `undefined` when the path does not exist.
   *
   * @throws EngineError 404 when the container does not exist (the path's 404 resolves undefined).
   */
  async statContainerPath(id: string, path: string): Promise<ContainerPathStat | undefined> {
    const spec: RequestSpec = { method: 'HEAD', path: `/containers/${seg(id)}/archive`, query: { path }, context: `stat ${id}:${path}`, accept: [404] };
    const res = await this.open(spec);
    await this.readText(res, spec);
    const header = res.headers['x-docker-container-path-stat'];
    if (res.statusCode === 404 || typeof header !== 'string') {
      if (res.statusCode === 404) await this.inspectContainer(id); // a missing container throws 404
      return undefined;
    }
    return decodePathStat(header);
  }

  /**
   * `GET /containers/{id}/archive?path=…`: an uncompressed tar of `path` (its top entry named as
   * the path's base name) and the path's stat. The caller must consume or destroy `content`.
   *
   * @throws EngineError 404 when the container or the path does not exist.
   */
  async getArchive(id: string, path: string, signal?: AbortSignal): Promise<ContainerArchive> {
    const spec: RequestSpec = { method: 'GET', path: `/containers/${seg(id)}/archive`, query: { path }, context: `copy ${id}:${path}`, ...(signal ? { signal } : {}) };
    const res = await this.open(spec);
    const header = res.headers['x-docker-container-path-stat'];
    const stat = typeof header === 'string' ? decodePathStat(header) : { name: path, size: 0, mode: 0, mtime: '', linkTarget: '' };
    return { stat, content: res as AsyncIterable<Buffer> };
  }

  /**
   * `PUT /containers/{id}/archive?path=…` with an uncompressed tar body (buffer or stream),
   * `noOverwriteDirNonDir=true` (a file never replaces a directory, nor the reverse) and
   * `copyUIDGID` (keep the archive's owners instead of root).
   *
   * @throws EngineError 404 when the container or `path` does not exist, 400 for a bad archive or
   *   a file/directory conflict, 403 for a read-only path.
   */
  async copyToContainer(id: string, path: string, tar: Buffer | NodeJS.ReadableStream, options: { copyUIDGID?: boolean } = {}): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/containers/${seg(id)}/archive`,
      query: { path, noOverwriteDirNonDir: true, copyUIDGID: options.copyUIDGID ? true : undefined },
      body: tar,
      contentType: 'application/x-tar',
      context: `copy files into ${id}:${path}`,
    });
  }

  /**
   * `GET /containers/{id}/stats?stream=…&one-shot=…`: with `stream`, one sample about every
   * second until `signal` aborts (the iterator then ends quietly) or the container goes away;
   * without, one sample (about a second late unless `oneShot`, which leaves `precpu_stats` empty).
   *
   * @throws EngineError 404 for a missing container.
   */
  containerStats(id: string, options: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): AsyncIterable<ContainerStats> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `/containers/${seg(id)}/stats`,
      query: { stream: options.stream, 'one-shot': options.oneShot ? true : undefined },
      context: `stats of container ${id}`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    return this.stream(spec, readNdjson<ContainerStats>, true);
  }

  /**
   * `GET /containers/{id}/export`: an uncompressed tar of the container's filesystem.
   * The caller must consume the stream.
   *
   * @throws EngineError 404 for a missing container.
   */
  async exportContainer(id: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const res = await this.open({ method: 'GET', path: `/containers/${seg(id)}/export`, context: `export container ${id}`, ...(signal ? { signal } : {}) });
    return res as AsyncIterable<Buffer>;
  }

  /**
   * `POST /commit?container=…&repo=…&tag=…&comment=…&author=…&pause=…&changes=…` (one `changes`
   * parameter per instruction) → the new image's ID.
   *
   * @throws EngineError 404 for a missing container, 400 for a bad change instruction.
   */
  async commitContainer(id: string, options: CommitOptions): Promise<string> {
    const res = await this.json<{ Id: string }>({
      method: 'POST',
      path: '/commit',
      query: {
        container: id,
        repo: options.repo || undefined,
        tag: options.tag || undefined,
        comment: options.comment || undefined,
        author: options.author || undefined,
        pause: options.pause === false ? false : undefined,
        changes: options.changes?.length ? options.changes : undefined,
      },
      json: {},
      context: `commit container ${id}`,
    });
    return res.Id;
  }

  // ── exec ──

  /**
   * `POST /containers/{id}/exec` → the exec instance's ID. Output is attached (stdout and
   * stderr), stdin only with `attachStdin` (then {@link attachExec} streams it). Nothing runs
   * until {@link startExec}, {@link attachExec} or {@link startExecDetached}.
   *
   * @throws EngineError 404 for a missing container, 409 when it is not running or paused.
   */
  async createExec(container: string, options: ExecOptions): Promise<string> {
    const res = await this.json<{ Id: string }>({
      method: 'POST',
      path: `/containers/${seg(container)}/exec`,
      json: {
        AttachStdin: options.attachStdin ?? false,
        AttachStdout: true,
        AttachStderr: true,
        Tty: options.tty ?? false,
        Cmd: options.cmd,
        ...(options.user ? { User: options.user } : {}),
        ...(options.privileged ? { Privileged: true } : {}),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
        ...(options.env?.length ? { Env: options.env } : {}),
      },
      context: `create an exec in container ${container}`,
    });
    return res.Id;
  }

  /**
   * `POST /exec/{id}/start` with `{ Detach: false, Tty }`: dockerd takes over the connection,
   * answers `200` and writes the process output until it exits, then closes. Yields that output,
   * demultiplexed unless `tty` (pass the exec's own `Tty`; never decided from Content-Type).
   * Read the exit code afterwards with {@link inspectExec}.
   *
   * @throws EngineError 404 for a missing exec, 409 when the container stopped; CapstanError
   *   `CANCELLED` when `signal` aborts.
   */
  startExec(execId: string, options: { tty?: boolean; signal?: AbortSignal } = {}): AsyncIterable<LogChunk> {
    const spec = execStartSpec(execId, options);
    return this.stream(spec, options.tty ? rawStream : demuxStream, false);
  }

  /**
   * `POST /exec/{id}/start` `{ Detach: false, Tty }` on a hijacked connection (`Connection:
   * Upgrade`, `Upgrade: tcp`; dockerd answers `101 UPGRADED` and the socket becomes a raw duplex
   * stream). `options.stdin` is piped into it; when it ends the socket's write side is shut down
   * (half-close) so the process reads EOF while its output keeps coming. Yields that output,
   * demultiplexed unless `tty`, until dockerd closes the connection (the process exited).
   *
   * @throws EngineError 404 for a missing exec, 409 when the container stopped; CapstanError
   *   `CANCELLED` when `signal` aborts, `ENGINE_UNREACHABLE` when nothing answers.
   */
  attachExec(execId: string, options: ExecAttachOptions = {}): AsyncIterable<LogChunk> {
    const spec = execStartSpec(execId, options);
    const client = this;
    return (async function* () {
      yield* client.hijackedOutput(await client.hijack(spec), spec, options.tty, options.stdin, true);
    })();
  }

  /**
   * The output of a hijacked connection (`attachExec`, `attachContainer`): `stdin` piped in, the
   * write side shut down when it ends (or at once when there is none and `endWithoutStdin`: an
   * attached container reads that as the end of the attach); yields the output, demultiplexed
   * unless `tty`; the socket is destroyed when `spec.signal` aborts and when reading ends.
   * @throws CapstanError `CANCELLED` on abort; errors mapped as every request's.
   */
  private hijackedOutput(
    socket: Duplex,
    spec: RequestSpec,
    tty: boolean | undefined,
    stdin: NodeJS.ReadableStream | undefined,
    endWithoutStdin: boolean,
  ): AsyncIterable<LogChunk> {
    const client = this;
    const onAbort = (): void => void socket.destroy();
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (stdin) {
      stdin.on('error', () => socket.end());
      stdin.pipe(socket); // ends (half-closes) the socket when stdin ends
    } else if (endWithoutStdin) {
      socket.end();
    }
    return (async function* () {
      try {
        yield* (tty ? rawStream : demuxStream)(socket);
        if (spec.signal?.aborted) throw client.mapError(spec.signal.reason, spec, true);
      } catch (err) {
        throw client.mapError(err, spec, true);
      } finally {
        spec.signal?.removeEventListener('abort', onAbort);
        stdin?.unpipe(socket);
        socket.destroy();
      }
    })();
  }

  /** `POST /exec/{id}/start` `{ Detach: true, Tty }`. @throws EngineError 404, 409. */
  async startExecDetached(execId: string, options: { tty?: boolean } = {}): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/exec/${seg(execId)}/start`,
      json: { Detach: true, Tty: options.tty ?? false },
      context: `start exec ${execId.slice(0, 12)}`,
    });
  }

  /** `POST /exec/{id}/resize?h=…&w=…` (characters). @throws EngineError 404 (exec gone), 500 (no TTY). */
  async resizeExec(execId: string, size: { height: number; width: number }): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/exec/${seg(execId)}/resize`,
      query: { h: String(size.height), w: String(size.width) },
      context: `resize exec ${execId.slice(0, 12)}`,
    });
  }

  // ── run / attach (issue 10): container attach and resize ──

  /**
   * `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1][&logs=1][&detachKeys=…]`
   * on a hijacked connection (`Connection: Upgrade`, `Upgrade: tcp`; dockerd answers `101`).
   * Resolves once upgraded — attach *before* `POST /start` so that no output is lost — with the
   * output as an iterable, demultiplexed unless `tty` (the container's `Config.Tty`), which ends
   * when dockerd closes the stream (the container stopped, or the detach keys were typed).
   * `options.stdin` is piped in and the write side is shut down (half-close) when it ends; for a
   * container created with `StdinOnce` the engine then closes the container's stdin.
   *
   * @throws EngineError 404 for a missing container, 409 when it is paused or cannot be attached;
   *   CapstanError `CANCELLED` when `signal` aborts, `ENGINE_UNREACHABLE` when nothing answers.
   */
  async attachContainer(id: string, options: ContainerAttachOptions = {}): Promise<AsyncIterable<LogChunk>> {
    const spec: RequestSpec = {
      method: 'POST',
      path: `/containers/${seg(id)}/attach`,
      query: {
        stream: true,
        stdout: true,
        stderr: true,
        stdin: options.stdin ? true : undefined,
        logs: options.logs || undefined,
        detachKeys: options.detachKeys || undefined,
      },
      context: `attach to container ${id}`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    // without stdin the write side stays open: dockerd reads a half-close as the end of the attach
    return this.hijackedOutput(await this.hijack(spec), spec, options.tty, options.stdin, false);
  }

  /** `POST /containers/{id}/resize?h=…&w=…` (characters). @throws EngineError 404 (gone), 500 (no TTY). */
  async resizeContainer(id: string, size: { height: number; width: number }): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/containers/${seg(id)}/resize`,
      query: { h: String(size.height), w: String(size.width) },
      context: `resize container ${id}`,
    });
  }

  /**
   * Sends `spec` asking for a protocol upgrade and resolves with the raw socket once dockerd
   * answers `101` (bytes read past the headers are put back first).
   * @throws EngineError for an error status; CapstanError `ENGINE` for a 2xx without upgrade,
   *   others as in {@link mapError}.
   */
  private async hijack(spec: RequestSpec): Promise<Duplex> {
    const path = apiPath(await this.negotiate(), spec.path, spec.query);
    const payload = Buffer.from(JSON.stringify(spec.json ?? {}), 'utf8');
    const ep = this.endpoint;
    const result = new Promise<Duplex>((resolve, reject) => {
      const options: http.RequestOptions = {
        method: spec.method,
        path,
        headers: {
          'User-Agent': this.userAgent,
          'Content-Type': 'application/json',
          'Content-Length': payload.length,
          Connection: 'Upgrade',
          Upgrade: 'tcp',
        },
        agent: this.agent(),
        ...(spec.signal ? { signal: spec.signal } : {}),
        ...(ep.kind === 'tcp' ? { host: ep.host, port: ep.port } : { socketPath: ep.socketPath, servername: '' }),
      };
      const send = ep.kind === 'tcp' && ep.tls ? httpsModule().request : http.request;
      const req = send(options);
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.destroy();
          reject(new CapstanError('ENGINE', `${spec.context}: the engine did not upgrade the connection (HTTP ${status})`));
          return;
        }
        this.readText(res, spec).then((text) => reject(statusError(status, text, res, spec.context)), reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
    try {
      return await result;
    } catch (err) {
      throw this.mapError(err, spec, false);
    }
  }

  /** `GET /exec/{id}/json`: `Running` and `ExitCode` (null while running). @throws EngineError 404. */
  inspectExec(execId: string): Promise<ExecInspect> {
    return this.json<ExecInspect>({ method: 'GET', path: `/exec/${seg(execId)}/json`, context: `inspect exec ${execId.slice(0, 12)}` });
  }

  // ── networks ──

  /** `GET /networks?filters=…`. @throws EngineError. */
  async listNetworks(filters?: Filters): Promise<Network[]> {
    return (await this.json<Network[] | null>({ method: 'GET', path: '/networks', query: { filters }, context: 'list networks' })) ?? [];
  }

  /** `GET /networks/{id}`. @throws EngineError 404 (`NOT_FOUND`). */
  inspectNetwork(id: string): Promise<Network> {
    return this.json<Network>({ method: 'GET', path: `/networks/${seg(id)}`, context: `inspect network ${id}` });
  }

  /** `POST /networks/create` → the network ID. @throws EngineError 409 when the name is taken (with `CheckDuplicate`), 400/500 for a bad IPAM or driver. */
  async createNetwork(body: NetworkCreateBody): Promise<string> {
    const res = await this.json<{ Id: string; Warning?: string }>({
      method: 'POST',
      path: '/networks/create',
      json: body,
      context: `create network ${body.Name}`,
    });
    return res.Id;
  }

  /** `DELETE /networks/{id}`. A missing network (404) is not an error. @throws EngineError 403/409 when containers still use it. */
  async removeNetwork(id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/networks/${seg(id)}`, context: `remove network ${id}`, accept: [404] });
  }

  /** `POST /networks/{id}/connect` with `{ Container, EndpointConfig }`. @throws EngineError 404, 403. */
  async connectNetwork(id: string, container: string, endpoint?: EndpointSettings): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/networks/${seg(id)}/connect`,
      json: { Container: container, ...(endpoint ? { EndpointConfig: endpoint } : {}) },
      context: `connect container ${container} to network ${id}`,
    });
  }

  /** `POST /networks/{id}/disconnect` with `{ Container, Force }`. @throws EngineError 404, 403. */
  async disconnectNetwork(id: string, container: string, force?: boolean): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/networks/${seg(id)}/disconnect`,
      json: { Container: container, Force: force ?? false },
      context: `disconnect container ${container} from network ${id}`,
    });
  }

  // ── volumes ──

  /** `GET /volumes?filters=…` → the `Volumes` array (never null). @throws EngineError. */
  async listVolumes(filters?: Filters): Promise<Volume[]> {
    const res = await this.json<{ Volumes: Volume[] | null }>({ method: 'GET', path: '/volumes', query: { filters }, context: 'list volumes' });
    return res?.Volumes ?? [];
  }

  /** `GET /volumes/{name}`. @throws EngineError 404 (`NOT_FOUND`). */
  inspectVolume(name: string): Promise<Volume> {
    return this.json<Volume>({ method: 'GET', path: `/volumes/${seg(name)}`, context: `inspect volume ${name}` });
  }

  /** `POST /volumes/create` → the volume (an existing volume of that name is returned as is). @throws EngineError. */
  createVolume(body: VolumeCreateBody): Promise<Volume> {
    return this.json<Volume>({ method: 'POST', path: '/volumes/create', json: body, context: `create volume ${body.Name}` });
  }

  /** `DELETE /volumes/{name}?force=…`. A missing volume (404) is not an error. @throws EngineError 409 when in use. */
  async removeVolume(name: string, force?: boolean): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/volumes/${seg(name)}`,
      query: { force: force || undefined },
      context: `remove volume ${name}`,
      accept: [404],
    });
  }

  // ── images ──

  /** `GET /images/{name}/json`; resolves `undefined` when the image does not exist (404). @throws EngineError otherwise. */
  async inspectImage(name: string): Promise<ImageInspect | undefined> {
    const spec: RequestSpec = { method: 'GET', path: `/images/${imageSeg(name)}/json`, context: `inspect image ${name}`, accept: [404] };
    const res = await this.open(spec);
    const text = await this.readText(res, spec);
    if (res.statusCode === 404) return undefined;
    try {
      return JSON.parse(text) as ImageInspect;
    } catch (cause) {
      throw new CapstanError('ENGINE', `${spec.context}: the engine answered with invalid JSON`, { cause });
    }
  }

  /**
   * `DELETE /images/{name}?force=…&noprune=…` → the deleted/untagged entries. A missing image
   * (404) is not an error (resolves `[]`).
   *
   * @throws EngineError 409 when a container uses the image (without `force`).
   */
  async removeImage(name: string, options: { force?: boolean; noprune?: boolean } = {}): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    const spec: RequestSpec = {
      method: 'DELETE',
      path: `/images/${imageSeg(name)}`,
      query: { force: options.force || undefined, noprune: options.noprune || undefined },
      context: `remove image ${name}`,
      accept: [404],
    };
    const res = await this.open(spec);
    const text = await this.readText(res, spec);
    if (res.statusCode === 404 || text.trim() === '') return [];
    return JSON.parse(text) as Array<{ Untagged?: string; Deleted?: string }>;
  }

  /**
   * `POST /build?t=…&t=…&dockerfile=…&buildargs=…&labels=…&target=…&nocache=…&pull=…&networkmode=…&shmsize=…&extrahosts=…&cachefrom=…&isolation=…&platform=…&memory=…&remote=…&ulimits=…&rm=1&forcerm=1&version=1`
   * with the build context as an uncompressed tar body (`Content-Type: application/x-tar`) —
   * the classic builder (BuildKit needs a session; see ecosystem.md §1.6). Yields the NDJSON
   * progress messages (`stream` lines, `aux.ID` with the image ID).
   *
   * @throws EngineError (status 500, code `ENGINE`) after yielding what came before when a
   *   message carries `error` (a failed `RUN`, a missing base image, …); EngineError for an HTTP
   *   error; CapstanError `CANCELLED` when `signal` aborts; CapstanError `ENGINE` for a bad line.
   */
  async *build(context: NodeJS.ReadableStream | Buffer, options: BuildOptions): AsyncGenerator<ProgressMessage, void, undefined> {
    const label = options.tags[0] ?? 'image';
    const spec: RequestSpec = {
      method: 'POST',
      path: '/build',
      query: {
        t: options.tags,
        dockerfile: options.dockerfile,
        buildargs: options.buildargs,
        labels: options.labels,
        target: options.target || undefined,
        nocache: options.nocache || undefined,
        pull: options.pull || undefined,
        networkmode: options.networkmode || undefined,
        shmsize: options.shmsize || undefined,
        extrahosts: options.extrahosts?.length ? options.extrahosts : undefined,
        cachefrom: options.cachefrom?.length ? JSON.stringify(options.cachefrom) : undefined,
        isolation: options.isolation || undefined,
        platform: options.platform || undefined,
        memory: options.memory || undefined,
        remote: options.remote || undefined,
        ulimits: options.ulimits?.length ? JSON.stringify(options.ulimits) : undefined,
        rm: true,
        forcerm: true,
        version: '1',
      },
      body: context,
      contentType: 'application/x-tar',
      context: `build ${label}`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    for await (const message of this.stream(spec, readNdjson<ProgressMessage>, false)) {
      if (message.error || message.errorDetail) {
        const text = message.errorDetail?.message || message.error || 'unknown build error';
        throw new EngineError(500, text.trim(), spec.context);
      }
      yield message;
    }
  }

  /**
   * `POST /images/create?fromImage=…&tag=…&platform=…` with `X-Registry-Auth` (base64url JSON,
   * {@link encodeRegistryAuth}): pull `ref` (a reference without tag or digest pulls `latest`,
   * never every tag). Yields the NDJSON progress messages (`status`, `id` = layer,
   * `progressDetail` bytes).
   *
   * @throws EngineError (status 500, or 401 when the message says unauthorized) after yielding
   *   what came before when a message carries `error`; EngineError for an HTTP error (404 for an
   *   unknown repository or tag, 401/500 for bad credentials); CapstanError `CANCELLED` on abort.
   */
  async *pullImage(ref: string, options: PullImageOptions = {}): AsyncGenerator<ProgressMessage, void, undefined> {
    const parsed = parseImageReference(ref);
    const spec: RequestSpec = {
      method: 'POST',
      path: '/images/create',
      query: {
        fromImage: parsed.name,
        tag: parsed.digest ?? parsed.tag ?? 'latest',
        platform: options.platform || undefined,
      },
      headers: { 'X-Registry-Auth': encodeRegistryAuth(options.auth) },
      context: `pull ${ref}`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    yield* this.progressStream(spec);
  }

  /**
   * `POST /images/{name}/push?tag=…` with `X-Registry-Auth` (required by the engine; `{}` when
   * there are no credentials): push `ref` (tag `latest` when it has none). Yields the progress.
   * @throws as {@link pullImage}; EngineError 404 when the image is not present locally.
   */
  async *pushImage(ref: string, options: PushImageOptions = {}): AsyncGenerator<ProgressMessage, void, undefined> {
    const parsed = parseImageReference(ref);
    const spec: RequestSpec = {
      method: 'POST',
      path: `/images/${imageSeg(parsed.name)}/push`,
      query: { tag: parsed.tag ?? 'latest' },
      headers: { 'X-Registry-Auth': encodeRegistryAuth(options.auth) },
      context: `push ${ref}`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    yield* this.progressStream(spec);
  }

  /** An NDJSON progress stream whose `error` messages become EngineErrors (401 when unauthorized). */
  private async *progressStream(spec: RequestSpec): AsyncGenerator<ProgressMessage, void, undefined> {
    for await (const message of this.stream(spec, readNdjson<ProgressMessage>, false)) {
      if (message.error || message.errorDetail) {
        const text = (message.errorDetail?.message || message.error || 'unknown error').trim();
        throw new EngineError(/unauthori[sz]ed|authentication required|no basic auth/i.test(text) ? 401 : 500, text, spec.context);
      }
      yield message;
    }
  }

  // ── events ──

  /**
   * `GET /events?since=…&until=…&filters=…`: the daemon's event stream (NDJSON), until `signal`
   * aborts — which ends the iterator quietly — or the connection closes (the daemon closes it at
   * `until`). `since` (Unix seconds or
   * RFC 3339) replays past events first: pass a time from before the action you watch, so no
   * event is lost to the race between the request and the action.
   *
   * @throws EngineError 400 for a bad filter; CapstanError `ENGINE` when the connection breaks.
   */
  events(options: { filters?: Filters; since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EventMessage> {
    const spec: RequestSpec = {
      method: 'GET',
      path: '/events',
      query: {
        since: options.since === undefined ? undefined : toEngineTimestamp(options.since),
        until: options.until === undefined ? undefined : toEngineTimestamp(options.until),
        filters: options.filters,
      },
      context: 'follow engine events',
      ...(options.signal ? { signal: options.signal } : {}),
    };
    return this.stream(spec, readNdjson<EventMessage>, true);
  }

  // --- Swarm (Engine API 1.41) -----------------------------------------------------------------

  /** `GET /info` → its `Swarm` part. */
  async swarmInfo(): Promise<SwarmInfo> {
    const info = await this.json<{ Swarm?: SwarmInfo }>({ method: 'GET', path: '/info', context: 'engine info' });
    return info.Swarm ?? { LocalNodeState: 'inactive', ControlAvailable: false };
  }

  /** `GET /nodes`. @throws EngineError 503 when this engine is not a swarm manager. */
  async listNodes(filters?: Filters): Promise<SwarmNode[]> {
    return (await this.json<SwarmNode[] | null>({ method: 'GET', path: '/nodes', query: { filters }, context: 'list nodes' })) ?? [];
  }

  /** `GET /services?status=true` (running/desired task counts included). */
  async listServices(filters?: Filters): Promise<SwarmService[]> {
    return (await this.json<SwarmService[] | null>({ method: 'GET', path: '/services', query: { filters, status: 'true' }, context: 'list services' })) ?? [];
  }

  /** `POST /services/create` → the service ID. @throws EngineError 409 when the name is taken, 400 for a bad spec. */
  async createService(spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<string> {
    const res = await this.json<{ ID: string }>({
      method: 'POST',
      path: '/services/create',
      json: spec,
      ...(auth ? { headers: { 'X-Registry-Auth': encodeRegistryAuth(auth) } } : {}),
      context: `create service ${spec.Name}`,
    });
    return res.ID;
  }

  /** `POST /services/{id}/update?version=N` → the engine's warnings. @throws EngineError 409/500 on a stale version. */
  async updateService(id: string, version: number, spec: SwarmServiceSpec, auth?: RegistryAuth): Promise<string[]> {
    const res = await this.json<{ Warnings?: string[] | null } | undefined>({
      method: 'POST',
      path: `/services/${seg(id)}/update`,
      query: { version: String(version) },
      json: spec,
      ...(auth ? { headers: { 'X-Registry-Auth': encodeRegistryAuth(auth) } } : {}),
      context: `update service ${spec.Name}`,
    });
    return res?.Warnings ?? [];
  }

  /** `DELETE /services/{id}`; a missing service (404) is not an error. */
  async removeService(id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/services/${seg(id)}`, context: `remove service ${id}`, accept: [404] });
  }

  /** `GET /tasks`. */
  async listTasks(filters?: Filters): Promise<SwarmTask[]> {
    return (await this.json<SwarmTask[] | null>({ method: 'GET', path: '/tasks', query: { filters }, context: 'list tasks' })) ?? [];
  }

  /** `GET /secrets` or `GET /configs`. */
  async listSwarmObjects(kind: 'secrets' | 'configs', filters?: Filters): Promise<SwarmObject[]> {
    return (await this.json<SwarmObject[] | null>({ method: 'GET', path: `/${kind}`, query: { filters }, context: `list ${kind}` })) ?? [];
  }

  /** `POST /secrets/create` or `POST /configs/create` with `Data` base64 → the ID. @throws EngineError 409 when the name is taken. */
  async createSwarmObject(kind: 'secrets' | 'configs', name: string, data: Buffer, labels: Record<string, string>): Promise<string> {
    const res = await this.json<{ ID: string }>({
      method: 'POST',
      path: `/${kind}/create`,
      json: { Name: name, Labels: labels, Data: data.toString('base64') },
      context: `create ${kind === 'secrets' ? 'secret' : 'config'} ${name}`,
    });
    return res.ID;
  }

  /** `DELETE /secrets/{id}` or `DELETE /configs/{id}`; already gone is not an error. */
  async removeSwarmObject(kind: 'secrets' | 'configs', id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/${kind}/${seg(id)}`, context: `remove ${kind === 'secrets' ? 'secret' : 'config'} ${id}`, accept: [404] });
  }

  /**
   * `GET /distribution/{name}/json` → the manifest digest; undefined when the registry does not
   * know it (or is unreachable: 401/403/404/500). @throws CapstanError CANCELLED after 15 s
   */
  async distributionDigest(ref: string, auth?: RegistryAuth): Promise<string | undefined> {
    const res = await this.json<{ Descriptor?: { digest?: string }; message?: string }>({
      method: 'GET',
      path: `/distribution/${imageSeg(ref)}/json`,
      ...(auth ? { headers: { 'X-Registry-Auth': encodeRegistryAuth(auth) } } : {}),
      context: `resolve image ${ref}`,
      accept: [401, 403, 404, 500],
      // a manager without a route to the registry may wait on DNS and TCP for long: give up at 15 s
      signal: AbortSignal.timeout(15_000),
    });
    return res?.Descriptor?.digest;
  }
}

/** The request of `POST /exec/{id}/start` `{ Detach: false, Tty }` (attached: output follows). */
function execStartSpec(execId: string, options: { tty?: boolean; signal?: AbortSignal }): RequestSpec {
  return {
    method: 'POST',
    path: `/exec/${seg(execId)}/start`,
    json: { Detach: false, Tty: options.tty ?? false },
    context: `run exec ${execId.slice(0, 12)}`,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Decodes `X-Docker-Container-Path-Stat` (base64 of the JSON path stat). */
function decodePathStat(header: string): ContainerPathStat {
  const raw = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Partial<ContainerPathStat>;
  return { name: raw.name ?? '', size: raw.size ?? 0, mode: raw.mode ?? 0, mtime: raw.mtime ?? '', linkTarget: raw.linkTarget ?? '' };
}
