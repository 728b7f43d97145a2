import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { command, runEnvironment, runLabels, runOptions, runTty, type RunFlags } from './run.js';
import { command as attachCommand, type AttachFlags } from './attach.js';
import { normalizeArgv, passThroughStart } from '../main.js';
import { project } from '../../../test/support/fixtures.js';

/** `capstan run`'s and `capstan attach`'s argv, and how run's flags become the verb's options. */
function parse<Flags extends object>(make: () => Command, name: string, ...argv: string[]): { flags: Flags; operands: string[] } {
  const program = new Command('capstan').enablePositionalOptions().exitOverride();
  const sub = make().exitOverride();
  let result: { flags: Flags; operands: string[] } | undefined;
  sub.action(() => {
    result = { flags: sub.opts<Flags>(), operands: (sub.processedArgs.flat() as (string | undefined)[]).filter((a): a is string => a !== undefined) };
  });
  program.addCommand(sub);
  program.parse([name, ...argv], { from: 'user' });
  return result!;
}
const parseRun = (...argv: string[]) => parse<RunFlags>(command, 'run', ...argv);

describe('run argv', () => {
  it('passes everything after the service through (`run web tail -f /x`)', () => {
    expect(parseRun('web', 'tail', '-f', '/x').operands).toEqual(['web', 'tail', '-f', '/x']);
    expect(parseRun('--rm', 'web', 'sh', '-c', 'echo $FOO', '--rm', '-d').operands).toEqual(['web', 'sh', '-c', 'echo $FOO', '--rm', '-d']);
    expect(parseRun('web').operands).toEqual(['web']);
  });

  it('reads its own flags before the service', () => {
    const { flags, operands } = parseRun(
      '--rm', '-d', '-T', '-e', 'A=1', '--env-from-file', 'f.env', '-l', 'a=b', '--name', 'n', '-u', 'me', '-w', '/w',
      '--entrypoint', 'sh -c', '--cap-add', 'X', '--cap-drop', 'Y', '--no-deps', '-v', '/a:/b', '-p', '80', '--use-aliases',
      '--pull', 'never', '-q', '--quiet-pull', '--build', '--remove-orphans', '-i', 'web', 'ls',
    );
    expect(operands).toEqual(['web', 'ls']);
    expect(flags).toMatchObject({
      rm: true, detach: true, tty: false, env: ['A=1'], envFromFile: ['f.env'], label: ['a=b'], name: 'n', user: 'me', workdir: '/w',
      entrypoint: 'sh -c', capAdd: ['X'], capDrop: ['Y'], deps: false, volume: ['/a:/b'], publish: ['80'], useAliases: true,
      pull: 'never', quiet: true, quietPull: true, build: true, removeOrphans: true, interactive: true,
    });
    expect(parseRun('-P', 'web').flags.servicePorts).toBe(true);
    expect(parseRun('web').flags.tty).toBeUndefined();
  });

  it("compose's other spellings: --no-TTY is -T, --interactive=false keeps stdin closed", () => {
    const noTty = parseRun('--no-TTY', 'web').flags;
    expect(runTty(noTty, { stdin: true, stdout: true })).toBe(false);
    expect(runOptions(project('p', { web: {} }), noTty, { stdin: true, stdout: true }).tty).toBe(false);
    for (const arg of ['--interactive=false', '-i=false', '-i=0']) {
      const argv = normalizeArgv(['node', 'capstan', 'run', arg, 'web']);
      expect(argv).toEqual(['node', 'capstan', 'run', '--no-interactive', 'web']);
      const { flags, operands } = parseRun(...argv.slice(3));
      expect(operands).toEqual(['web']);
      expect(runOptions(project('p', { web: {} }), flags, { stdin: true, stdout: true }).interactive).toBe(false);
      // given, so as -i: a TTY on a terminal stdout whatever stdin is (compose's PreRunE)
      expect(runTty(flags, { stdin: false, stdout: true })).toBe(true);
    }
    expect(normalizeArgv(['node', 'capstan', 'run', '--interactive=true', 'web'])).toEqual(['node', 'capstan', 'run', '--interactive', 'web']);
  });

  it("-t with -T (or --no-TTY) is refused, as compose's PreRunE", () => {
    const p = project('p', { web: {} });
    const terminal = { stdin: true, stdout: true };
    for (const argv of [['-t', '-T'], ['-T', '--tty'], ['-t', '--no-TTY'], ['-tT']]) {
      expect(() => runOptions(p, parseRun(...argv, 'web').flags, terminal)).toThrow("--tty and --no-tty can't be used together");
    }
    expect(runOptions(p, parseRun('-t', 'web').flags, { stdin: false, stdout: false }).tty).toBe(true);
    expect(runOptions(p, parseRun('-T', 'web').flags, terminal).tty).toBe(false);
  });

  it("main.ts leaves the command unnormalised, skipping run's flag values", () => {
    const argv = ['node', 'capstan', 'run', '--rm', '-e', 'A=1', '--name', 'x', '-v', '/a:/b', 'web', 'tail', '-f=x'];
    expect(passThroughStart(argv, 2)).toBe(11);
    expect(passThroughStart(['n', 'c', 'run', '-Tp', '80', 'web', 'ls'], 2)).toBe(6);
  });

  it('attach: flags, and `--sig-proxy SERVICE` is not a value', () => {
    expect(parse<AttachFlags>(attachCommand, 'attach', '--index', '2', '--detach-keys', 'ctrl-x', '--no-stdin', 'web')).toEqual({
      flags: { index: 2, detachKeys: 'ctrl-x', stdin: false, sigProxy: true },
      operands: ['web'],
    });
    expect(parse<AttachFlags>(attachCommand, 'attach', '--sig-proxy=false', 'web').flags.sigProxy).toBe(false);
    expect(parse<AttachFlags>(attachCommand, 'attach', '--sig-proxy', 'web')).toMatchObject({ flags: { sigProxy: 'web' }, operands: [] });
  });
});

