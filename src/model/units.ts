/**
 * Value types that Compose writes in more than one way: byte sizes, file modes, device counts and
 * pull policies. Pure helpers; the loader turns failures into positioned LoaderErrors.
 */
import { parseDuration } from './duration.js';

const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?(i)?(b)?$/i;

/**
 * Byte sizes as Compose writes them (`mem_limit: 512m`, `shm_size: 1gb`, `tmpfs.size: 10M`):
 * an integer number of bytes (negative allowed: `memswap_limit: -1`), or a number with a unit
 * `b k kb kib m mb g gb t tb p pb` (case-insensitive, powers of 1024), as docker's go-units
 * `RAMInBytes` reads them.
 *
 * @returns bytes, or `undefined` when the value is not a size.
 */
export function parseByteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  const text = value.trim();
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  const m = SIZE.exec(text);
  if (!m || (m[3] && !m[2])) return undefined;
  const power = m[2] ? ' kmgtp'.indexOf(m[2].toLowerCase()) : 0;
  return Math.floor(Number(m[1]) * 1024 ** power);
}

/**
 * A file mode (`secrets[].mode`, `configs[].mode`) in compose's printed form: `"0"` followed by
 * the octal digits (`0o440` → `"0440"`). A number is taken as the mode itself (YAML `0440` and
 * `0o440` are already octal numbers); a string is read as octal (`"0440"`, `"440"`).
 *
 * @returns the canonical string, or `undefined` when the value is not a mode.
 */
export function formatFileMode(value: number | string): string | undefined {
  const n = typeof value === 'number' ? value : parseFileMode(value);
  if (n === undefined || !Number.isInteger(n) || n < 0) return undefined;
  return `0${n.toString(8)}`;
}

/** An octal mode string (`"0440"`, `"440"`, `"0o440"`) → its number, or `undefined`. */
export function parseFileMode(text: string): number | undefined {
  const t = text.trim().replace(/^0o/i, '');
  return /^[0-7]+$/.test(t) ? parseInt(t, 8) : undefined;
}

/**
 * A device request `count`: a number, a numeric string, or `all` (any case) which is `-1`.
 *
 * @returns the count, or `undefined` when the value is none of these.
 */
export function parseDeviceCount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (t.toLowerCase() === 'all') return -1;
  return /^[-+]?\d+$/.test(t) ? Number(t) : undefined;
}

/** The effective pull policy of a service, as compose's `GetPullPolicy` reads `pull_policy`. */
export interface PullPolicy {
  /** `always`, `never`, `missing`, `if_not_present`, `build`, or `refresh` (daily/weekly/every_…). */
  policy: string;
  /** For `refresh`: how old the local image may be before it is pulled again, in nanoseconds. */
  refreshAfter?: number;
}

const DAY_NANOS = 24 * 3600e9;

/**
 * Read a `pull_policy` value: `daily`, `weekly` and `every_<duration>` become `refresh` with a
 * period (durations take Go units plus `d` and `w`, e.g. `every_2d`, `every_12h`); the fixed
 * policies are returned as they are; anything else (or no policy) means `missing`.
 *
 * @returns the policy, or `undefined` for an `every_` whose duration cannot be read.
 */
export function pullPolicyOf(pullPolicy: string | undefined): PullPolicy | undefined {
  switch (pullPolicy) {
    case 'always':
    case 'never':
    case 'missing':
    case 'if_not_present':
    case 'build':
      return { policy: pullPolicy };
    case 'daily':
      return { policy: 'refresh', refreshAfter: DAY_NANOS };
    case 'weekly':
      return { policy: 'refresh', refreshAfter: 7 * DAY_NANOS };
  }
  if (pullPolicy?.startsWith('every_')) {
    const nanos = parseLongDuration(pullPolicy.slice('every_'.length));
    return nanos === undefined || nanos <= 0 ? undefined : { policy: 'refresh', refreshAfter: nanos };
  }
  return { policy: 'missing' };
}

/** A Go duration that may also use `d` (days) and `w` (weeks) terms: `2d`, `1w2d12h`. */
function parseLongDuration(text: string): number | undefined {
  let total = 0;
  let rest = text.trim();
  if (rest === '') return undefined;
  const m = /^((?:\d+(?:\.\d+)?w)?)((?:\d+(?:\.\d+)?d)?)(.*)$/.exec(rest);
  if (!m) return undefined;
  if (m[1]) total += Number(m[1].slice(0, -1)) * 7 * DAY_NANOS;
  if (m[2]) total += Number(m[2].slice(0, -1)) * DAY_NANOS;
  rest = m[3]!;
  if (rest !== '') {
    const d = parseDuration(rest);
    if (d === undefined || rest.startsWith('-') || rest.startsWith('+')) return undefined;
    total += d;
  }
  return total;
}

/** Service attributes holding a byte size (compose's `UnitBytes`): numbers of bytes in the model. */
export const SERVICE_BYTE_FIELDS = ['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'shm_size'] as const;
