import { Command, Option } from 'commander';
import type { GlobalOptions } from '../context.js';
import { collect, handledBy, renamed } from '../options.js';
import type { UpFlags } from '../up-flags.js';
import { run as up } from './up.js';

/** `capstan create [SERVICE...]`: flags as docker compose's `create` (cmd/compose/create.go). */
export function command(): Command {
  const command = new Command('create')
    .description('Creates containers for a service')
    .argument('[services...]')
    .option('--build', 'build images before starting containers')
    .addOption(renamed('--nobuild', '--no-build', "don't build an image, even if it's missing"))
    .option('--force-recreate', 'recreate containers even if their configuration and image have not changed')
    .option('--no-recreate', "if containers already exist, don't recreate them")
    .option('--remove-orphans', 'remove containers for services not defined in the compose file')
    .option('--scale <service=n>', 'scale SERVICE to NUM instances (repeatable)', collect)
    .addOption(new Option('--pull <policy>', 'pull image before running').choices(['always', 'missing', 'never', 'build', 'policy']).default('policy'))
    .option('--quiet-pull', 'pull without printing progress information')
    .option('-y, --yes', 'assume "yes" as answer to all prompts and run non-interactively')
    .option('--dry-run', 'print the plan; change nothing');
  return handledBy(command, run);
}

/** `up --no-start` (compose-behaviour.md §3.16): create what is missing, start nothing. */
export async function run(g: GlobalOptions, flags: UpFlags, services: string[]): Promise<number> {
  return up(g, { ...flags, start: false, detach: true }, services);
}
