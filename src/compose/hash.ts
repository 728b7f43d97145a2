import { createRequire } from 'node:module';
import { inlineExtensions, serviceWithExtensions } from '../model/extensions.js';
import type { NetworkConfig, ServiceConfig, VolumeConfig } from '../model/types.js';

/**
 * Config hashes decide what `up` recreates (compose-behaviour.md §3.11). The hash covers the
 * service's resolved configuration minus what does not affect a container: `build`,
 * `pull_policy`, `scale`, `deploy.replicas`, `depends_on`, `profiles`, and Compose's own
 * bookkeeping (`name`, `x-*` extensions).
 *
 * Not (yet) byte-identical to docker compose's Go-JSON hash: a project created by docker compose
 * is recreated once when Capstan first converges it.
 */

const EXCLUDED = new Set(['build', 'pull_policy', 'scale', 'depends_on', 'profiles', 'name']);

/** The part of a service config that the hash sees. */
function hashableService(service: ServiceConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // `x-*` keys, which the model keeps in `extensions`, are back in place (and skipped at the top)
  for (const [key, value] of Object.entries(serviceWithExtensions(service as unknown as Record<string, unknown>))) {
    if (EXCLUDED.has(key) || key.startsWith('x-') || value === undefined) continue;
    if (key === 'deploy' && value && typeof value === 'object') {
      const { replicas: _replicas, ...rest } = value as Record<string, unknown>;
      if (Object.keys(rest).length) out[key] = rest;
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** sha256 hex of the service's hashable config (stable key order). */
export function serviceHash(service: ServiceConfig): string {
  return sha256(canonicalJson(hashableService(service)));
}

/** sha256 hex of a network's config; `com.docker.compose.config-hash` on networks. */
export function networkHash(network: NetworkConfig): string {
  return sha256(canonicalJson(inlineExtensions(network)));
}

/** sha256 hex of a volume's config; a volume without driver counts as driver `local`. */
export function volumeHash(volume: VolumeConfig): string {
  return sha256(canonicalJson({ ...inlineExtensions(volume), driver: volume.driver ?? 'local' }));
}

/**
 * Per-attribute digests (8 hex chars each) stored in the `dev.capstan.config-digest` label.
 * Map-valued `environment` and `labels` are digested per key so a reason can name the key.
 */
export function serviceDigest(service: ServiceConfig): Record<string, string> {
  const digest: Record<string, string> = {};
  for (const [key, value] of Object.entries(hashableService(service))) {
    if ((key === 'environment' || key === 'labels') && value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        digest[`${key}.${k}`] = short(canonicalJson(v));
      }
      continue;
    }
    digest[key] = short(canonicalJson(value));
  }
  return digest;
}

/**
 * Which attributes differ between a stored digest and the current one, as dotted names
 * (`environment.LOG_LEVEL`, `image`), sorted. Empty when the stored digest is missing or bad.
 */
export function changedAttributes(stored: string | undefined, current: Record<string, string>): string[] {
  if (!stored) return [];
  let old: Record<string, string>;
  try {
    old = JSON.parse(stored) as Record<string, string>;
  } catch {
    return [];
  }
  const keys = new Set([...Object.keys(old), ...Object.keys(current)]);
  return [...keys].filter((k) => old[k] !== current[k]).sort();
}

/** JSON with object keys sorted recursively, `undefined` members dropped. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** node:crypto, loaded on the first hash: `down`, `ps` and `logs` never hash, and start sooner without it. */
let crypto: typeof import('node:crypto') | undefined;

function sha256(text: string): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(text).digest('hex');
}

function short(text: string): string {
  return sha256(text).slice(0, 8);
}
