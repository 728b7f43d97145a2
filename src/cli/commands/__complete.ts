import { Command } from 'commander';
import { loadProject } from '../../loader/index.js';
import { loadOptionsFromGlobals } from '../globals.js';
import { handledBy } from '../options.js';

/**
 * `capstan __complete services` (hidden): the service names of the project the global flags (or
 * the current directory) describe, one a line, for the completion scripts (../completion.ts).
 * Quiet and never failing: no warnings, and nothing at all when no project loads.
 */
export function command(): Command {
  const command = new Command('__complete').description('Print completion candidates (used by the completion scripts)').argument('<what>', 'services');
  (command as unknown as { _hidden: boolean })._hidden = true;
  return handledBy(command, async (g, _flags, [what]) => {
    if (what !== 'services') return 0;
    try {
      const project = await loadProject(
        loadOptionsFromGlobals(g, { onWarning: () => {}, readStdin: async () => '' }),
      );
      const names = [...Object.keys(project.services), ...Object.keys(project.disabledServices)];
      process.stdout.write(names.map((n) => `${n}\n`).join(''));
    } catch {
      // no compose file here, or a broken one: no candidates
    }
    return 0;
  });
}
