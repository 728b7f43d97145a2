/**
 * Profiles (compose-behaviour.md §3.8): a service without `profiles` is always enabled; one with
 * `profiles` is enabled when any of them is active, or when `*` is active.
 */
import type { ServiceConfig } from '../model/types.js';

/** True when `service` is enabled by the `active` profiles. */
export function isServiceEnabled(service: Pick<ServiceConfig, 'profiles'>, active: readonly string[]): boolean {
  const profiles = service.profiles ?? [];
  if (profiles.length === 0) return true;
  if (active.includes('*')) return true;
  return profiles.some((p) => active.includes(p));
}

/**
 * Split services into enabled and disabled ones.
 *
 * @returns `{ enabled, disabled }`, both keyed by service name, preserving order.
 */
export function applyProfiles(
  services: Record<string, ServiceConfig>,
  active: readonly string[],
): { enabled: Record<string, ServiceConfig>; disabled: Record<string, ServiceConfig> } {
  const enabled: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const [name, svc] of Object.entries(services)) {
    if (isServiceEnabled(svc, active)) enabled[name] = svc;
    else disabled[name] = svc;
  }
  return { enabled, disabled };
}

/** Parse `COMPOSE_PROFILES` (comma-separated, blanks ignored). */
export function parseProfilesEnv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
