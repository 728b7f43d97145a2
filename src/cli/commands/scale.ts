import { Command } from 'commander';
import { parseReplicas } from '../../compose/index.js';
import { noConfigFileError } from '../../loader/discover.js';
import type { GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';
import { runPlanned } from '../planned-verb.js';

/** `capstan scale`'s flags, as commander parses them (`--no-deps`: `deps` false). */
export interface ScaleFlags {
  deps?: boolean;
  dryRun?: boolean;
}

/** `capstan scale SERVICE=REPLICAS... [--no-deps] [--dry-run]` (docker compose's cmd/compose/scale.go). */
export function command(): Command {
  const command = new Command('scale')
    .description('Scale services')
    .argument('<service=replicas...>')
    .option('--no-deps', "Don't start linked services")
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/**
 * Sets the replica counts and converges those services through `up`'s planner (create, start,
 * remove the extra replicas); `--dry-run` prints the plan. Needs the compose file (as compose).
 * @throws CapstanError USAGE `invalid scale specifier: x`, `no such service: x`; LoaderError
 *   NO_CONFIG_FILE `no configuration file provided: not found` with `-p NAME` and no compose file
 */
export function run(g: GlobalOptions, flags: ScaleFlags, operands: string[]): Promise<number> {
  const replicas = parseReplicas(operands); // before anything is loaded: bad syntax fails fast
  return runPlanned(g, flags.dryRun, 'Scaling', (compose, project, base) => {
    // as compose's scale (it loads the project, never rebuilds it from labels): a project known
    // only from labels has no service configuration to create replicas from
    if (!project.configFiles.length) throw noConfigFileError(process.cwd());
    return compose.scale(project, { ...base, replicas, noDeps: flags.deps === false });
  }, [], { engineLimits: true });
}
