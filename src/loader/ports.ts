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

/** A port number as go-connections reads it (`strconv.ParseInt`, base 10, optional `+`): 0–65535. */
const PORT_NUMBER = /^\+?\d+$/;

/** `START[-END]`, split at the first `-` (go-connections' parsePortRange); undefined when bad. */
function parseRange(text: string): Range | undefined {
  const dash = text.indexOf('-');
  const startText = dash < 0 ? text : text.slice(0, dash);
  const endText = dash < 0 ? startText : text.slice(dash + 1);
  if (!PORT_NUMBER.test(startText) || !PORT_NUMBER.test(endText)) return undefined;
  const start = Number(startText);
  const end = Number(endText);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return { start, end };
}

function notMapping(spec: string, why?: string): LoaderError {
  return new LoaderError(`${JSON.stringify(spec)} is not a port mapping${why ? ` (${why})` : ''}`, {}, { hint: PORT_HINT });
}

/** An IP address as Go's `net.ParseIP` reads it: IPv4 or IPv6, no zone (`%eth0`). */
function isGoIP(ip: string): boolean {
  return isIP(ip) !== 0 && !ip.includes('%');
}

/**
 * Parse one short-syntax port (`"8000:80"`, `"127.0.0.1::80/udp"`, `"[::1]:8000-8002:80-82"`, `80`),
 * as docker compose reads it (go-connections `nat.ParsePortSpec`, through compose-go's
 * `ParsePortConfig`):
 *
 * - the text splits at `:`: one part is the container port, two are `HOST:CONTAINER`, three are
 *   `IP:HOST:CONTAINER`, more are an unbracketed IPv6 address followed by `HOST:CONTAINER`;
 * - an empty IP (`":443:443"`, typically an unset `${BIND:-}`) means no IP, like `443:443`;
 *   an IP in brackets (`[::1]`, also `[127.0.0.1]`) loses them;
 * - the protocol follows the container port after the first `/` (`80/` is tcp);
 * - a port number may carry a `+`; a range splits at its first `-`.
 *
 * @returns one entry per container port (ranges expanded), `mode: "ingress"`, `protocol` default
 *   `tcp`; `published` absent when the host port is not given. Several entries come in compose's
 *   order: sorted as the strings `PORT/PROTOCOL` (so `98-100` gives 100, 98, 99), as compose-go
 *   sorts the port map's keys.
 * @throws {LoaderError} `"80:80:80" is not a port mapping` (hint {@link PORT_HINT}) for malformed
 *   text, bad numbers, a bad host IP or mismatched ranges. The caller adds the file position.
 */
export function parsePortSpec(spec: string | number): ServicePortConfig[] {
  const text = String(spec).trim();
  const parts = text.split(':');
  const n = parts.length;
  const containerRaw = parts[n - 1]!;
  const hostPart = n >= 2 ? parts[n - 2]! : '';
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';

  const slash = containerRaw.indexOf('/');
  const containerPart = slash < 0 ? containerRaw : containerRaw.slice(0, slash);
  if (containerPart === '') throw notMapping(text);
  const protocol = (slash < 0 || slash === containerRaw.length - 1 ? 'tcp' : containerRaw.slice(slash + 1)).toLowerCase();
  if (!/^(tcp|udp|sctp)$/.test(protocol)) throw notMapping(text, `unknown protocol ${protocol}`);

  if (ip.startsWith('[')) {
    // net.SplitHostPort(ip + ":"): `[ADDR]` and nothing after the bracket
    const close = ip.indexOf(']');
    if (close !== ip.length - 1) throw notMapping(text, `invalid IP address ${ip}`);
    ip = ip.slice(1, close);
    if (!isGoIP(ip)) throw notMapping(text, `invalid IP address ${ip}`);
  } else if (ip !== '' && !isGoIP(ip)) throw notMapping(text);

  const container = parseRange(containerPart);
  if (!container) throw notMapping(text);
  const host = hostPart === '' ? undefined : parseRange(hostPart);
  if (hostPart !== '' && !host) throw notMapping(text);
  const count = container.end - container.start + 1;
  const out: ServicePortConfig[] = [];
  for (let i = 0; i < count; i++) {
    const port: ServicePortConfig = { mode: 'ingress', target: container.start + i };
    if (ip !== '') port.host_ip = ip;
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
  if (out.length > 1) {
    const key = (p: ServicePortConfig) => `${p.target}/${p.protocol}`;
    out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
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
