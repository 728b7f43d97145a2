/**
 * The model keeps the `x-*` keys of an object in its `extensions` field; compose's output (and its
 * config hash) has them among the object's own keys. These helpers put them back, for `config`
 * (`loader/serialize.ts`) and the config hash (`compose/hash.ts`). Pure.
 */

/** A plain object (not an array, not null). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function mapValues<T, U>(m: Record<string, T>, fn: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, fn(v)]));
}

/**
 * `{...o, ...o.extensions}` without `extensions`: the model keeps `x-*` keys in an `extensions`
 * field; compose prints them among the object's keys. Always a copy; anything but a plain object is returned as is.
 */
export function inlineExtensions<T>(o: T): T {
  if (!isPlainObject(o)) return o;
  if (!isPlainObject(o.extensions)) return { ...o } as T;
  const { extensions, ...rest } = o;
  return { ...rest, ...extensions } as T;
}

/** {@link inlineExtensions} on each element of a list. */
function inlineEach(v: unknown): unknown {
  return Array.isArray(v) ? v.map(inlineExtensions) : v;
}

/** {@link inlineExtensions} on each value of a mapping. */
function inlineValues(v: unknown): unknown {
  return isPlainObject(v) ? mapValues(v, inlineExtensions) : v;
}

/**
 * A copy of a service (as a plain record) with the `extensions` of it and of every typed object inside
 * it put back in place.
 */
export function serviceWithExtensions(svc: Record<string, unknown>): Record<string, unknown> {
  const out = inlineExtensions(svc);
  const nested = (key: string, fn: (v: Record<string, unknown>) => Record<string, unknown>): void => {
    if (isPlainObject(out[key])) out[key] = fn(out[key]);
  };
  const hooks = (v: unknown): unknown => (Array.isArray(v) ? v.map(inlineExtensions) : v);
  nested('build', (b) => {
    const o = inlineExtensions(b);
    if (o.secrets !== undefined) o.secrets = inlineEach(o.secrets);
    return o;
  });
  nested('deploy', (d) => {
    const o = inlineExtensions(d);
    for (const k of ['update_config', 'rollback_config', 'restart_policy']) if (o[k] !== undefined) o[k] = inlineExtensions(o[k]);
    if (isPlainObject(o.placement)) {
      const placement = inlineExtensions(o.placement);
      if (placement.preferences !== undefined) placement.preferences = inlineEach(placement.preferences);
      o.placement = placement;
    }
    if (isPlainObject(o.resources)) {
      const resources = inlineExtensions(o.resources);
      for (const kind of ['limits', 'reservations']) {
        if (!isPlainObject(resources[kind])) continue;
        const r = inlineExtensions(resources[kind]);
        if (r.devices !== undefined) r.devices = inlineEach(r.devices);
        if (Array.isArray(r.generic_resources)) {
          r.generic_resources = r.generic_resources.map((g: unknown) => {
            const o2 = inlineExtensions(g);
            return isPlainObject(o2) && o2.discrete_resource_spec !== undefined ? { ...o2, discrete_resource_spec: inlineExtensions(o2.discrete_resource_spec) } : o2;
          });
        }
        resources[kind] = r;
      }
      o.resources = resources;
    }
    return o;
  });
  nested('develop', (d) => {
    const o = inlineExtensions(d);
    if (Array.isArray(o.watch)) {
      o.watch = o.watch.map((w: unknown) => {
        const rule = inlineExtensions(w);
        return isPlainObject(rule) && rule.exec !== undefined ? { ...rule, exec: inlineExtensions(rule.exec) } : rule;
      });
    }
    return o;
  });
  for (const k of ['logging', 'credential_spec', 'provider', 'healthcheck']) if (out[k] !== undefined) out[k] = inlineExtensions(out[k]);
  for (const k of ['networks', 'models', 'depends_on']) if (out[k] !== undefined) out[k] = inlineValues(out[k]);
  for (const k of ['secrets', 'configs', 'devices', 'gpus', 'ports', 'volumes']) if (out[k] !== undefined) out[k] = inlineEach(out[k]);
  for (const k of ['post_start', 'pre_stop', 'pre_start']) if (out[k] !== undefined) out[k] = hooks(out[k]);
  return out;
}

