/**
 * Values as docker and docker compose print them: durations (go-units `HumanDuration`), times
 * (Go's default `time.Time` layout), published ports, and a quoted, truncated command.
 */
import type { PortPublisher } from '../compose/index.js';

/**
 * A duration in words, as go-units `HumanDuration` prints it: `Less than a second`, `1 second`,
 * `5 seconds`, `About a minute`, `3 minutes`, `About an hour`, `5 hours`, `3 days`, `2 weeks`,
 * `3 months`, `2 years`.
 * @param seconds a duration in seconds (fractions allowed)
 */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(seconds / 3600 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  // years from the hours cut, not rounded, as go-units does: 20 minutes short of 2 years is `1 years`
  return `${Math.floor(seconds / 3600 / 24 / 365)} years`;
}

/**
 * How long ago `created` was, as docker's `RunningFor`: `5 seconds ago`, `About a minute ago`
 * ({@link humanDuration} plus " ago"; a time in the future counts as now).
 * @param created Unix time, seconds
 * @param now Unix time, seconds (default: the clock)
 */
export function timeAgo(created: number, now = Date.now() / 1000): string {
  return `${humanDuration(Math.max(0, now - created))} ago`;
}

/**
 * Go's default time layout in UTC, as docker prints `CreatedAt`: `2026-11-21 06:10:09 +0000 UTC`.
 * @param unixSeconds Unix time, seconds
 */
export function goTime(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

/**
 * Ports as docker prints them, by target port then host IP: `0.0.0.0:8000->5000/tcp,
 * [::]:8000->5000/tcp` for published ones (an IPv6 host in brackets), `5000/tcp` for the others.
 */
export function formatPorts(publishers: readonly PortPublisher[]): string {
  return publishers
    .slice()
    .sort((a, b) => a.TargetPort - b.TargetPort || (a.URL < b.URL ? -1 : a.URL > b.URL ? 1 : 0))
    .map((p) => (p.PublishedPort ? `${p.URL.includes(':') ? `[${p.URL}]` : p.URL}:${p.PublishedPort}->${p.TargetPort}/${p.Protocol}` : `${p.TargetPort}/${p.Protocol}`))
    .join(', ');
}

/** A container's command in double quotes, cut to 20 characters with `…` (docker's COMMAND column). */
export function quoteCommand(command: string): string {
  const short = command.length > 20 ? `${command.slice(0, 19)}…` : command;
  return `"${short}"`;
}
