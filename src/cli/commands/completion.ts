import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import { completionScript, specOf } from '../completion.js';
import { handledBy } from '../options.js';

/**
 * `capstan completion bash|zsh|fish`: prints the shell's completion script (../completion.ts).
 * main.ts loads every command module for it, so the script lists them all with their flags.
 */
export function command(): Command {
  const command = new Command('completion')
    .description('Print the shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', '\nbash: source <(capstan completion bash)\nzsh:  source <(capstan completion zsh)\nfish: capstan completion fish > ~/.config/fish/completions/capstan.fish');
  return handledBy(command, async (_g, _flags, [shell]) => {
    if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish') {
      throw new CapstanError('USAGE', `completion: unsupported shell "${shell}"`, { hint: 'use bash, zsh or fish' });
    }
    process.stdout.write(completionScript(shell, specOf(command.parent!)));
    return 0;
  });
}
