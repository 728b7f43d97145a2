import { CapstanError } from '../../errors.js';

/**
 * The `--since` / `--until` values of `logs` and `events`, as the docker CLI reads them before
 * they reach the Engine API: a Go duration relative to now (`42m`, `1h30m`, `10s`, `1.5h`), a Unix
 * timestamp (`1700000000`, `1700000000.5`), or a date (RFC 3339 `2013-01-02T13:23:37Z`, or a
 * date or date-time without zone, read as local time).
 */

/** Go's duration units, in seconds. */
const UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * A Go duration (`1h30m`, `-1.5h`, `300ms`) in seconds, or `undefined` when `value` is not one.
 * A bare number is not a duration here (it is a Unix timestamp), `0` aside.
 */
export function parseDuration(value: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(value);
  if (!m) return undefined;
  let seconds = 0;
  for (const part of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    seconds += Number(part[1]) * UNITS[part[2]!]!;
  }
  return m[1] === '-' ? -seconds : seconds;
}

/**
 * `--since`/`--until` as the Engine API takes it (`GET /containers/{id}/logs`, `GET /events`):
 * Unix seconds, as a string with up to 9 decimals. `flag` names the option in errors; `now` is in
 * milliseconds (tests pin it).
 *
 * @throws CapstanError USAGE `--since: invalid time "x"` for anything else
 */
export function engineTime(value: string, flag: string, now = Date.now()): string {
  const v = value.trim();
  const duration = parseDuration(v);
  if (duration !== undefined) return seconds((now / 1000) - duration);
  if (/^\d+(\.\d{1,9})?$/.test(v)) return v;
  // a date or date-time without a zone is local time, as the docker CLI reads it
  const local = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(v);
  const ms = Date.parse(local && !v.includes('T') ? `${v}T00:00:00` : v);
  if (Number.isNaN(ms)) {
    throw new CapstanError('USAGE', `${flag}: invalid time "${value}"`, {
      hint: 'use a duration (10m, 1h30m), Unix seconds, or a date (2013-01-02T13:23:37Z)',
    });
  }
  return seconds(ms / 1000);
}

const seconds = (s: number): string => (Number.isInteger(s) ? String(s) : s.toFixed(9).replace(/0+$/, ''));
