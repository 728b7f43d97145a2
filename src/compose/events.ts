/**
 * What the compose layer tells the outside world while it works. The ui layer renders these
 * (tty, plain, json); compose never prints.
 */
export type ComposeEvent =
  | ProgressEvent
  | { type: 'build-output'; service: string; text: string }
  | { type: 'warning'; message: string }
  | { type: 'info'; message: string };

/** A resource changed state: `Container shop-web-1 Started 0.4s`. */
export interface ProgressEvent {
  type: 'progress';
  resource: 'network' | 'volume' | 'image' | 'container';
  /** Engine name of the resource. */
  id: string;
  /** Compose's words: Creating, Created, Starting, Started, Waiting, Healthy, Exited, Stopping, … */
  status: string;
  /** True when this is the resource's final state for this command. */
  done: boolean;
  /** Seconds since the work on this resource started (set when `done`). */
  elapsed?: number;
  error?: string;
}

/** Where compose sends its events; the ui's renderers are sinks. */
export type EventSink = (event: ComposeEvent) => void;

/** A sink that drops everything (library use without a UI). */
export const ignoreEvents: EventSink = () => {};
