import { CapstanError } from '../errors.js';

/**
 * The one top-level error handler: prints `error: <message>` (plus up to three detail lines and
 * a hint) to stderr and returns the exit status. Stack traces only with `--verbose`; a value that
 * is not a CapstanError is a bug and says so.
 */
export function printError(err: unknown, verbose: boolean): number {
  const out = process.stderr;
  if (err instanceof CapstanError) {
    if (err.code === 'CANCELLED') return err.exitCode;
    out.write(`error: ${err.message}\n`);
    for (const line of err.details.slice(0, 3)) out.write(`  ${line}\n`);
    if (err.hint) out.write(`  hint: ${err.hint}\n`);
    if (verbose && err.stack) out.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err as { message?: string; stack?: string };
  out.write(`error: internal: ${e?.message ?? String(err)}\n`);
  out.write(verbose && e?.stack ? `${e.stack}\n` : '  this is a bug in Capstan; run again with --verbose for details\n');
  return 1;
}
