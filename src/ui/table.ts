/**
 * Tab-aligned tables with upper-case headers and no borders, like docker compose's tabwriter
 * output: by default 3 spaces between columns (`ps`); `minWidth` and `padding` follow Go's
 * `tabwriter.NewWriter(out, minwidth, tabwidth, padding, ' ', 0)` — a column is as wide as its
 * widest cell plus `padding`, and at least `minWidth` (compose's formatter.Print: 20 and 3; `top`:
 * 4 and 2). The last column is not padded.
 */
export function formatTable(headers: string[], rows: string[][], options: { minWidth?: number; padding?: number } = {}): string {
  const padding = options.padding ?? 3;
  const minWidth = options.minWidth ?? 0;
  const widths = headers.map((h, i) => Math.max(minWidth, padding + Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
