/**
 * The local terminal while a remote TTY runs (`exec`): raw mode on stdin, and the size of stdout
 * sent at once and again on every SIGWINCH. Kept free of the compose layer.
 */

/** Terminal size in characters. */
export interface TerminalSize {
  height: number;
  width: number;
}

/**
 * Puts stdin in raw mode (when it is a terminal) and forwards size changes of stdout through
 * `resize` (now, then on SIGWINCH). The returned function restores the terminal.
 */
export function holdTerminal(): { onResize: (resize: (size: TerminalSize) => Promise<void>) => void; restore: () => void } {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  let listener: (() => void) | undefined;
  return {
    onResize(resize) {
      listener = () => {
        const { rows, columns } = process.stdout;
        if (rows && columns) void resize({ height: rows, width: columns });
      };
      listener();
      process.on('SIGWINCH', listener);
    },
    restore() {
      if (listener) process.off('SIGWINCH', listener);
      if (raw) stdin.setRawMode(false);
    },
  };
}

/** The signals `run` and `attach` pass on to the container (compose's sig-proxy; SIGKILL and SIGSTOP cannot be caught). */
const PROXIED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Forwards the signals this process receives to the attached container through `kill` (docker's
 * `ForwardAllSignals`) instead of ending the process; a third SIGINT still exits (130), for a
 * container that ignores them. The returned function stops forwarding.
 */
export function forwardSignals(kill: (signal: NodeJS.Signals) => Promise<void>): () => void {
  let interrupts = 0;
  const handlers = PROXIED_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (signal === 'SIGINT' && ++interrupts >= 3) process.exit(130);
      void kill(signal).catch(() => undefined);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
