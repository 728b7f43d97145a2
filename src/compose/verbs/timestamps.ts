import { CapstanError } from '../../errors.js';
import { parseDuration as durationNanos } from '../../model/duration.js';

/**
 * The `--since` / `--until` values of `logs` and `events`, read as the docker CLI reads them
 * (moby's `api/types/time` GetTimestamp) before they reach the Engine API, in this order:
 *
 * - a Go duration back from now: `42m`, `1h30m`, `1.5h`, `-10s` (in the future); `0` is not one;
 * - a date with a zone (`Z` or `±hh:mm`): `2013-01-02T13:23:37Z`, `2013-01-02T13:23:37.5+01:00`,
 *   `2013-01-02T13:23Z`, `2013-01-02T13Z`, `2013-01-02Z`;
 * - a date without one, in the local zone's current offset: `2013-01-02T13:23:37`, `…T13:23`,
 *   `…T13`, `2013-01-02`, `2013-01-02T13:23:37.123456789`;
 * - Unix seconds, with any fraction: `1700000000`, `1700000000.5`.
 *
 * Anything else — `yesterday`, `Jan 2 2013`, `2013/01/02`, a month 13 — is refused, as docker does.
 */

/**
 * A Go duration (`1h30m`, `-1.5h`, `300ms`) in seconds, or `undefined` when `value` is not one.
 * A bare number, `0` included, is not a duration here (it is a Unix timestamp). The parsing is the
 * model's (src/model/duration.ts), in nanoseconds.
 */
export function parseDuration(value: string): number | undefined {
  if (/^\s*[-+]?\d+(\.\d*)?\s*$/.test(value)) return undefined;
  const nanos = durationNanos(value);
  return nanos === undefined ? undefined : nanos / 1e9;
}

/** `YYYY-MM-DD`, then optionally `Thh`, `:mm`, `:ss`, `.fraction` (1-9 digits), then optionally a zone. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * `--since`/`--until` as the Engine API takes it (`GET /containers/{id}/logs`, `GET /events`):
 * Unix seconds as a decimal string, the fraction (up to nanoseconds) only when there is one.
 * `flag` names the option in errors; `now` is in milliseconds (tests pin it); a date without a
 * zone is read at the local zone's offset at `now` (as docker: `time.FixedZone(now.Zone())`).
 *
 * @throws CapstanError USAGE `--since: invalid time "x"` for anything else
 */
export function engineTime(value: string, flag: string, now = Date.now()): string {
  const v = value.trim();
  const duration = parseDuration(v);
  // docker: whole seconds (`time.Unix()`), rounded down
  if (duration !== undefined) return String(Math.floor(now / 1000 - duration));
  const date = DATE.exec(v);
  if (date) {
    const stamp = dateSeconds(date, now);
    if (stamp !== undefined) return stamp;
  } else if (/^\d+(\.\d+)?$/.test(v)) {
    return v; // Unix seconds, passed on as written (the engine reads the fraction)
  }
  throw new CapstanError('USAGE', `${flag}: invalid time "${value}"`, {
    hint: 'use a duration (10m, 1h30m), Unix seconds, or a date (2013-01-02T13:23:37Z, 2013-01-02)',
  });
}

/** The Unix seconds of a {@link DATE} match, or `undefined` for an impossible date or time. */
function dateSeconds(m: RegExpExecArray, now: number): string | undefined {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  const zone = m[8];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offsetMinutes: number;
  if (zone === undefined) offsetMinutes = -new Date(now).getTimezoneOffset();
  else if (zone === 'Z') offsetMinutes = 0;
  else {
    const [h, mm] = zone.slice(1).split(':').map(Number) as [number, number];
    if (h > 23 || mm > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (h * 60 + mm);
  }
  const seconds = ms / 1000 - offsetMinutes * 60;
  const nanos = fraction.padEnd(9, '0').replace(/0+$/, '');
  return nanos ? `${seconds}.${nanos}` : String(seconds);
}
