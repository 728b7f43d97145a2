import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { TopOptions } from '../../compose/index.js';
import { topTable } from '../../ui/info.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan top [SERVICE...]`: no flags of its own. */
export function command(): Command {
  const command = new Command('top').description('Display the running processes').argument('[services...]');
  return handledBy(command, run);
}

/**
 * Prints the processes of the running containers in one table (SERVICE # UID PID … CMD), nothing
 * when none runs. Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service
 */
export async function run(g: GlobalOptions, _flags: object, services: string[]): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const options: TopOptions = { services };
  const table = topTable(await compose.top(project.name, options));
  if (table) process.stdout.write(`${table}\n`);
  return 0;
}
