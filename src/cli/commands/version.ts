import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { handledBy } from '../options.js';

/** `capstan version`'s flags, as commander parses them. */
export interface VersionFlags {
  format?: string;
  short?: boolean;
}

/** `capstan version`: `--short`, `-f pretty|json` (compose prints `{"version":"v…"}`). */
export function command(): Command {
  const command = new Command('version')
    .description('Show the Capstan version information')
    .option('-f, --format <format>', 'format the output: pretty or json', 'pretty')
    .option('--short', 'show only the version number');
  return handledBy<VersionFlags>(command, async (_g, flags) => run(flags));
}

/**
 * Prints the version in the asked form.
 * @throws CapstanError USAGE for a format other than pretty or json
 */
export async function run(flags: VersionFlags): Promise<number> {
  if (flags.short) process.stdout.write(`${VERSION}\n`);
  else if (flags.format === 'json') process.stdout.write(`${JSON.stringify({ version: `v${VERSION}` })}\n`);
  else if (!flags.format || flags.format === 'pretty') process.stdout.write(`Capstan version v${VERSION}\n`);
  else throw new CapstanError('USAGE', `--format: "${flags.format}" is not supported`, { hint: 'use pretty or json' });
  return 0;
}
