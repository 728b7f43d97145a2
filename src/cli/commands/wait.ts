import { Command } from 'commander';
import { formatPlan, type Plan } from '../../compose/index.js';
import { interruptSignals, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan wait`'s flags, as commander parses them. */
export interface WaitFlags {
  downProject?: boolean;
}

/** `capstan wait SERVICE [SERVICE...] [--down-project]` (docker compose's cmd/compose/wait.go). */
export function command(): Command {
  const command = new Command('wait')
    .description('Block until containers of all (or specified) services stop.')
    .argument('<services...>')
    .option('--down-project', 'Drops project when the first container stops');
  return handledBy(command, run);
}

/**
 * Waits for the services' running containers to stop, printing `container "ID" exited with status
 * code N` for each (as compose); with `--down-project`, the project is then taken down (with
 * `--dry-run`, its plan is printed instead). Resolves the exit code of the container that stopped
 * last (compose's code; with one container, its code). Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE `no such service: x`; NOT_FOUND when no container runs; CANCELLED on Ctrl+C
 */
export async function run(g: GlobalOptions, flags: WaitFlags, services: string[]): Promise<number> {
  const { compose, progress } = session(g, 'Waiting');
  const interrupt = interruptSignals();
  let plan: Plan | undefined;
  try {
    const project = await loadOrLabels(g, compose);
    const result = await compose.wait(project, {
      services,
      downProject: flags.downProject ?? false,
      dryRun: g.dryRun ?? false,
      signal: interrupt.signal,
      onExit: (exit) => process.stdout.write(`container "${exit.id}" exited with status code ${exit.exitCode}\n`),
    });
    plan = result.down;
    return result.exitCode;
  } finally {
    progress.close();
    interrupt.dispose();
    if (g.dryRun && plan) process.stdout.write(`${formatPlan(plan)}\n`);
  }
}
