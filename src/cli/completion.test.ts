import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionScript, specOf } from './completion.js';

function program(): Command {
  const p = new Command('capstan').option('-f, --file <file>', 'file').option('--dry-run', 'dry');
  p.addCommand(new Command('logs').argument('[services...]').option('-n, --tail <n>', 'tail').option('--no-color', 'mono'));
  p.addCommand(new Command('exec').argument('<service>').argument('<command...>').option('-T', 'no tty'));
  p.addCommand(new Command('scale').argument('<service=replicas...>'));
  const hidden = new Command('__complete');
  (hidden as unknown as { _hidden: boolean })._hidden = true;
  p.addCommand(hidden);
  return p;
}

describe('completion scripts', () => {
  it('the spec lists visible commands, their flags and which operands are services', () => {
    const spec = specOf(program());
    expect(spec.globalFlags).toEqual(['-f', '--file', '--dry-run', '--help']);
    expect(spec.globalValueFlags).toEqual(['-f', '--file']);
    expect(spec.commands.map((c) => [c.name, c.services])).toEqual([['logs', 'all'], ['exec', 'first'], ['scale', 'none']]);
    expect(spec.commands[0]!.flags).toEqual(['-n', '--tail', '--no-color', '--help']);
  });

  it('bash: registers, completes commands, flags and services (from `capstan __complete services`)', () => {
    const script = completionScript('bash', specOf(program()));
    // a stand-in capstan that answers __complete services
    const run = (words: string[], cword: number): string =>
      execFileSync('bash', ['-c', `capstan() { case "$*" in *'__complete services') printf 'web\\nredis\\n' ;; esac; }\n${script}\ncomplete -p capstan\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${cword}; _capstan; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
    expect(run(['capstan', 'lo'], 1)).toBe('complete -F _capstan capstan\nlogs\n');
    expect(run(['capstan', 'logs', ''], 2).split('\n')[1]).toBe('web redis');
    expect(run(['capstan', '-f', 'x.yaml', 'logs', 'web', 'r'], 5).split('\n')[1]).toBe('redis');
    expect(run(['capstan', 'logs', '--t'], 2).split('\n')[1]).toBe('--tail');
    expect(run(['capstan', 'exec', 'web', ''], 3).split('\n')[1]).toBe('');
    expect(run(['capstan', '--d'], 1).split('\n')[1]).toBe('--dry-run');
  });

  it('zsh and fish scripts name the commands and ask for services', () => {
    const zsh = completionScript('zsh', specOf(program()));
    expect(zsh).toMatch(/^#compdef capstan\n/);
    expect(zsh).toContain("(logs) flags=('-n' '--tail' '--no-color' '--help'); services=all ;;");
    const fish = completionScript('fish', specOf(program()));
    expect(fish).toContain('complete -c capstan -n "__fish_seen_subcommand_from logs exec" -a "(__capstan_services)"');
    expect(fish).not.toContain('-a __complete');
  });
});
