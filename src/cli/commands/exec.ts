import { Command, Option } from 'commander';
import type { ExecOptions } from '../../compose/index.js';
import { loadOrLabels, session, type GlobalOptions } from '../context.js';
import { collect, handledBy, int } from '../options.js';
import { holdTerminal } from '../terminal.js';

/** `capstan exec`'s flags, as commander parses them (`-T`: `tty` false). */
export interface ExecFlags {
  detach?: boolean;
  env?: string[];
  index?: number;
  privileged?: boolean;
  user?: string;
  tty?: boolean;
  workdir?: string;
}

/**
 * `capstan exec [options] SERVICE COMMAND [ARGS...]`: `-d`, `-e`, `--index`, `--privileged`,
 * `-u`, `-T`, `-w`. Everything after SERVICE is the command, untouched (`passThroughOptions`;
 * main.ts leaves it unnormalised too).
 */
export function command(): Command {
  const command = new Command('exec')
    .description('Execute a command in a running container')
    .argument('<service>')
    .argument('<command...>')
    .passThroughOptions()
    .option('-d, --detach', 'detached mode: run the command in the background')
    .option('-e, --env <KEY=VAL>', 'set environment variables (repeatable)', collect)
    .addOption(new Option('--index <n>', 'index of the container if the service has multiple replicas').argParser(int).default(1))
    .option('--privileged', 'give extended privileges to the process')
    .option('-u, --user <user>', 'run the command as this user')
    .option('-T, --no-tty', 'disable pseudo-TTY allocation (default: a TTY when stdout is a terminal)')
    .option('-w, --workdir <dir>', 'path to the working directory for this command');
  return handledBy(command, run);
}

/**
 * The verb's options from the flags: a TTY unless `-T` or stdout is not a terminal (compose's
 * `exec` allocates one by default); `-d` attaches nothing.
 */
export function execOptions(flags: ExecFlags, stdoutIsTerminal: boolean): ExecOptions {
  return {
    index: flags.index ?? 1,
    detach: flags.detach ?? false,
    env: flags.env ?? [],
    privileged: flags.privileged ?? false,
    tty: flags.tty !== false && stdoutIsTerminal,
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.workdir !== undefined ? { workingDir: flags.workdir } : {}),
  };
}

/**
 * What `--dry-run exec` prints: the plan's heading and one line in `formatPlan`'s layout, the
 * container and the command it would run (nothing runs).
 */
export function formatExecPlan(project: string, container: string, cmd: readonly string[]): string {
  return `Plan for project "${project}" (1 change)\n  container  ${container}  exec  ${cmd.join(' ')}`;
}

/**
 * Runs the command in the service's container with this process's stdin, stdout and stderr;
 * resolves the command's exit status (0 with `-d`).
 */
export async function run(g: GlobalOptions, flags: ExecFlags, operands: string[]): Promise<number> {
  const [service, ...cmd] = operands as [string, ...string[]];
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  const options = execOptions(flags, process.stdout.isTTY === true);
  if (g.dryRun) {
    const { container } = await compose.exec(project, service, cmd, { ...options, dryRun: true });
    process.stdout.write(`${formatExecPlan(project.name, container, cmd)}\n`);
    return 0;
  }
  if (options.detach) return (await compose.exec(project, service, cmd, options)).exitCode;
  const terminal = options.tty ? holdTerminal() : undefined;
  try {
    const result = await compose.exec(project, service, cmd, {
      ...options,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      ...(terminal ? { onTty: terminal.onResize } : {}),
    });
    return result.exitCode;
  } finally {
    terminal?.restore();
    // the command ended: stop reading our stdin (a terminal or an open pipe would hold the process)
    process.stdin.destroy();
  }
}
