import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import { loadOrLabels, session, type GlobalOptions } from '../context.js';
import { handledBy, int } from '../options.js';
import { forwardSignals, holdTerminal } from '../terminal.js';

/** `capstan attach`'s flags, as commander parses them (`--sig-proxy=false`: `sigProxy` false). */
export interface AttachFlags {
  index?: number;
  detachKeys?: string;
  noStdin?: boolean;
  sigProxy?: boolean | string;
}

/**
 * `--sig-proxy[=true|false]` as Go's bool flags read it. Commander hands an optional value the
 * next word too (`--sig-proxy web`): a word that is not a boolean is kept, and {@link run} takes
 * it for the service it is.
 */
const bool = (v: string | undefined): boolean | string => {
  if (v === undefined || /^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  return v;
};

/**
 * `capstan attach [options] SERVICE`: `--index`, `--detach-keys`, `--no-stdin`, `--sig-proxy`
 * (docker compose's cmd/compose/attach.go).
 */
export function command(): Command {
  const command = new Command('attach')
    .description("Attach local standard input, output, and error streams to a service's running container")
    .argument('[service]')
    .addOption(new Option('--index <n>', 'index of the container if service has multiple replicas').argParser(int))
    .option('--detach-keys <keys>', 'override the key sequence for detaching from a container')
    .option('--no-stdin', 'do not attach STDIN')
    .addOption(new Option('--sig-proxy [bool]', 'proxy all received signals to the process (default true)').argParser(bool).default(true));
  return handledBy(command, run);
}

/**
 * Attaches this process's streams to the service's container (a TTY when the container has one:
 * raw mode, resized on SIGWINCH); resolves the container's exit status, or 0 once detached.
 */
export async function run(g: GlobalOptions, flags: AttachFlags & { stdin?: boolean }, operands: string[]): Promise<number> {
  let service = operands[0];
  if (typeof flags.sigProxy === 'string') {
    // `--sig-proxy SERVICE`: the word was the service, not the flag's value
    if (service !== undefined) throw new CapstanError('USAGE', `--sig-proxy: invalid value "${flags.sigProxy}" (true or false)`);
    service = flags.sigProxy;
  }
  if (service === undefined) throw new CapstanError('USAGE', '"attach" requires 1 argument: SERVICE');
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  let terminal: ReturnType<typeof holdTerminal> | undefined;
  let stopForwarding: (() => void) | undefined;
  try {
    const result = await compose.attach(project, service, {
      ...(flags.index ? { index: flags.index } : {}),
      ...(flags.detachKeys ? { detachKeys: flags.detachKeys } : {}),
      noStdin: flags.stdin === false,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      onTty: (resize) => {
        terminal = holdTerminal();
        terminal.onResize(resize);
      },
      onAttached: (container) => {
        // docker attach proxies signals only to a container without a TTY (a TTY gets ^C as input)
        if (flags.sigProxy !== false && !terminal) stopForwarding = forwardSignals((signal) => container.kill(signal));
      },
    });
    return result.exitCode;
  } finally {
    stopForwarding?.();
    terminal?.restore();
    process.stdin.destroy();
  }
}
