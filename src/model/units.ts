/**
 * Byte sizes as Compose writes them (`mem_limit: 512m`, `shm_size: 1gb`, `tmpfs.size: 10M`):
 * a number of bytes, or a number with a unit `b k kb m mb g gb t tb` (case-insensitive,
 * powers of 1024), as docker's go-units `RAMInBytes` reads them.
 *
 * @returns bytes, or `undefined` when the text is not a size.
 */
export function parseByteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const power = ' kmgtp'.indexOf((m[2] || ' ').toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** power);
}
