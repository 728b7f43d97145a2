/**
 * Asks a yes/no question on the terminal (`? question [y/N] ` on stderr, the answer read from
 * stdin); `y` or `yes` (any case) is yes, anything else (or just Enter) is no. The caller checks
 * that stdin and stderr are terminals.
 */
export async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`? ${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
