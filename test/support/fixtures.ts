import type { Project, ServiceConfig } from '../../src/model/types.js';
import type { ObservedContainer, ObservedState } from '../../src/compose/observed.js';
import { serviceDigest, serviceHash } from '../../src/compose/hash.js';
import { Label } from '../../src/compose/labels.js';

/** A loaded-looking project for planner tests (no files, no engine). */
export function project(name: string, services: Record<string, Partial<ServiceConfig>>, extra: Partial<Project> = {}): Project {
  const full: Record<string, ServiceConfig> = {};
  for (const [key, s] of Object.entries(services)) {
    full[key] = { name: key, image: 'busybox', networks: { default: null }, ...s };
  }
  return {
    name,
    services: full,
    networks: { default: { name: `${name}_default` } },
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
    workingDir: '/work/p',
    configFiles: ['/work/p/compose.yaml'],
    envFiles: [],
    environment: {},
    disabledServices: {},
    profiles: [],
    ...extra,
  };
}

/** Observed state with nothing in the engine but the given images (all present by default). */
export function empty(p: Project, images: Record<string, string | undefined> = { busybox: 'sha256:bb' }): ObservedState {
  return { project: p.name, containers: [], networks: new Map(), volumes: new Map(), images: new Map(Object.entries(images)) };
}

/** Observed state as if `up` had converged `p` (one container per replica, running). */
export function converged(p: Project, images: Record<string, string | undefined> = { busybox: 'sha256:bb' }): ObservedState {
  const state = empty(p, images);
  for (const n of Object.values(p.networks)) {
    state.networks.set(n.name, { name: n.name, id: `id-${n.name}`, labels: { [Label.project]: p.name }, managed: true });
  }
  for (const v of Object.values(p.volumes)) {
    state.volumes.set(v.name, { name: v.name, id: v.name, labels: { [Label.project]: p.name }, managed: true });
  }
  for (const s of Object.values(p.services)) {
    for (let n = 1; n <= (s.scale ?? 1); n++) state.containers.push(container(p, s, n));
  }
  return state;
}

/** One observed container of service `s`, replica `n`, built from the service's current config. */
export function container(p: Project, s: ServiceConfig, n: number, overrides: Partial<ObservedContainer> = {}): ObservedContainer {
  const name = `${p.name}-${s.name}-${n}`;
  return {
    id: `${s.name}${n}`.padEnd(64, '0'),
    name,
    service: s.name,
    number: n,
    oneoff: false,
    state: 'running',
    status: 'Up',
    labels: {
      [Label.project]: p.name,
      [Label.service]: s.name,
      [Label.containerNumber]: String(n),
      [Label.configHash]: serviceHash(s),
      [Label.configDigest]: JSON.stringify(serviceDigest(s)),
    },
    image: s.image ?? '',
    volumes: Object.fromEntries(
      (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => [v.target, p.volumes[v.source!]?.name ?? v.source!]),
    ),
    networks: Object.keys(s.networks ?? {}).map((k) => p.networks[k]?.name ?? k),
    summary: {} as ObservedContainer['summary'],
    ...overrides,
  };
}
