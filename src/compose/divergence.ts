import type { Network, Volume } from '../engine/types.js';
import type { NetworkConfig, VolumeConfig } from '../model/types.js';
import { compareStrings } from './compare.js';

/**
 * Has a network or volume drifted from its declaration? (compose-behaviour.md §3.14, "Networks" /
 * "Volumes": diverged → recreate the network, refuse to recreate a volume without `-y`.)
 *
 * docker compose decides by comparing its `config-hash` label. Capstan's hash is not
 * byte-identical to compose's, so a hash mismatch alone would make Capstan recreate every network
 * that docker compose created. Instead, when the label differs, the declared attributes are
 * compared with what the engine reports (`GET /networks`, `GET /volumes`), which also names what
 * changed in the plan's reason. Attributes the file does not set are compared with the engine's
 * defaults (driver `bridge`/`local`, IPAM driver `default`, flags false); IPAM pools are compared
 * only when declared, since the engine assigns one otherwise. Labels are compared without
 * Compose's and Capstan's own (`com.docker.compose.*`, `dev.capstan.*`).
 */

/**
 * The attributes of a declared network that differ from the engine's network, as dotted names
 * (`internal`, `driver_opts.mtu`, `ipam.config`, `labels.tier`), sorted; empty when they agree.
 */
export function networkDifferences(declared: NetworkConfig, actual: Network): string[] {
  const out: string[] = [];
  if ((declared.driver ?? 'bridge') !== (actual.Driver ?? 'bridge')) out.push('driver');
  out.push(...mapDifferences('driver_opts', declared.driver_opts, actual.Options));
  if (Boolean(declared.internal) !== Boolean(actual.Internal)) out.push('internal');
  if (Boolean(declared.attachable) !== Boolean(actual.Attachable)) out.push('attachable');
  if (Boolean(declared.enable_ipv6) !== Boolean(actual.EnableIPv6)) out.push('enable_ipv6');
  const ipam = declared.ipam;
  if ((ipam?.driver ?? 'default') !== (actual.IPAM?.Driver ?? 'default')) out.push('ipam.driver');
  out.push(...mapDifferences('ipam.options', ipam?.options, actual.IPAM?.Options ?? undefined));
  if (ipam?.config?.length) {
    const want = ipam.config.map((c) => poolKey(c.subnet, c.ip_range, c.gateway, c.aux_addresses));
    const have = (actual.IPAM?.Config ?? []).map((c) =>
      poolKey(c.Subnet, c.IPRange, c.Gateway, (c as { AuxiliaryAddresses?: Record<string, string> }).AuxiliaryAddresses),
    );
    if (want.sort().join('\n') !== have.sort().join('\n')) out.push('ipam.config');
  }
  out.push(...mapDifferences('labels', declared.labels, ownLabelsRemoved(actual.Labels)));
  return out.sort();
}

/** As {@link networkDifferences}, for a volume (`driver`, `driver_opts.*`, `labels.*`). */
export function volumeDifferences(declared: VolumeConfig, actual: Volume): string[] {
  const out: string[] = [];
  if ((declared.driver ?? 'local') !== (actual.Driver ?? 'local')) out.push('driver');
  out.push(...mapDifferences('driver_opts', declared.driver_opts, actual.Options ?? undefined));
  out.push(...mapDifferences('labels', declared.labels, ownLabelsRemoved(actual.Labels ?? undefined)));
  return out.sort();
}

/** `labels` minus the ones Compose and Capstan set themselves. */
function ownLabelsRemoved(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!k.startsWith('com.docker.compose.') && !k.startsWith('dev.capstan.')) out[k] = v;
  }
  return out;
}

/** Keys whose values differ between two string maps, as `prefix.key`. */
function mapDifferences(prefix: string, want: Record<string, string> | undefined, have: Record<string, string> | undefined): string[] {
  const a = want ?? {};
  const b = have ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => String(a[k] ?? '') !== String(b[k] ?? '') || (k in a) !== (k in b)).map((k) => `${prefix}.${k}`);
}

function poolKey(subnet?: string, range?: string, gateway?: string, aux?: Record<string, string>): string {
  const auxText = Object.entries(aux ?? {})
    .sort(([x], [y]) => compareStrings(x, y))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return [subnet ?? '', range ?? '', gateway ?? '', auxText].join('|');
}