describe('run options', () => {
  it('a TTY when stdin and stdout are terminals (stdout only with -i), forced by -t/-T', () => {
    expect(runTty({}, { stdin: true, stdout: true })).toBe(true);
    expect(runTty({}, { stdin: false, stdout: true })).toBe(false);
    expect(runTty({ interactive: true }, { stdin: false, stdout: true })).toBe(true);
    expect(runTty({}, { stdin: true, stdout: false })).toBe(false);
    expect(runTty({ tty: false }, { stdin: true, stdout: true })).toBe(false);
    expect(runTty({ tty: true }, { stdin: false, stdout: false })).toBe(true);
  });

  it('-l needs KEY=VALUE', () => {
    expect(runLabels(['a=b', 'c=']).valueOf()).toEqual({ a: 'b', c: '' });
    expect(() => runLabels(['a'])).toThrow('label must be set as KEY=VALUE');
  });

  it('-e KEY from the project environment, then --env-from-file without overriding -e', () => {
    const p = project('p', { web: {} }, { environment: { SHELL_VAR: 's' } });
    const files: Record<string, string> = { '/w/a.env': 'A=file\nB=${A}-b\nC=c\n' };
    expect(runEnvironment(p, ['A=flag', 'SHELL_VAR', 'UNSET'], ['/w/a.env'], (path) => files[path]!)).toEqual(['A=flag', 'SHELL_VAR=s', 'B=flag-b', 'C=c']);
  });

  it('the flags as the verb takes them: ports and volumes parsed, --entrypoint split, -P with -p refused', () => {
    const p = project('p', { web: {} });
    const tty = { stdin: false, stdout: false };
    const o = runOptions(p, { publish: ['8080:80'], volume: ['./d:/d'], entrypoint: 'sh -c', rm: true, deps: false }, tty);
    expect(o).toMatchObject({
      autoRemove: true,
      noDeps: true,
      interactive: true,
      tty: false,
      entrypoint: ['sh', '-c'],
      publish: [{ target: 80, published: '8080', protocol: 'tcp' }],
      volumes: [{ type: 'bind', source: '/work/p/d', target: '/d' }],
    });
    expect(runOptions(p, { entrypoint: '' }, tty).entrypoint).toBeNull();
    expect(() => runOptions(p, { publish: ['80'], servicePorts: true }, tty)).toThrow('--service-ports and --publish are incompatible');
    // issue 11: Capstan pulls now, so --pull always is passed on instead of refused
    expect(runOptions(p, { pull: 'always' }, tty).pull).toBe('always');
  });
});
