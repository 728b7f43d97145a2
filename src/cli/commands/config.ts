import { writeFile } from 'node:fs/promises';
import { CapstanError } from '../../errors.js';
import { serviceImage } from '../../compose/naming.js';
import { dependencyOrder } from '../../compose/graph.js';
import { serviceHash } from '../../compose/hash.js';
import { formatTable } from '../../ui/table.js';
import type { Project } from '../../model/types.js';
import { loadFromGlobals, loadOptionsFromGlobals, type GlobalOptions } from '../globals.js';
import { loadModel } from '../../loader/index.js';
import { modelToYaml, projectToModel, rawModelToPrint } from '../../loader/serialize.js';
import { extractVariables } from '../../loader/variables.js';

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
  hash?: string;
  variables?: boolean;
  environment?: boolean;
  normalize?: boolean;
  pathResolution?: boolean;
  envResolution?: boolean;
  consistency?: boolean;
}

/**
 * `capstan config [SERVICE...]`: the fully resolved model in compose's canonical form
 * (`--format yaml|json`), or one list (`--services`, `--volumes`, `--networks`, `--profiles`,
 * `--images`), `--hash`, `--variables`, `--environment`, or nothing (`-q`: validate only).
 * `--no-normalize`, `--no-path-resolution`, `--no-env-resolution`, `--no-consistency` and
 * `--no-interpolate` skip the corresponding loader stages.
 */
export async function run(g: GlobalOptions, flags: ConfigFlags, selected: string[]): Promise<number> {
  const lines = (items: Iterable<string>): string => [...items].map((i) => `${i}\n`).join('');
  const emit = async (text: string) => {
    if (flags.output) await writeFile(flags.output, text);
    else process.stdout.write(text);
    return 0;
  };
  const render = (model: Record<string, unknown>): string => {
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

  const listing = flags.quiet || flags.environment || flags.hash !== undefined || flags.services || flags.volumes || flags.networks || flags.profiles || flags.images;
  if (flags.interpolate === false && !listing) {
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
  let text: string;
  if (flags.environment) {
    text = lines(Object.keys(project.environment).sort().map((k) => `${k}=${project.environment[k]}`));
  } else if (flags.hash !== undefined) {
    const wanted = flags.hash === '*' ? Object.keys(project.services) : flags.hash.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of wanted) if (!project.services[s]) throw new CapstanError('USAGE', `no such service: ${s}`);
    text = lines(wanted.sort().map((s) => `${s} ${serviceHash(project.services[s]!)}`));
  } else if (flags.services) text = lines(inDependencyOrder(project));
  else if (flags.volumes) text = lines(Object.keys(project.volumes));
  else if (flags.networks) text = lines(Object.keys(project.networks));
  else if (flags.profiles) {
    const all = [...Object.values(project.services), ...Object.values(project.disabledServices)];
    text = lines([...new Set(all.flatMap((s) => s.profiles ?? []))].sort());
  } else if (flags.images) text = lines(Object.values(project.services).map((s) => serviceImage(project.name, s)));
  else text = render(projectToModel(project));
  return emit(text);
}

/** Service names dependencies first, as compose's `ForEachService` walks them; file order on a cycle (`--no-consistency`). */
function inDependencyOrder(project: Project): string[] {
  try {
    return dependencyOrder(project);
  } catch {
    return Object.keys(project.services);
  }
}
