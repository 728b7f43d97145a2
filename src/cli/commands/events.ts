import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import { formatEventJson, formatEventText, type ProjectEvent } from '../../compose/index.js';
import { interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan events`'s flags, as commander parses them. */
export interface EventsFlags {
  json?: boolean;
  since?: string;
  until?: string;
}

/** `capstan events [SERVICE...] [--json] [--since T] [--until T]` (docker compose's cmd/compose/events.go). */
export function command(): Command {
  const command = new Command('events')
    .description('Receive real time events from containers')
    .argument('[services...]')
    .option('--json', 'Output events as a stream of json objects')
    .option('--since <timestamp>', 'Show all events created since timestamp')
    .option('--until <timestamp>', 'Stream events until this timestamp');
  return handledBy(command, run);
}

/**
 * Prints the project's container events, one per line (compose's text form, or its JSON object
 * with `--json`), until `--until` passes or Ctrl+C (CANCELLED, exit 130).
 * Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE `no such service: x`, or a bad `--since`/`--until`
 */
export async function run(g: GlobalOptions, flags: EventsFlags, services: string[]): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  const interrupt = interruptSignals();
  try {
    await compose.events(project, (event) => process.stdout.write(eventOutput(event, flags.json ?? false)), {
      services,
      ...(flags.since !== undefined ? { since: flags.since } : {}),
      ...(flags.until !== undefined ? { until: flags.until } : {}),
      signal: interrupt.signal,
    });
    if (interrupt.signal.aborted) throw new CapstanError('CANCELLED', 'cancelled');
  } finally {
    interrupt.dispose();
  }
  return 0;
}

/**
 * What `events` writes for one event: with `--json`, its JSON object and a newline; otherwise its
 * text line followed by an empty line, as compose (its `Event.String()` ends with a newline, which
 * `fmt.Fprintln` follows with another).
 */
export function eventOutput(event: ProjectEvent, json: boolean): string {
  return json ? `${formatEventJson(event)}\n` : `${formatEventText(event)}\n\n`;
}
