/**
 * Warnings about mount options that do not apply to the mount's type, as docker compose prints
 * them when it creates a container (`pkg/compose/create.go`, `buildMountOptions`).
 *
 * The loader accepts such options, as compose-go does: `db:/data:Z` gives a `volume` mount with a
 * `bind:` mapping, `./src:/src:nocopy` a `bind` mount with a `volume:` mapping. The engine's Mount
 * API has no place for them, so they are dropped at create time, and compose says so.
 */
import type { ServiceConfig, ServiceVolumeConfig } from '../model/types.js';

/** The per-type option mappings of a service volume, and the type each belongs to. */
const OPTION_OF_TYPE = ['bind', 'volume', 'tmpfs', 'image'] as const satisfies readonly (keyof ServiceVolumeConfig)[];

/**
 * The warnings for `service.volumes`: for each entry, each of the `bind`, `volume`, `tmpfs` and
 * `image` mappings it defines while its `type` is another one gives docker compose's text,
 * ``mount of type `volume` should not define `bind` option``. Each distinct text appears once, in
 * the order of the volumes. Pure; an empty list when nothing is out of place.
 *
 * Compose spec: services.volumes (long syntax `bind`, `volume`, `tmpfs`, `image` options).
 */
export function mountWarnings(service: Pick<ServiceConfig, 'volumes'>): string[] {
  const out = new Set<string>();
  for (const v of service.volumes ?? []) {
    for (const option of OPTION_OF_TYPE) {
      if (v.type !== option && v[option] !== undefined && v[option] !== null) {
        out.add(`mount of type \`${v.type}\` should not define \`${option}\` option`);
      }
    }
  }
  return [...out];
}
