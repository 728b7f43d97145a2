import { InvalidArgumentError, Option, type Command } from 'commander';
import { CapstanError } from '../errors.js';
import type { GlobalOptions } from './globals.js';

/**
 * What every command module (./commands/*.ts) builds its commander `Command` with: option value
 * parsers, the display-only renaming of `--no-x` options, and {@link handledBy}, which runs the
 * command's handler with the settled global flags, its own typed flags and its operands.
 * Kept free of the loader, the engine client and the compose layer (start-up time).
 */

/**
 * The `--format table|json` of the listing commands (`ls`, `images`, `volumes`); `-q` prints IDs
 * or names whatever the format, so with `quiet` any value passes.
 * @throws CapstanError USAGE `--format: "x" is not supported` for another value
 */
export function tableOrJson(format: string | undefined, quiet?: boolean): 'table' | 'json' {
  const f = format ?? 'table';
  if (f === 'table' || f === 'json') return f;
  if (quiet) return 'table';
  throw new CapstanError('USAGE', `--format: "${f}" is not supported`, { hint: 'use table or json' });
}

/** Collects a repeatable option's values (`--scale a=1 --scale b=2`) in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * An integer option value, as Go's flag package reads one (`12abc` is not).
 * @throws InvalidArgumentError `not an integer`, which commander reports as a usage error.
 */
export const int = (v: string): number => {
  if (!/^[-+]?\d+$/.test(v.trim())) throw new InvalidArgumentError('not an integer');
  return Number.parseInt(v, 10);
};

/**
 * An option commander parses as `parsedAs` (argv is rewritten by main.ts `normalizeArgv`) while
 * help and error messages show `shown`: commander reads every `--no-x` as the negation of `--x`.
 */
export function renamed(parsedAs: string, shown: string, description: string): Option {
  const option = new Option(parsedAs, description);
  option.flags = shown; // display only: parsing uses the names taken from `parsedAs`
  return option;
}

/**
 * A command's implementation: the global flags (settled by main.ts's preAction hook), the
 * command's own flags as commander parsed them (`Flags`, declared next to the options), and its
 * operands; resolves the exit status.
 */
export type Handler<Flags> = (globals: GlobalOptions, flags: Flags, operands: string[]) => Promise<number>;

/**
 * Makes `handler` the action of `command`; a non-zero status it resolves becomes
 * `process.exitCode`. Errors propagate to main.ts, which prints them.
 */
export function handledBy<Flags extends object>(command: Command, handler: Handler<Flags>): Command {
  return command.action(async () => {
    // a variadic argument arrives as one array, an optional one missing as undefined
    const operands = command.processedArgs.flat().filter((a): a is string => typeof a === 'string');
    const globals = (command.parent ?? command).opts<GlobalOptions>();
    const code = await handler(globals, command.opts<Flags>(), operands);
    if (code !== 0) process.exitCode = code;
  });
}
