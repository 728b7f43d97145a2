import { CapstanError } from '../errors.js';

/**
 * The closest-match suggestion for a mistyped command, as cobra (docker compose's CLI library)
 * makes them: a candidate is near when its edit distance to what was typed, case ignored, is at
 * most 2, or when it starts with what was typed. Here an adjacent transposition counts as one
 * edit (`stpo` → `stop`), so the nearest candidate wins clearly.
 */

/** Edit distance between `a` and `b`: insertions, deletions, substitutions and adjacent transpositions, 1 each. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to `typed` (see the module comment), or `undefined` when none is near.
 * Ties go to the candidate listed first.
 * @param maxDistance the largest edit distance still suggested (cobra's default: 2)
 */
export function closestMatch(typed: string, candidates: readonly string[], maxDistance = 2): string | undefined {
  const t = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const n = name.toLowerCase();
    const distance = n.startsWith(t) && t.length > 0 ? 0.5 : editDistance(t, n);
    if (distance <= maxDistance && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * The error for `capstan x` when `x` is no command: `unknown command "x"`, with a
 * `did you mean "y"?` hint when a command is near (exit 1).
 */
export function unknownCommandError(typed: string, commands: readonly string[]): CapstanError {
  const near = closestMatch(typed, commands);
  return new CapstanError('USAGE', `unknown command "${typed}"`, {
    hint: near ? `did you mean "${near}"? (run capstan --help for the commands)` : 'run capstan --help for the commands',
  });
}
