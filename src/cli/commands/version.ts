import { CapstanError } from '../../errors.js';
import { VERSION } from '../../version.js';
import type { GlobalOptions } from '../context.js';

/** `capstan version`: `--short`, `-f pretty|json` (compose prints `{"version":"v…"}`). */
export async function run(_g: GlobalOptions, flags: { format?: string; short?: boolean }): Promise<number> {
  if (flags.short) process.stdout.write(`${VERSION}\n`);
  else if (flags.format === 'json') process.stdout.write(`${JSON.stringify({ version: `v${VERSION}` })}\n`);
  else if (!flags.format || flags.format === 'pretty') process.stdout.write(`Capstan version v${VERSION}\n`);
  else throw new CapstanError('USAGE', `--format: "${flags.format}" is not supported`, { hint: 'use pretty or json' });
  return 0;
}
