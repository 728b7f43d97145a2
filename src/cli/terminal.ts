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
