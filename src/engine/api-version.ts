/**
 * Engine API versions as Capstan speaks them. A leaf module (no `node:http`), so that code which
 * only compares versions (compose/container-spec.ts, and through it `capstan config`) does not
 * load the HTTP client.
 */

/** Oldest API version Capstan is written against (Docker Engine 20.10, Podman 4). */
export const MIN_API_VERSION = '1.41';
/** Newest API version Capstan knows; a newer daemon is spoken to at this version. */
export const MAX_API_VERSION = '1.43';

/** Compares API versions numerically (`1.9` < `1.41`): negative, zero or positive. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
