import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import type { ImagesOptions } from '../../compose/index.js';
import { imageIds, imagesFormat } from '../../ui/info.js';
import { checkServiceNames, loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan images`'s flags, as commander parses them. */
export interface ImagesFlags {
  format?: string;
  quiet?: boolean;
}

/** `capstan images [SERVICE...]`: `--format table|json|TEMPLATE`, `-q`. */
export function command(): Command {
  const command = new Command('images')
    .description('List images used by the created containers')
    .argument('[services...]')
    .option('--format <format>', "format the output: 'table' (default), 'json', or a Go 'TEMPLATE' / 'table TEMPLATE'", 'table')
    .option('-q, --quiet', 'only display IDs');
  return handledBy(command, run);
}

/**
 * Prints the image of each container: the CONTAINER REPOSITORY TAG PLATFORM IMAGE ID SIZE CREATED
 * table, a JSON array (`--format json`), a Go template's lines, or image IDs (`-q`). Works with
 * `-p NAME` and no compose file.
 * @throws CapstanError USAGE for an unknown service or a template naming an unknown field
 */
export async function run(g: GlobalOptions, flags: ImagesFlags, services: string[]): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  checkServiceNames(project, services);
  const options: ImagesOptions = { services };
  const images = await compose.images(project.name, options);
  const out = process.stdout;
  if (flags.quiet) for (const id of imageIds(images)) out.write(`${id}\n`);
  else out.write(imagesFormat(images, flags.format));
  return 0;
}
