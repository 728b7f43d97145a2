/**
 * What the compose layer tells the outside world while it works. The ui layer renders these
 * (tty, plain, json); compose never prints.
 */
export type ComposeEvent =
  | ProgressEvent
  | { type: 'build-output'; service: string; text: string }
  | PullProgressEvent
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

/**
 * Bytes of an image pull so far, summed over its layers (from `POST /images/create`'s progress
 * stream: `progressDetail.current/total` per layer id). Sent as they change, between the image's
 * `Pulling` and `Pulled`/error progress events; the ui draws it as one line per image.
 */
export interface PullProgressEvent {
  type: 'pull-progress';
  /** The image reference being pulled (`127.0.0.1:5000/tiny:1`). */
  image: string;
  /** The service that wanted it (the first, when several share the image). */
  service: string;
  /** Bytes downloaded so far, over every layer whose size is known. */
  current: number;
  /** Total bytes of those layers (0 while unknown). */
  total: number;
  /** Layers seen, and those done (`Pull complete` / `Already exists`). */
  layers: number;
  layersDone: number;
}

/** Where compose sends its events; the ui's renderers are sinks. */
export type EventSink = (event: ComposeEvent) => void;

/** A sink that drops everything (library use without a UI). */
export const ignoreEvents: EventSink = () => {};
