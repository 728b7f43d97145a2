import type { Engine, EventMessage } from '../../engine/types.js';
import { checkServices } from '../graph.js';
import { Label } from '../labels.js';
import type { Project } from '../../model/types.js';
import { engineTime } from './timestamps.js';

/**
 * `events [SERVICE...] --since --until` (docker compose's pkg/compose/events.go): the engine's
 * event stream (`GET /events`) filtered to the project's label, keeping container events of
 * service containers (not one-off `run` ones) of the named services (all when none).
 */

/** Options of `events`. */
export interface EventsOptions {
  /** Only these services' containers; all when absent or empty. */
  services?: string[];
  /** `--since`: replay events from this time (duration like `10m`, Unix seconds, or a date). */
  since?: string;
  /** `--until`: end the stream at this time (same forms); without it, stream until `signal`. */
  until?: string;
  /** Ctrl+C: end the stream (quietly). */
  signal?: AbortSignal;
}

/** One event in compose's shape (`events --json` prints it with these field names). */
export interface ProjectEvent {
  /** When it happened, with the engine's nanosecond precision kept in `timeNano`. */
  time: Date;
  /** Nanoseconds since the Unix epoch (the engine's `timeNano`), as a decimal string (beyond a double's exact range). */
  timeNano: string;
  /** Always `container` (compose only reports container events). */
  type: 'container';
  /** The engine's action: `create`, `start`, `die`, `stop`, `kill`, `restart`, `destroy`, `exec_start: sh`… */
  action: string;
  /** The container's ID. */
  id: string;
  service: string;
  /** The actor's attributes without the `com.docker.compose.*` labels (name, image, exitCode…). */
  attributes: Record<string, string>;
}

/**
 * Streams the project's container events into `onEvent` until `options.until` passes or
 * `options.signal` aborts.
 * @throws CapstanError USAGE `no such service: x` (when `project` is given), or for a bad time;
 *   EngineError from the daemon
 */
export async function projectEvents(
  engine: Engine,
  project: Project,
  onEvent: (event: ProjectEvent) => void,
  options: EventsOptions = {},
): Promise<void> {
  checkServices(project, options.services);
  const since = options.since === undefined ? undefined : engineTime(options.since, '--since');
  const until = options.until === undefined ? undefined : engineTime(options.until, '--until');
  const stream = engine.events({
    filters: { label: [`${Label.project}=${project.name}`], type: ['container'] },
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const e of stream) {
    const event = toComposeEvent(e, options.services);
    if (event) onEvent(event);
  }
}

/**
 * The compose event for an engine event (`GET /events` message), or `undefined` when compose
 * would not report it: not a container, a one-off container, or another service's.
 */
export function toComposeEvent(e: EventMessage, services?: string[]): ProjectEvent | undefined {
  const attrs = e.Actor?.Attributes ?? {};
  if (e.Type !== 'container' || attrs[Label.oneoff] === 'True') return undefined;
  const service = attrs[Label.service] ?? '';
  if (services?.length && !services.includes(service)) return undefined;
  const attributes: Record<string, string> = {};
  for (const key of Object.keys(attrs).sort()) if (!key.startsWith('com.docker.compose.')) attributes[key] = attrs[key]!;
  const nano = e.timeNano ? BigInt(Math.round(e.timeNano)) : BigInt(e.time ?? 0) * 1_000_000_000n;
  return {
    time: new Date(Number(nano / 1_000_000n)),
    timeNano: nano.toString(),
    type: 'container',
    action: e.Action ?? '',
    id: e.Actor?.ID ?? '',
    service,
    attributes,
  };
}

/** `2006-01-02 15:04:05.000000` in local time, microseconds from `timeNano`. */
function localStamp(event: ProjectEvent): string {
  const d = event.time;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const micros = Number((BigInt(event.timeNano) / 1000n) % 1_000_000n);
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(micros, 6)}`;
}

/**
 * Compose's text line for an event: `2006-01-02 15:04:05.000000 container ACTION ID (k=v, k=v)`
 * (local time; attributes sorted by key, where compose's order is random).
 */
export function formatEventText(event: ProjectEvent): string {
  const attrs = Object.entries(event.attributes).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${localStamp(event)} container ${event.action} ${event.id} (${attrs})`;
}

/**
 * Compose's `--json` line: `{"action","attributes","id","service","time","type"}` (Go's
 * `json.Marshal` of a map sorts keys), `time` in RFC 3339 with nanoseconds and the local offset,
 * as Go marshals a `time.Time`.
 */
export function formatEventJson(event: ProjectEvent): string {
  const d = event.time;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const nanos = (BigInt(event.timeNano) % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const offset = -d.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${p(Math.floor(Math.abs(offset) / 60))}:${p(Math.abs(offset) % 60)}`;
  const time = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${nanos ? `.${nanos}` : ''}${zone}`;
  return JSON.stringify({ action: event.action, attributes: event.attributes, id: event.id, service: event.service, time, type: event.type });
}
