import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { CapstanError } from '../../errors.js';
import { projectToModel } from '../../loader/serialize.js';
import { serviceImage } from '../../compose/naming.js';
import { withDependencies } from '../../compose/graph.js';
import { loadFromGlobals, type GlobalOptions } from '../context.js';

interface ConfigFlags {
  format?: string;
  output?: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  profiles?: boolean;
  images?: boolean;
  interpolate?: boolean;
}

/**
 * `capstan config [SERVICE...]`: the fully resolved model in compose's canonical form
 * (`--format yaml|json`), or one list (`--services`, `--volumes`, `--networks`, `--profiles`,
 * `--images`), or nothing (`-q`: validate only).
 */
export async function run(g: GlobalOptions, flags: ConfigFlags, selected: string[]): Promise<number> {
  const project = await loadFromGlobals(g, { interpolate: flags.interpolate !== false });
  if (selected.length) {
    const keep = withDependencies(project, selected);
    project.services = Object.fromEntries(Object.entries(project.services).filter(([name]) => keep.has(name)));
  }
  let text: string;
  const lines = (items: Iterable<string>): string => [...items].map((i) => `${i}\n`).join('');
  if (flags.quiet) return 0;
  if (flags.services) text = lines(Object.keys(project.services));
  else if (flags.volumes) text = lines(Object.keys(project.volumes));
  else if (flags.networks) text = lines(Object.keys(project.networks));
  else if (flags.profiles) {
    const all = [...Object.values(project.services), ...Object.values(project.disabledServices)];
    text = lines([...new Set(all.flatMap((s) => s.profiles ?? []))].sort());
  } else if (flags.images) text = lines(Object.values(project.services).map((s) => serviceImage(project.name, s)));
  else {
    const model = projectToModel(project);
    if (flags.format === 'json') text = `${JSON.stringify(model, null, 2)}\n`;
    else if (!flags.format || flags.format === 'yaml') text = stringify(model, { indent: 2, lineWidth: 0, aliasDuplicateObjects: false });
    else throw new CapstanError('USAGE', `--format: "${flags.format}" is not supported`, { hint: 'use yaml or json' });
  }
  if (flags.output) await writeFile(flags.output, text);
  else process.stdout.write(text);
  return 0;
}
