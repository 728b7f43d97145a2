import pc from 'picocolors';
import { CapstanError } from '../errors.js';

/** How {@link printError} writes: as text (`color`: red first line) or as one JSON object (`--progress json`). */
export interface ErrorStyle {
  /** `--progress json`: `{"error":true,"message":…,"hint"?:…,"details"?:[…]}` on one line. */
  json?: boolean;
  /** Red first line: stderr is a terminal, unless `--ansi never` or NO_COLOR (a pipe never gets escape codes). */
  color?: boolean;
}

/**
 * The error style the global flags ask for, as commander left them (settled or not: a parse
 * error happens before main.ts's preAction hook): `--progress json` (or `COMPOSE_PROGRESS=json`)
 * prints JSON; the first line is red on a terminal, unless `--ansi never` or `NO_COLOR` says no color.
 */
export function errorStyle(opts: { progress?: string; ansi?: string }, stream: { isTTY?: boolean } = process.stderr): ErrorStyle {
  const progress = opts.progress ?? process.env.COMPOSE_PROGRESS;
  const ansi = process.env.NO_COLOR ? 'never' : (opts.ansi ?? process.env.COMPOSE_ANSI ?? 'auto');
  return { json: progress === 'json', color: ansi !== 'never' && stream.isTTY === true };
}

/**
 * The lines {@link printError} writes for `err` (each ending in a newline), and the exit status.
 * Text: `error: <message>` (red with `style.color`), up to three indented detail lines, then
 * `  hint: …`; the stack only with `verbose`. JSON: one object. A CANCELLED error prints nothing
 * (Ctrl+C); a value that is not a CapstanError is a bug and says so.
 */
export function formatError(err: unknown, verbose: boolean, style: ErrorStyle = {}): { text: string; exitCode: number } {
  const red = pc.createColors(style.color === true).red;
  if (err instanceof CapstanError) {
    if (err.code === 'CANCELLED') return { text: '', exitCode: err.exitCode };
    if (style.json) {
      const record = { error: true, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.details.length ? { details: err.details.slice(0, 3) } : {}) };
      return { text: `${JSON.stringify(record)}\n`, exitCode: err.exitCode };
    }
    let text = `${red(`error: ${err.message}`)}\n`;
    for (const line of err.details.slice(0, 3)) text += `  ${line}\n`;
    if (err.hint) text += `  hint: ${err.hint}\n`;
    if (verbose && err.stack) text += `${err.stack}\n`;
    return { text, exitCode: err.exitCode };
  }
  const e = err as { message?: string; stack?: string };
  const message = `internal: ${e?.message ?? String(err)}`;
  if (style.json) return { text: `${JSON.stringify({ error: true, message })}\n`, exitCode: 1 };
  const more = verbose && e?.stack ? `${e.stack}\n` : '  this is a bug in Capstan; run again with --verbose for details\n';
  return { text: `${red(`error: ${message}`)}\n${more}`, exitCode: 1 };
}

/**
 * The one top-level error handler: prints {@link formatError}'s lines to stderr and returns the
 * exit status. Progress renderers show a failed resource as `Error` without the message, so the
 * message is printed once, here.
 */
export function printError(err: unknown, verbose: boolean, style: ErrorStyle = errorStyle({})): number {
  const { text, exitCode } = formatError(err, verbose, style);
  if (text) process.stderr.write(text);
  return exitCode;
}
