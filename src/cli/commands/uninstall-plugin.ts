import { Command } from 'commander';
import { handledBy } from '../options.js';
import { pluginPath, uninstallPlugin } from '../plugin.js';

/** `capstan uninstall-plugin`'s flags. */
export interface UninstallPluginFlags {
  force?: boolean;
}

/** `capstan uninstall-plugin [--force]`: removes the plugin `install-plugin` wrote, and nothing else (../plugin.ts). */
export function command(): Command {
  const command = new Command('uninstall-plugin')
    .description('Remove the Docker CLI plugin written by install-plugin')
    .option('--force', 'remove a docker-compose plugin Capstan did not write');
  return handledBy<UninstallPluginFlags>(command, async (_g, flags) => {
    const removed = uninstallPlugin({ force: flags.force });
    process.stdout.write(removed ? `Removed ${removed}\n` : `No plugin at ${pluginPath()}: nothing to remove\n`);
    return 0;
  });
}
