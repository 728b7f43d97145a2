import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { VolumesOptions } from '../../compose/index.js';
import { volumesFormat } from '../../ui/info.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan volumes`'s flags, as commander parses them. */
export interface VolumesFlags {
  format?: string;
  quiet?: boolean;
}

/** `capstan volumes [SERVICE...]`: `--format table|json|TEMPLATE`, `-q`. */
export function command(): Command {
  const command = new Command('volumes')
    .description('List volumes')
    .argument('[services...]')
    .option('--format <format>', "format the output: 'table' (default), 'table TEMPLATE', 'json' or a Go 'TEMPLATE'", 'table')
    .option('-q, --quiet', 'only display volume names');
  return handledBy(command, run);
}

/**
 * Prints the project's volumes: the DRIVER VOLUME NAME table, one JSON object per line
 * (`--format json`), a Go template's lines, or names (`-q`). Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service or a template naming an unknown field
 */
export async function run(g: GlobalOptions, flags: VolumesFlags, services: string[]): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const options: VolumesOptions = { services };
  const volumes = await compose.volumes(project.name, options);
  const out = process.stdout;
  if (flags.quiet) for (const v of volumes) out.write(`${v.name}\n`);
  else out.write(volumesFormat(volumes, flags.format));
  return 0;
}
