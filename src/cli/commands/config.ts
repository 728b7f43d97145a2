import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import { configHashes, configList, type ConfigList } from '../../compose/index.js';
import { loadModel } from '../../loader/index.js';
import { modelToYaml, projectToModel, rawModelToPrint } from '../../loader/serialize.js';
import { extractVariables } from '../../loader/variables.js';
import { formatTable } from '../../ui/table.js';
import { loadFromGlobals, loadOptionsFromGlobals, type GlobalOptions } from '../globals.js';
import { handledBy } from '../options.js';

/** `capstan config`'s flags, as commander parses them (each `--no-x` is `x: false`). */
export interface ConfigFlags extends Partial<Record<ConfigList, boolean>> {
  format?: string;
  output?: string;
  quiet?: boolean;
  hash?: string;
  variables?: boolean;
  interpolate?: boolean;
  normalize?: boolean;
  pathResolution?: boolean;
  envResolution?: boolean;
  consistency?: boolean;
}

/** The lists `config` prints, in the order their flags take precedence. */
const LISTS: readonly ConfigList[] = ['environment', 'services', 'volumes', 'networks', 'profiles', 'images'];

/**
 * `capstan config [SERVICE...]`: the fully resolved model in compose's canonical form
 * (`--format yaml|json`), or one list (`--services`, `--volumes`, `--networks`, `--profiles`,
 * `--images`), `--hash`, `--variables`, `--environment`, or nothing (`-q`: validate only).
 * `--no-normalize`, `--no-path-resolution`, `--no-env-resolution`, `--no-consistency` and
 * `--no-interpolate` skip the corresponding loader stages.
 */
export function command(): Command {
  const command = new Command('config')
    .description('Parse, resolve and render the compose file in canonical format')
    .argument('[services...]')
    .option('--format <format>', 'format the output: yaml or json', 'yaml')
    .option('-o, --output <file>', 'save to file (default: stdout)')
    .option('-q, --quiet', 'only validate the configuration, don\'t print anything')
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--networks', 'print the network names, one per line')
    .option('--profiles', 'print the profile names, one per line')
    .option('--images', 'print the image names, one per line')
    .option('--no-interpolate', "don't interpolate environment variables")
    .option('--hash <services>', "print the service config hash, one per line ('*' or svc,svc)")
    .option('--variables', 'print the model variables and their default values')
    .option('--environment', 'print the environment used for interpolation')
    .option('--no-normalize', "don't normalize the compose model")
    .option('--no-path-resolution', "don't resolve file paths")
    .option('--no-env-resolution', "don't resolve service env files")
    .option('--no-consistency', "don't check model consistency");
  return handledBy(command, run);
}

/** Loads the model or project as the flags ask and prints it (to `-o FILE` if given). */
export async function run(g: GlobalOptions, flags: ConfigFlags, selected: string[]): Promise<number> {
  const lines = (items: string[]): string => items.map((i) => `${i}\n`).join('');
  const emit = async (text: string): Promise<number> => {
    if (flags.output) await writeFile(flags.output, text);
    else process.stdout.write(text);
    return 0;
  };
  const render = (model: object): string => {
    if (flags.format === 'json') return `${JSON.stringify(model, null, 2)}\n`;
    if (!flags.format || flags.format === 'yaml') return modelToYaml(model);
    throw new CapstanError('USAGE', `--format: "${flags.format}" is not supported`, { hint: 'use yaml or json' });
  };

  if (flags.variables) {
    // compose `runVariables`: ExtractVariables over the merged model (include and extends applied), not interpolated
    const vars = extractVariables(await loadModel(loadOptionsFromGlobals(g, { interpolate: false })));
    const rows = [...vars.keys()].sort().map((name) => {
      const v = vars.get(name)!;
      return [name, String(v.required), v.defaultValue, v.presenceValue];
    });
    return emit(`${formatTable(['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE'], rows)}\n`);
  }

  const list = LISTS.find((l) => flags[l]);
  if (flags.interpolate === false && !(flags.quiet || flags.hash !== undefined || list)) {
    // compose renders the raw merged model (LoadModel): not validated, not normalised, every service (§3.20)
    return emit(render(rawModelToPrint(await loadModel(loadOptionsFromGlobals(g, { interpolate: false })))));
  }

  const project = await loadFromGlobals(g, {
    interpolate: flags.interpolate !== false,
    skipNormalization: flags.normalize === false,
    resolvePaths: flags.pathResolution !== false,
    skipEnvResolution: flags.envResolution === false,
    skipConsistency: flags.consistency === false,
    services: selected.length ? selected : undefined,
  });
  if (flags.quiet) return 0;
  // precedence as before: --environment, then --hash, then the other lists
  if (list === 'environment') return emit(lines(configList(project, list)));
  if (flags.hash !== undefined) return emit(lines(configHashes(project, flags.hash)));
  return emit(list ? lines(configList(project, list)) : render(projectToModel(project)));
}
