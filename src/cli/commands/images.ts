import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { ImagesOptions } from '../../compose/index.js';
import { imageIds, imagesJson, imagesTable } from '../../ui/info.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy, tableOrJson } from '../options.js';

/** `capstan images`'s flags, as commander parses them. */
export interface ImagesFlags {
  format?: string;
  quiet?: boolean;
}

/** `capstan images [SERVICE...]`: `--format table|json`, `-q`. */
export function command(): Command {
  const command = new Command('images')
    .description('List images used by the created containers')
    .argument('[services...]')
    .option('--format <format>', 'format the output: table or json', 'table')
    .option('-q, --quiet', 'only display IDs');
  return handledBy(command, run);
}

/**
 * Prints the image of each container: the CONTAINER REPOSITORY TAG PLATFORM IMAGE ID SIZE CREATED
 * table, a JSON array (`--format json`) or image IDs (`-q`). Works with `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service or format
 */
export async function run(g: GlobalOptions, flags: ImagesFlags, services: string[]): Promise<number> {
  const format = tableOrJson(flags.format, flags.quiet);
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const options: ImagesOptions = { services };
  const images = await compose.images(project.name, options);
  const out = process.stdout;
  if (flags.quiet) for (const id of imageIds(images)) out.write(`${id}\n`);
  else out.write(`${format === 'json' ? imagesJson(images) : imagesTable(images)}\n`);
  return 0;
}
