/**
 * Orders strings by UTF-16 code units, as Go's `sort.Strings` orders bytes for ASCII names:
 * the order docker compose gives networks, containers and options. (`localeCompare` would sort
 * by the locale, and its first call loads ICU's collator: milliseconds on every cold start.)
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
