/**
 * Consistency checks on the normalised project (compose-behaviour.md §2.2 "Consistency checks",
 * first cut): image or build, known networks / volumes / secrets / configs, known `depends_on`
 * targets, `network_mode` vs `networks`, `dockerfile` vs `dockerfile_inline`, healthcheck test form.
 */
import { LoaderError } from '../errors.js';
import type { ServiceConfig } from '../model/types.js';
import type { NormalizedModel } from './normalize.js';
import type { LocateInFiles } from './validate.js';
import type { PathSegment } from './interpolate.js';
import { formatKeyPath } from './interpolate.js';

/**
 * Check the enabled services against the model.
 *
 * @param model the normalised model (its `services` are ignored; `enabled` are checked).
 * @param enabled services enabled by profiles; `disabled` are known but not runnable.
 * @throws {LoaderError} on the first inconsistency, with the position of the offending key.
 */
export function checkConsistency(
  model: NormalizedModel,
  enabled: Record<string, ServiceConfig>,
  disabled: Record<string, ServiceConfig>,
  locate?: LocateInFiles,
): void {
  const fail = (path: PathSegment[], reason: string, hint?: string): never => {
    const where = locate?.(path);
    throw new LoaderError(reason, { ...where, keyPath: formatKeyPath(path) }, hint ? { hint } : {});
  };
  for (const [name, svc] of Object.entries(enabled)) {
    const p = (...rest: PathSegment[]) => ['services', name, ...rest];
    if (!svc.image && !svc.build) fail(p(), `service ${JSON.stringify(name)} has neither an image nor a build context specified`);
    if (svc.build && svc.build.dockerfile_inline !== undefined && svc.build.dockerfile !== undefined) {
      fail(p('build'), 'dockerfile and dockerfile_inline are mutually exclusive');
    }
    if (svc.network_mode !== undefined && svc.networks !== undefined) {
      fail(p('network_mode'), `service ${JSON.stringify(name)} declares mutually exclusive network_mode and networks`);
    }
    for (const net of Object.keys(svc.networks ?? {})) {
      if (!(net in model.networks)) fail(p('networks', net), `service ${JSON.stringify(name)} refers to undefined network ${net}: invalid compose project`);
    }
    (svc.volumes ?? []).forEach((v, i) => {
      if (v.type === 'volume' && v.source && !(v.source in model.volumes)) {
        fail(p('volumes', i), `service ${JSON.stringify(name)} refers to undefined volume ${v.source}: invalid compose project`);
      }
    });
    for (const kind of ['secrets', 'configs'] as const) {
      (svc[kind] ?? []).forEach((ref, i) => {
        if (!(ref.source in model[kind])) fail(p(kind, i), `service ${JSON.stringify(name)} refers to undefined ${kind.slice(0, -1)} ${ref.source}: invalid compose project`);
      });
    }
    for (const [dep, cfg] of Object.entries(svc.depends_on ?? {})) {
      if (dep in enabled || !cfg.required) continue;
      if (dep in disabled) {
        fail(
          p('depends_on', dep),
          `service ${JSON.stringify(dep)} was pulled in as a dependency of service ${JSON.stringify(name)} but is not enabled by the active profiles`,
          `add a common profile to ${JSON.stringify(dep)} and ${JSON.stringify(name)}`,
        );
      }
      fail(p('depends_on', dep), `service ${JSON.stringify(name)} depends on undefined service ${JSON.stringify(dep)}: invalid compose project`);
    }
    const test = svc.healthcheck?.test;
    if (test && test.length > 0 && !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0]!)) {
      fail(p('healthcheck', 'test'), `healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"`);
    }
  }
}
