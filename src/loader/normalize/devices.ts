/**
 * Normalisation of device attributes: `devices:` (short `SRC[:DST[:PERMS]]` → long form),
 * device requests (`gpus:` entries and `deploy.resources.reservations.devices`) and
 * `blkio_config` (weights and rates). Each reader takes the value as loaded and returns the
 * model's canonical form, or throws a LoaderError without position that the caller's `at` places.
 */
import { LoaderError } from '../../errors.js';
import type { BlkioConfig, DeviceMapping, DeviceRequest } from '../../model/types.js';
import { parseDeviceCount } from '../../model/units.js';
import type { PathSegment } from '../interpolate.js';
import { isPlainObject } from '../merge.js';
import type { At } from './service-options.js';
import { asMap, scalarString, splitExtensions, stringMap, toBytes, toInt, toStringList, type Plain } from './values.js';

const set = (o: Plain, k: string): boolean => o[k] !== undefined && o[k] !== null;

/**
 * A `devices:` entry: `SRC[:DST[:PERMISSIONS]]` → `{source, target, permissions}` (target defaults
 * to the source, permissions to `rwm`; a second part made only of `r`, `w`, `m` is taken as the
 * permissions, as `docker run --device` reads it). A CDI name (`vendor.com/class=name`) is kept
 * whole as the source. The long form is kept as written (the container spec defaults `target`
 * and `permissions`). Permissions are not checked: compose-go accepts any, the engine decides.
 *
 * @throws {LoaderError} for more than three parts or an empty source.
 */
export function normalizeDeviceMapping(raw: unknown): DeviceMapping {
  let out: DeviceMapping;
  if (isPlainObject(raw)) {
    const { rest, extensions } = splitExtensions(raw);
    out = { source: scalarString(rest.source ?? '') };
    if (rest.target !== undefined && rest.target !== null) out.target = scalarString(rest.target);
    if (rest.permissions !== undefined && rest.permissions !== null) out.permissions = scalarString(rest.permissions);
    if (extensions) out.extensions = extensions;
  } else {
    if (typeof raw !== 'string') throw new LoaderError('a device must be a string or a mapping');
    const parts = raw.split(':');
    if (parts.length > 3) throw new LoaderError(`confusing device mapping, please use long syntax: ${raw}`);
    const source = parts[0]!;
    if (parts.length === 2 && /^[rwm]{1,3}$/.test(parts[1]!)) out = { source, target: source, permissions: parts[1]! };
    else out = { source, target: parts[1] || source, permissions: parts[2] ?? 'rwm' };
  }
  if (out.source === '') throw new LoaderError(`device ${JSON.stringify(raw)} needs a source`);
  return out;
}

/**
 * `blkio_config`: weights → integers, every `rate` → bytes (`*_bps`, a byte size) or operations
 * (`*_iops`, an integer) per second. @throws {LoaderError} placed by `at` at the bad weight or rate.
 */
export function normalizeBlkio(raw: Plain, p: (...rest: PathSegment[]) => PathSegment[], at: At): BlkioConfig {
  const out: BlkioConfig = {};
  if (raw.weight !== undefined && raw.weight !== null) out.weight = at(p('weight'), () => toInt(raw.weight, 'weight'));
  if (Array.isArray(raw.weight_device)) {
    out.weight_device = raw.weight_device.map((d, i) => {
      const o = asMap(d);
      return { path: scalarString(o.path ?? ''), weight: at(p('weight_device', i, 'weight'), () => toInt(o.weight, 'weight')) };
    });
  }
  for (const f of ['device_read_bps', 'device_read_iops', 'device_write_bps', 'device_write_iops'] as const) {
    const list = raw[f];
    if (!Array.isArray(list)) continue;
    out[f] = list.map((d, i) => {
      const o = asMap(d);
      const rate = at(p(f, i, 'rate'), () => (f.endsWith('bps') ? toBytes(o.rate) : toInt(o.rate, 'rate')));
      return { path: scalarString(o.path ?? ''), rate };
    });
  }
  return out;
}

/**
 * A device request (`gpus` entry, `deploy.resources.reservations.devices` entry): `count` becomes
 * a number (`all` → -1) and defaults to -1 when neither `count` nor `device_ids` is given;
 * `options` becomes a string map.
 *
 * @throws {LoaderError} when both `count` and `device_ids` are set, or `count` is not a number or `all`.
 */
export function normalizeDeviceRequest(raw: unknown): DeviceRequest {
  const { rest: o, extensions } = splitExtensions(asMap(raw));
  const hasCount = o.count !== undefined;
  if (hasCount && o.device_ids !== undefined) throw new LoaderError('"count" and "device_ids" attributes are exclusive');
  const out: DeviceRequest = {};
  if (set(o, 'capabilities')) out.capabilities = toStringList(o.capabilities);
  if (set(o, 'driver')) out.driver = scalarString(o.driver);
  if (hasCount) {
    const n = parseDeviceCount(o.count);
    if (n === undefined) throw new LoaderError(`invalid value ${JSON.stringify(scalarString(o.count))}, the only value allowed is 'all' or a number`);
    out.count = n;
  } else if (o.device_ids === undefined) {
    out.count = -1;
  }
  if (set(o, 'device_ids')) out.device_ids = toStringList(o.device_ids);
  if (set(o, 'options')) out.options = stringMap(o.options);
  if (extensions) out.extensions = extensions;
  return out;
}
