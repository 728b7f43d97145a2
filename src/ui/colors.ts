import pc from 'picocolors';

/**
 * Colors, on only when the output is a terminal (or forced): `--ansi never|always|auto` (which
 * `NO_COLOR` has already turned to `never`: cli/globals.ts `settleGlobals`), `FORCE_COLOR` as
 * picocolors reads it.
 */
export type Colors = ReturnType<typeof pc.createColors>;

/** Decide whether to color a stream. */
export function colorsFor(stream: NodeJS.WriteStream, ansi: 'never' | 'always' | 'auto' = 'auto'): Colors {
  if (ansi === 'never') return pc.createColors(false);
  if (ansi === 'always' || process.env.FORCE_COLOR) return pc.createColors(true);
  return pc.createColors(Boolean(stream.isTTY));
}

/** Service prefix colors, rotating (compose `cmd/formatter/colors.go` uses the basic ANSI set). */
export function rotatingColors(c: Colors): ((s: string) => string)[] {
  return [c.cyan, c.yellow, c.green, c.magenta, c.blue, c.red, c.gray].map((f) => (s: string) => f(s));
}
