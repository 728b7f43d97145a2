import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { command, execOptions, type ExecFlags } from './exec.js';
import { passThroughStart } from '../main.js';

/** `capstan exec`'s argv: what is a flag of ours and what is the command's, untouched. */
function parse(...argv: string[]): { flags: ExecFlags; operands: string[] } {
  const program = new Command('capstan').enablePositionalOptions().exitOverride();
  const exec = command().exitOverride();
  let result: { flags: ExecFlags; operands: string[] } | undefined;
  exec.action(() => {
    result = { flags: exec.opts<ExecFlags>(), operands: exec.processedArgs.flat() as string[] };
  });
  program.addCommand(exec);
  program.parse(['exec', ...argv], { from: 'user' });
  return result!;
}

describe('exec argv', () => {
  it('passes everything after the service through', () => {
    expect(parse('web', 'tail', '-f', '/x').operands).toEqual(['web', 'tail', '-f', '/x']);
    expect(parse('-T', 'web', 'sh', '-c', 'exit 7', '-T', '--index', '2').operands).toEqual(['web', 'sh', '-c', 'exit 7', '-T', '--index', '2']);
  });

  it('reads its own flags before the service', () => {
    const { flags, operands } = parse('-T', '-d', '-e', 'A=1', '--env', 'B=2', '--index', '2', '--privileged', '-u', 'me', '-w', '/w', 'web', 'ls');
    expect(operands).toEqual(['web', 'ls']);
    expect(flags).toMatchObject({ tty: false, detach: true, env: ['A=1', 'B=2'], index: 2, privileged: true, user: 'me', workdir: '/w' });
  });

  it('main.ts leaves the command unnormalised (`-c=x` stays)', () => {
    const argv = ['node', 'capstan', '-p', 'x', 'exec', '-e', 'A=1', '-Tu', 'me', 'web', 'sh', '-c=x'];
    expect(passThroughStart(argv, 4)).toBe(10);
    expect(passThroughStart(['n', 'c', 'exec', '--', 'web', 'ls'], 2)).toBe(5);
    expect(passThroughStart(['n', 'c', 'ps', '-a'], 2)).toBe(4);
  });
});

describe('exec options', () => {
  it('a TTY by default when stdout is a terminal, none with -T or without a terminal', () => {
    expect(execOptions({ tty: true }, true)).toMatchObject({ tty: true, index: 1, detach: false, env: [] });
    expect(execOptions({ tty: false }, true).tty).toBe(false);
    expect(execOptions({ tty: true }, false).tty).toBe(false);
    expect(execOptions({ user: 'u', workdir: '/w', privileged: true }, false)).toMatchObject({ user: 'u', workingDir: '/w', privileged: true });
  });
});
