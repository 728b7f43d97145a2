import type { ComposeEvent, ProgressEvent, PullProgressEvent } from '../compose/events.js';
import type { Colors } from './colors.js';

/**
 * Progress renderers (UX.md "Progress"), all writing to one stream (stderr, as docker compose):
 *
 * - `tty`: one line per resource (network, volume, image, container), redrawn in place with a
 *   spinner, its state and elapsed seconds, under a header counting done/total; lines are cut to
 *   the terminal width, a frame is written only when it differs from the last one (in one write,
 *   the cursor hidden while it draws), a pull shows its bytes as a bar, a build its last lines
 *   dimmed under the image's line.
 * - `plain`: one line per event, no escape codes (CI, pipes); build output as `SERVICE  line`.
 * - `json`: one JSON object per event (schemas: {@link jsonRecord}).
 * - `quiet`: nothing (errors are printed by cli/errors.ts).
 *
 * The text of a failed resource's error is not drawn by `tty` and `plain` (its line says `Error`):
 * the command's error is printed once, by cli/errors.ts. A failure compose tolerates is a `warning`.
 */
export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

/** An event sink that draws progress; call `close()` when the command is done, or before other output (logs). */
export interface ProgressRenderer {
  (event: ComposeEvent): void;
  /**
   * Finish drawing (leave the last frame on screen). Events after it start a new frame below
   * whatever was printed in between (attached `up`: the logs, then the stop on Ctrl+C).
   */
  close(): void;
}

/** What a renderer needs of its stream: `columns`/`rows` are read on every frame (a resized terminal). */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number; rows?: number };

const LABEL: Record<ProgressEvent['resource'], string> = {
  network: 'Network',
  volume: 'Volume',
  image: 'Image',
  container: 'Container',
};

/** `auto` as docker compose resolves it: `tty` on a terminal, `plain` otherwise. */
export function resolveMode(mode: ProgressMode, out: ProgressStream): Exclude<ProgressMode, 'auto'> {
  return mode === 'auto' ? (out.isTTY ? 'tty' : 'plain') : mode;
}

/** Create the renderer for `mode` writing to `out` (stderr, as docker compose). */
export function createProgress(mode: ProgressMode, out: ProgressStream, colors: Colors, title = 'Running'): ProgressRenderer {
  const resolved = resolveMode(mode, out);
  if (resolved === 'json') return jsonRenderer(out);
  if (resolved === 'quiet') return Object.assign(() => {}, { close: () => {} });
  if (resolved === 'tty') return ttyRenderer(out, colors, title);
  return plainRenderer(out, colors);
}

/** The meaningful lines of a chunk of build output: split, `\r` dropped, blank lines skipped. */
export function outputLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r/g, '').trimEnd())
    .filter((l) => l.trim() !== '');
}

/** Seconds rounded to milliseconds (json's `elapsed`). */
const ms = (seconds: number): number => Math.round(seconds * 1000) / 1000;

function plainRenderer(out: ProgressStream, colors: Colors): ProgressRenderer {
  const render = (event: ComposeEvent): void => {
    if (event.type === 'warning') return void out.write(`${colors.yellow(`warning: ${event.message}`)}\n`);
    if (event.type === 'info') return void out.write(`${event.message}\n`);
    if (event.type === 'build-output') {
      for (const line of outputLines(event.text)) out.write(`${event.service}  ${line}\n`);
      return;
    }
    if (event.type === 'pull-progress') return; // plain mode: the image's Pulling/Pulled lines say enough
    const elapsed = event.done && event.elapsed !== undefined ? ` ${event.elapsed.toFixed(1)}s` : '';
    const status = event.error ? colors.red(event.status) : event.status;
    out.write(` ${LABEL[event.resource]} ${event.id}  ${status}${elapsed}\n`);
  };
  return Object.assign(render, { close: () => {} });
}

