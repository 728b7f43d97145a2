import type { ComposeEvent, ProgressEvent } from '../compose/events.js';
import type { Colors } from './colors.js';

/**
 * Progress renderers (UX.md "Progress"). `tty`: one line per resource, redrawn in place with a
 * header counting done/total; `plain`: one line per event, no escape codes (CI, pipes);
 * `json`: one JSON object per event; `quiet`: nothing but warnings.
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

const LABEL: Record<ProgressEvent['resource'], string> = {
  network: 'Network',
  volume: 'Volume',
  image: 'Image',
  container: 'Container',
};

/** Create the renderer for `mode` writing to `out` (stderr, as docker compose). */
export function createProgress(mode: ProgressMode, out: NodeJS.WriteStream, colors: Colors, title = 'Running'): ProgressRenderer {
  const resolved = mode === 'auto' ? (out.isTTY ? 'tty' : 'plain') : mode;
  if (resolved === 'json') return jsonRenderer(out);
  if (resolved === 'quiet') return quietRenderer(out, colors);
  if (resolved === 'tty') return ttyRenderer(out, colors, title);
  return plainRenderer(out, colors);
}

function warn(out: NodeJS.WriteStream, colors: Colors, message: string): void {
  out.write(`${colors.yellow(`warning: ${message}`)}\n`);
}

function plainRenderer(out: NodeJS.WriteStream, colors: Colors): ProgressRenderer {
  const render = (event: ComposeEvent): void => {
    if (event.type === 'warning') return warn(out, colors, event.message);
    if (event.type === 'info') return void out.write(`${event.message}\n`);
    if (event.type === 'build-output') {
      for (const line of event.text.split('\n')) if (line.trim()) out.write(`${event.service}  ${line}\n`);
      return;
    }
    if (event.type === 'pull-progress') return; // plain mode: the image's Pulling/Pulled lines say enough
    const elapsed = event.done && event.elapsed !== undefined ? ` ${event.elapsed.toFixed(1)}s` : '';
    const error = event.error ? ` ${colors.red(event.error)}` : '';
    out.write(` ${LABEL[event.resource]} ${event.id}  ${event.status}${elapsed}${error}\n`);
  };
  return Object.assign(render, { close: () => {} });
}

function jsonRenderer(out: NodeJS.WriteStream): ProgressRenderer {
  const render = (event: ComposeEvent): void => {
    if (event.type === 'progress') {
      const { type: _t, ...rest } = event;
      out.write(`${JSON.stringify(rest)}\n`);
    } else if (event.type === 'warning') out.write(`${JSON.stringify({ level: 'warning', message: event.message })}\n`);
    else if (event.type === 'info') out.write(`${JSON.stringify({ level: 'info', message: event.message })}\n`);
    else if (event.type === 'pull-progress') {
      const { type: _t, ...rest } = event;
      out.write(`${JSON.stringify({ resource: 'image', ...rest })}\n`);
    } else out.write(`${JSON.stringify({ resource: 'image', service: event.service, text: event.text })}\n`);
  };
  return Object.assign(render, { close: () => {} });
}

function quietRenderer(out: NodeJS.WriteStream, colors: Colors): ProgressRenderer {
  const render = (event: ComposeEvent): void => {
    if (event.type === 'warning') warn(out, colors, event.message);
  };
  return Object.assign(render, { close: () => {} });
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function ttyRenderer(out: NodeJS.WriteStream, colors: Colors, title: string): ProgressRenderer {
  interface Row {
    label: string;
    status: string;
    done: boolean;
    error?: string;
    started: number;
    elapsed?: number;
  }
  const rows = new Map<string, Row>();
  const messages: string[] = [];
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    const width = out.columns || 80;
    const lines: string[] = [];
    const total = rows.size;
    const done = [...rows.values()].filter((r) => r.done).length;
    lines.push(`${colors.blue('[+]')} ${title} ${done}/${total}`);
    const labelWidth = Math.max(0, ...[...rows.values()].map((r) => r.label.length));
    for (const r of rows.values()) {
      const mark = r.error ? colors.red('✘') : r.done ? colors.green('✔') : SPINNER[frame % SPINNER.length]!;
      const seconds = (r.elapsed ?? (performance.now() - r.started) / 1000).toFixed(1);
      const status = r.error ? colors.red(`${r.status} ${r.error}`) : r.status;
      const line = ` ${mark} ${r.label.padEnd(labelWidth)}  ${status}`;
      lines.push(`${truncate(line, width - 6)} ${colors.dim(`${seconds}s`)}`);
    }
    let text = drawn ? `\x1b[${drawn}A\r` : '';
    for (const m of messages.splice(0)) text += `\x1b[2K${m}\n`;
    text += lines.map((l) => `\x1b[2K${l}\n`).join('');
    out.write(text);
    drawn = lines.length;
    frame++;
  };
  const render = (event: ComposeEvent): void => {
    if (event.type === 'warning') messages.push(colors.yellow(`warning: ${event.message}`));
    else if (event.type === 'info') messages.push(event.message);
    else if (event.type === 'build-output' || event.type === 'pull-progress') return;
    else {
      const key = `${event.resource}:${event.id}`;
      const row = rows.get(key) ?? { label: `${LABEL[event.resource]} ${event.id}`, status: '', done: false, started: performance.now() };
      row.status = event.status;
      row.done = event.done;
      row.error = event.error;
      row.elapsed = event.done ? (event.elapsed ?? (performance.now() - row.started) / 1000) : undefined;
      rows.set(key, row);
    }
    if (!timer) timer = setInterval(draw, 100).unref();
    if (drawn === 0 || messages.length) draw();
  };
  return Object.assign(render, {
    close: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (rows.size || messages.length) draw();
      rows.clear();
      drawn = 0;
    },
  });
}

function truncate(text: string, width: number): string {
  // Width counts visible characters; escape codes are not counted.
  const visible = text.replace(/\x1b\[[0-9;]*m/g, '');
  return visible.length <= width ? text : `${visible.slice(0, Math.max(0, width - 1))}…`;
}
