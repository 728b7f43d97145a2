import { Command } from 'commander';
import { VERSION } from '../../version.js';
import { handledBy } from '../options.js';
import { installPlugin } from '../plugin.js';

/** `capstan install-plugin`'s flags. */
export interface InstallPluginFlags {
  force?: boolean;
}

/**
 * `capstan install-plugin [--force]`: makes `docker compose …` run Capstan (../plugin.ts). The
 * plugin runs the `capstan` that installed it (this process's script, `process.argv[1]`).
 */
export function command(): Command {
  const command = new Command('install-plugin')
    .description('Install Capstan as the Docker CLI plugin "docker compose"')
    .option('--force', 'replace a docker-compose plugin Capstan did not write');
  return handledBy<InstallPluginFlags>(command, async (_g, flags) => {
    const path = installPlugin(process.argv[1] ?? 'capstan', VERSION, { force: flags.force });
    process.stdout.write(`Installed ${path}: \`docker compose …\` now runs Capstan (\`capstan uninstall-plugin\` undoes it)\n`);
    return 0;
  });
}
