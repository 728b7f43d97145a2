/**
 * `ports:` parsing (compose-behaviour.md §2.2 "ports"): short syntax
 * `[HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE][/PROTOCOL]`, integers and the long form,
 * all turned into {@link ServicePortConfig} entries, one per container port.
 */
import { isIP } from 'node:net';
import { LoaderError } from '../errors.js';
import type { ServicePortConfig } from '../model/types.js';

/** Hint attached to every short-syntax port error. */
export const PORT_HINT = 'expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]';

interface Range {
  start: number;
  end: number;
}

function parseRange(text: string, spec: string): Range {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw notMapping(spec);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) throw notMapping(spec);
  return { start, end };
}

function notMapping(spec: string, why?: string): LoaderError {
  return new LoaderError(`${JSON.stringify(spec)} is not a port mapping${why ? ` (${why})` : ''}`, {}, { hint: PORT_HINT });
}

/**
 * Parse one short-syntax port (`"8000:80"`, `"127.0.0.1::80/udp"`, `"[::1]:8000-8002:80-82"`, `80`).
 *
 * @returns one entry per container port (ranges expanded), `mode: "ingress"`, `protocol` default
 *   `tcp`; `published` absent when the host port is not given.
 * @throws {LoaderError} `"80:80:80" is not a port mapping` (hint {@link PORT_HINT}) for malformed
 *   text, bad numbers, a bad host IP or mismatched ranges. The caller adds the file position.
 */
export function parsePortSpec(spec: string | number): ServicePortConfig[] {
  const text = String(spec).trim();
  let rest = text;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (!/^(tcp|udp|sctp)$/.test(protocol)) throw notMapping(text, `unknown protocol ${protocol}`);
  }
  let hostIp: string | undefined;
  // IPv6 host IP in brackets.
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw notMapping(text);
    hostIp = rest.slice(1, close);
    if (isIP(hostIp) !== 6) throw notMapping(text, `invalid IP address ${hostIp}`);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostPart: string | undefined;
  let containerPart: string;
  if (hostIp !== undefined) {
    if (parts.length !== 2) throw notMapping(text);
    [hostPart, containerPart] = parts as [string, string];
  } else if (parts.length === 1) {
    containerPart = parts[0]!;
  } else if (parts.length === 2) {
    [hostPart, containerPart] = parts as [string, string];
  } else if (parts.length === 3) {
    hostIp = parts[0]!;
    hostPart = parts[1]!;
    containerPart = parts[2]!;
    if (isIP(hostIp) === 0) throw notMapping(text);
  } else {
    // An unbracketed IPv6 address: the last two parts are host and container ports.
    const ip = parts.slice(0, -2).join(':');
    if (isIP(ip) !== 6) throw notMapping(text);
    hostIp = ip;
    hostPart = parts[parts.length - 2]!;
    containerPart = parts[parts.length - 1]!;
  }
  if (containerPart === '') throw notMapping(text);
  const container = parseRange(containerPart, text);
  const host = hostPart === undefined || hostPart === '' ? undefined : parseRange(hostPart, text);
  const count = container.end - container.start + 1;
  const out: ServicePortConfig[] = [];
  for (let i = 0; i < count; i++) {
    const port: ServicePortConfig = { mode: 'ingress', target: container.start + i };
    if (hostIp !== undefined) port.host_ip = hostIp;
    if (host) {
      const hostCount = host.end - host.start + 1;
      if (count === 1) {
        port.published = hostCount === 1 ? String(host.start) : `${host.start}-${host.end}`;
      } else if (hostCount === count) {
        port.published = String(host.start + i);
      } else if (hostCount === 1 && count > 1) {
        throw notMapping(text, 'a container port range needs a host range of the same size');
      } else {
        throw notMapping(text, 'host and container port ranges differ in size');
      }
    }
    port.protocol = protocol;
    out.push(port);
  }
  return out;
}

/**
 * Normalise one `ports:` entry (short string, integer or long-form mapping). Long-form
 * `published` becomes a string, `target` a number; `protocol` defaults to `tcp`, `mode` to `ingress`.
 *
 * @throws {LoaderError} for a malformed entry (no position; the caller adds it).
 */
export function normalizePortEntry(item: unknown): ServicePortConfig[] {
  if (typeof item === 'string' || typeof item === 'number') return parsePortSpec(item);
  if (item === null || typeof item !== 'object') throw notMapping(String(item));
  const raw = item as Record<string, unknown>;
  const target = Number(raw.target);
  if (raw.target === undefined || !Number.isInteger(target) || target < 0 || target > 65535) {
    throw new LoaderError(`invalid target port ${JSON.stringify(raw.target ?? null)}`);
  }
  const port: ServicePortConfig = { mode: raw.mode === undefined ? 'ingress' : String(raw.mode), target };
  if (raw.name !== undefined) port.name = String(raw.name);
  if (raw.host_ip !== undefined) port.host_ip = String(raw.host_ip);
  if (raw.published !== undefined && raw.published !== null && raw.published !== '') port.published = String(raw.published);
  port.protocol = raw.protocol === undefined ? 'tcp' : String(raw.protocol);
  if (raw.app_protocol !== undefined) port.app_protocol = String(raw.app_protocol);
  return [port];
}

/**
 * Unify entries with the same (host_ip, target, published, protocol); the later one wins and
 * takes the earlier one's place (§3.6 unicity).
 */
export function uniquePorts(ports: readonly ServicePortConfig[]): ServicePortConfig[] {
  const key = (p: ServicePortConfig) => `${p.host_ip ?? ''}|${p.target}|${p.published ?? ''}|${p.protocol ?? 'tcp'}`;
  const unique: ServicePortConfig[] = [];
  const index = new Map<string, number>();
  for (const p of ports) {
    const k = key(p);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, unique.length);
      unique.push(p);
    } else {
      unique[at] = p;
    }
  }
  return unique;
}

/**
 * Normalise a whole `ports:` list: {@link normalizePortEntry} on each entry, then {@link uniquePorts}.
 *
 * @throws {LoaderError} for malformed entries.
 */
export function normalizePorts(list: readonly unknown[]): ServicePortConfig[] {
  return uniquePorts(list.flatMap(normalizePortEntry));
}