/**
 * The JSON records of `--progress json` for one event (README "--progress json"), one per line:
 *
 * - progress: `{"resource":"container","id":"shop-web-1","status":"Started","done":true,"elapsed":0.412}`
 *   (`elapsed` in seconds rounded to milliseconds, when done; `error` holds the message of a failure);
 * - pull-progress: `{"resource":"image","image":…,"service":…,"current":…,"total":…,"layers":…,"layersDone":…}` (bytes);
 * - build-output: `{"resource":"image","service":"api","text":"Step 1/3 : FROM busybox"}`, one per non-blank line;
 * - warning / info: `{"level":"warning","message":…}`.
 *
 * The command's error is `{"error":true,"message":…}` (cli/errors.ts).
 */
export function jsonRecords(event: ComposeEvent): object[] {
  switch (event.type) {
    case 'progress': {
      const { type: _t, elapsed, ...rest } = event;
      return [elapsed === undefined ? rest : { ...rest, elapsed: ms(elapsed) }];
    }
    case 'warning':
    case 'info':
      return [{ level: event.type, message: event.message }];
    case 'pull-progress': {
      const { type: _t, ...rest } = event;
      return [{ resource: 'image', ...rest }];
    }
    case 'build-output':
      return outputLines(event.text).map((text) => ({ resource: 'image', service: event.service, text }));
  }
}

