/**
 * Compose durations (`stop_grace_period`, `healthcheck.interval`, …) use Go's
 * `time.ParseDuration` syntax: a sequence of decimal numbers with units `ns us µs ms s m h`,
 * e.g. `"1m30s"`, `"1.5h"`, `"500ms"` (Compose Specification, "Specifying durations").
 * A bare `0` is accepted, as Go does.
 */

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parse a Compose duration into **nanoseconds** (what the Engine API wants).
 * Returns `undefined` when the text is not a duration; callers turn that into a LoaderError
 * with the file position.
 */
export function parseDuration(text: string): number | undefined {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < s.length) {
    const start = TERM.lastIndex;
    const m = TERM.exec(s);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * UNIT_NANOS[m[2]!]!;
  }
  return sign * Math.round(total);
}

/** Nanoseconds → whole seconds, rounded down (Engine API `StopTimeout` is in seconds). */
export function nanosToSeconds(nanos: number): number {
  return Math.floor(nanos / 1e9);
}

/**
 * Format nanoseconds the way Go's `time.Duration.String()` does (`1m30s`, `500ms`, `0s`), which is
 * how `docker compose config` prints durations.
 */
export function formatDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const neg = nanos < 0;
  let n = Math.abs(nanos);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trim(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trim(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(n / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

function trim(x: number): string {
  return Number(x.toFixed(9)).toString();
}
