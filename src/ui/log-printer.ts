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

  constructor(private readonly options: LogPrinterOptions) {
    this.palette = rotatingColors(options.colors);
  }

  /** Print one line with its container's prefix. */
  line(line: LogLine): void {
    if (this.options.noPrefix) {
      this.out.write(`${line.text}\n`);
      return;
    }
    this.out.write(`${this.prefix(line.container, line.service)}${line.text}\n`);
  }

  /** `Attaching to web-1, db-1` (compose, before the logs of attached `up`). */
  attaching(containers: string[]): void {
    this.out.write(`Attaching to ${containers.map((c) => displayName(this.options.project, c)).join(', ')}\n`);
  }

  /** `shop-web-1 exited with code 1` (` (restarting)` when it comes back, as compose's `logs -f`), in the service's color. */
  exited(container: string, service: string, code: number, restarting = false): void {
    const text = `${displayName(this.options.project, container)} exited with code ${code}${restarting ? ' (restarting)' : ''}`;
    this.out.write(`${this.color(service)(text)}\n`);
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
    const name = displayName(this.options.project, container);
    this.width = Math.max(this.width, name.length);
    return this.color(service)(`${name.padEnd(this.width)} | `);
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
