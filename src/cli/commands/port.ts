import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import type { PortOptions } from '../../compose/index.js';
import { portText } from '../../ui/info.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';

/** `capstan port`'s flags, as commander parses them. */
export interface PortFlags {
  protocol?: string;
  index?: number;
}

/** `capstan port SERVICE PRIVATE_PORT`: `--protocol tcp|udp`, `--index`. */
export function command(): Command {
  const command = new Command('port')
    .description('Print the public port for a port binding')
    .argument('<service>')
    .argument('<private_port>')
    .addOption(new Option('--protocol <protocol>', 'tcp or udp').default('tcp'))
    .addOption(new Option('--index <n>', 'index of the container if service has multiple replicas').argParser(int));
  return handledBy(command, run);
}

/**
 * Prints `HOST:PORT`, where the service container's port is published. Works with `-p NAME`
 * and no compose file.
 * @throws CapstanError USAGE for an unknown service or a port that is not a number;
 *   NOT_FOUND when the port is not published
 */
export async function run(g: GlobalOptions, flags: PortFlags, operands: string[]): Promise<number> {
  const [service, portText_] = operands as [string, string];
  const privatePort = Number(portText_);
  if (!/^\d+$/.test(portText_) || privatePort > 65535) throw new CapstanError('USAGE', `invalid port: ${portText_}`);
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, [service]);
  const options: PortOptions = { protocol: flags.protocol, index: flags.index };
  const published = await compose.port(project.name, service, privatePort, options);
  process.stdout.write(`${portText(published)}\n`);
  return 0;
}
