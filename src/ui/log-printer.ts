import type { LogLine } from '../compose/logs.js';
import { displayName } from '../compose/naming.js';
import { rotatingColors, type Colors } from './colors.js';

/**
 * The log multiplexer (UX.md "Logs"): `name | line`, prefixes padded to one width, one color per
 * service (rotating, stable within a run). Lines arrive whole (compose/logs.ts), so output never
 * interleaves half lines.
 */
/** How {@link LogPrinter} prints: the project (to shorten names), colors, prefix or not. */
export interface LogPrinterOptions {
  project: string;
  colors: Colors;
  noPrefix?: boolean;
}

/** Prints log lines on stdout with `name | ` prefixes padded to one width and colored per service. */
export class LogPrinter {
  /** The widest prefix so far: prefixes widen as longer names appear. */
  private width = 0;
  private readonly palette: ((s: string) => string)[];
  private readonly serviceColor = new Map<string, (s: string) => string>();
  private readonly out = process.stdout;
  /** Prefix text by container, valid while the width it was padded to is current. */
  private readonly prefixes = new Map<string, { width: number; text: string }>();
  /**
   * Output not yet written: lines are gathered and written in one call per event-loop turn (or
   * per 64 KiB), not one `write` per line — `logs` of a large container spent most of its time
   * in per-line writes (bench/compare.mjs "logs").
   */
  private pending = '';
  private scheduled = false;

  constructor(private readonly options: LogPrinterOptions) {
    this.palette = rotatingColors(options.colors);
  }

  /** Print one line with its container's prefix. */
  line(line: LogLine): void {
    if (this.options.noPrefix) {
      this.write(`${line.text}\n`);
      return;
    }
    this.write(`${this.prefix(line.container, line.service)}${line.text}\n`);
  }

  /** Write out what is gathered (also done on its own once per event-loop turn). */
  flush(): void {
    this.scheduled = false;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  }

  private write(text: string): void {
    this.pending += text;
    if (this.pending.length >= 65536) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** `Attaching to web-1, db-1` (compose, before the logs of attached `up`). */
  attaching(containers: string[]): void {
    this.write(`Attaching to ${containers.map((c) => displayName(this.options.project, c)).join(', ')}\n`);
  }

  /** `shop-web-1 exited with code 1` (` (restarting)` when it comes back, as compose's `logs -f`), in the service's color. */
  exited(container: string, service: string, code: number, restarting = false): void {
    const text = `${displayName(this.options.project, container)} exited with code ${code}${restarting ? ' (restarting)' : ''}`;
    this.write(`${this.color(service)(text)}\n`);
  }

  /**
   * A line of the `watch` pseudo-service (compose's `⦿` logger): `<padding> ⦿ Watch enabled`, the
   * `⦿` where other lines have their `|`, in bright green.
   */
  watch(text: string): void {
    const line = this.options.noPrefix ? `⦿ ${text}` : `${''.padEnd(this.width)} ⦿ ${text}`;
    this.out.write(`${this.options.colors.greenBright(line)}\n`);
  }

  private prefix(container: string, service: string): string {
    const cached = this.prefixes.get(container);
    if (cached && cached.width === this.width) return cached.text;
    const name = displayName(this.options.project, container);
    this.width = Math.max(this.width, name.length);
    const text = this.color(service)(`${name.padEnd(this.width)} | `);
    this.prefixes.set(container, { width: this.width, text });
    return text;
  }

  private color(service: string): (s: string) => string {
    let color = this.serviceColor.get(service);
    if (!color) {
      color = this.palette[this.serviceColor.size % this.palette.length]!;
      this.serviceColor.set(service, color);
    }
    return color;
  }
}
