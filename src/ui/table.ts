/**
 * Tab-aligned tables with upper-case headers and no borders, like docker compose's tabwriter
 * output (3 spaces between columns).
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