function jsonRenderer(out: ProgressStream): ProgressRenderer {
  const render = (event: ComposeEvent): void => {
    const records = jsonRecords(event);
    if (records.length) out.write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  };
  return Object.assign(render, { close: () => {} });
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Lines of build output shown under a building image's line (tty). */
export const BUILD_PANE_LINES = 5;
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Bytes as docker prints them (decimal units, three significant digits): `532B`, `12.3MB`, `1.05GB`.
 */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** A pull's bytes as a bar: `[=====>      ] 12.3MB/40MB` (`width` characters between the brackets). */
export function pullBar(current: number, total: number, width = 20): string {
  if (total <= 0) return current > 0 ? humanSize(current) : '';
  const ratio = Math.min(1, current / total);
  const filled = Math.round(ratio * width);
  const bar = filled === 0 ? ' '.repeat(width) : `${'='.repeat(filled - 1)}${filled < width ? '>' : '='}${' '.repeat(width - filled)}`;
  return `[${bar}] ${humanSize(current)}/${humanSize(total)}`;
}

/** Cut `text` (no escape codes) to `width` visible characters, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}

interface Row {
  resource: ProgressEvent['resource'];
  id: string;
  label: string;
  status: string;
  state: 'working' | 'done' | 'error';
  started: number;
  elapsed?: number;
  pull?: { current: number; total: number };
  build?: string[];
}

function ttyRenderer(out: ProgressStream, colors: Colors, title: string): ProgressRenderer {
  const rows = new Map<string, Row>();
  const messages: string[] = [];
  let drawn = 0;
  let last = '';
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;

  const rowFor = (resource: Row['resource'], id: string): Row => {
    const key = `${resource}:${id}`;
    let row = rows.get(key);
    if (!row) {
      row = { resource, id, label: `${LABEL[resource]} ${id}`, status: '', state: 'working', started: performance.now() };
      rows.set(key, row);
    }
    return row;
  };

  /** The image line a service's build output belongs under: the building image named after it, else the one building. */
  const buildRow = (service: string): Row => {
    const building = [...rows.values()].filter((r) => r.resource === 'image' && r.state === 'working');
    const named = building.find((r) => r.id === service || r.id.endsWith(`-${service}`) || r.id.split(':')[0]!.endsWith(`-${service}`));
    return named ?? (building.length === 1 ? building[0]! : rowFor('image', service));
  };

  const lineOf = (r: Row, labelWidth: number, width: number, timerWidth: number): string => {
    const seconds = `${(r.elapsed ?? (performance.now() - r.started) / 1000).toFixed(1)}s`;
    const mark = r.state === 'error' ? colors.red('✘') : r.state === 'done' ? colors.green('✔') : colors.blue(SPINNER[tick % SPINNER.length]!);
    const pull = r.state === 'working' && r.pull ? pullBar(r.pull.current, r.pull.total) : '';
    const label = r.label.padEnd(labelWidth);
    // ` ✔ ` + body + at least one space + the timer, right-aligned to the terminal width
    const room = Math.max(0, width - 3 - 1 - timerWidth);
    const body = truncate(`${label}  ${r.status}${pull ? ` ${pull}` : ''}`, room);
    const head = body.slice(0, Math.min(body.length, label.length + 2));
    const tail = body.slice(head.length);
    const status = r.state === 'error' ? colors.red(tail) : r.state === 'done' ? colors.green(tail) : tail;
    const pad = ' '.repeat(Math.max(1, width - 3 - [...body].length - timerWidth));
    return ` ${mark} ${head}${status}${pad}${colors.dim(seconds.padStart(timerWidth))}`;
  };

  const frame = (): string[] => {
    const width = Math.max(20, (out.columns || 80) - 1); // never the last column: a full line would wrap on some terminals
    const height = Math.max(3, out.rows || 24);
    const all = [...rows.values()];
    const done = all.filter((r) => r.state !== 'working').length;
    const lines = [truncate(`[+] ${title} ${done}/${all.length}`, width).replace('[+]', colors.blue('[+]'))];
    const labelWidth = Math.min(Math.max(0, ...all.map((r) => r.label.length)), Math.floor(width / 2));
    const timerWidth = Math.max(4, ...all.map((r) => `${(r.elapsed ?? (performance.now() - r.started) / 1000).toFixed(1)}s`.length));
    const budget = height - 2; // the header, and the line the cursor rests on
    for (const [i, r] of all.entries()) {
      if (lines.length >= budget && i < all.length) {
        lines.push(` ... ${all.length - i} more`);
        break;
      }
      lines.push(lineOf(r, labelWidth, width, timerWidth));
      if (r.state === 'working' && r.build?.length) {
        for (const l of r.build.slice(-Math.max(0, budget - lines.length))) lines.push(colors.dim(`   ${truncate(l, width - 4)}`));
      }
    }
    return lines;
  };

  const draw = (force = false): void => {
    const lines = frame();
    const text = lines.join('\n');
    if (!force && !messages.length && text === last && drawn) return;
    let chunk = HIDE_CURSOR + (drawn ? `\x1b[${drawn}A\r` : '');
    for (const m of messages.splice(0)) chunk += `\x1b[2K${m}\n`;
    chunk += lines.map((l) => `\x1b[2K${l}\n`).join('');
    chunk += `\x1b[J${SHOW_CURSOR}`; // clear what a taller previous frame left below
    out.write(chunk);
    drawn = lines.length;
    last = text;
    tick++;
  };

  // redraws at most 10 times a second, and only frames that changed (a spinner turns while work runs)
  const ensureTimer = (): void => {
    if (!timer) timer = setInterval(() => draw(), 100).unref();
  };

  const update = (event: ProgressEvent | PullProgressEvent): void => {
    if (event.type === 'pull-progress') {
      const row = rows.get(`image:${event.image}`) ?? rowFor('image', event.image);
      if (!row.status) row.status = 'Pulling';
      row.pull = { current: event.current, total: event.total };
      return;
    }
    const row = rowFor(event.resource, event.id);
    if (row.state !== 'working' && !event.done) row.started = performance.now(); // a new phase (Stopping after Started)
    row.status = event.status;
    row.state = event.error || event.status === 'Error' ? 'error' : event.done ? 'done' : 'working';
    row.elapsed = event.done ? (event.elapsed ?? (performance.now() - row.started) / 1000) : undefined;
    if (event.done) row.build = undefined;
  };

  const render = (event: ComposeEvent): void => {
    if (event.type === 'warning') messages.push(colors.yellow(`warning: ${event.message}`));
    else if (event.type === 'info') messages.push(event.message);
    else if (event.type === 'build-output') {
      const row = buildRow(event.service);
      row.build = [...(row.build ?? []), ...outputLines(event.text)].slice(-BUILD_PANE_LINES);
    } else update(event);
    ensureTimer();
    // the first frame and messages at once; state changes on the next tick (at most 10 frames a second)
    if (drawn === 0 || messages.length) draw();
  };

  return Object.assign(render, {
    close: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (rows.size || messages.length) draw(true);
      rows.clear();
      drawn = 0;
      last = '';
    },
  });
}
