import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import type { ServiceConfig } from '../model/types.js';
import { pruneResources, selectServices, usedResources } from './select.js';

const svc = (name: string, extra: Partial<ServiceConfig> = {}): ServiceConfig => ({ name, image: name, ...extra });
const dep = (required = true) => ({ condition: 'service_started' as const, required });

describe('selectServices', () => {
  const services = {
    web: svc('web', { depends_on: { api: dep(), cache: dep(false) } }),
    api: svc('api', { depends_on: { db: dep() } }),
    db: svc('db'),
    worker: svc('worker'),
  };
  it('keeps the named services and, transitively, their dependencies', () => {
    const out = selectServices({ services, disabled: {} }, ['web']);
    expect(Object.keys(out.services)).toEqual(['web', 'api', 'db']);
    expect(Object.keys(out.disabled)).toEqual(['worker']);
    // a missing optional dependency is skipped and dropped from depends_on
    expect(Object.keys(out.services.web!.depends_on!)).toEqual(['api']);
  });
  it('keeps everything for an empty selection, and only the names when dependencies are ignored', () => {
    expect(Object.keys(selectServices({ services, disabled: {} }, []).services)).toEqual(['web', 'api', 'db', 'worker']);
    const only = selectServices({ services, disabled: {} }, ['web'], { dependencies: 'ignore' });
    expect(Object.keys(only.services)).toEqual(['web']);
    expect(only.services.web!.depends_on).toEqual({});
    expect(services.web.depends_on).toHaveProperty('api'); // input untouched
  });
  it('fails on an unknown service or a missing required dependency', () => {
    expect(() => selectServices({ services, disabled: {} }, ['nope'])).toThrow(new LoaderError('no such service: nope'));
    const broken = { a: svc('a', { depends_on: { gone: dep() } }) };
    expect(() => selectServices({ services: broken, disabled: {} }, ['a'])).toThrow('no such service: gone');
  });
});

describe('pruneResources', () => {
  const base = {
    services: {
      web: svc('web', {
        networks: { front: null },
        volumes: [
          { type: 'volume' as const, source: 'data', target: '/data' },
          { type: 'bind' as const, source: '/host', target: '/host' },
        ],
        secrets: [{ source: 's1' }],
        configs: [{ source: 'c1' }],
        build: { context: '.', secrets: [{ source: 's2' }] },
        models: ['m1'],
      }),
    },
    networks: { back: {}, front: {} },
    volumes: { data: {}, tmp: {}, host: {} },
    secrets: { s0: {}, s1: {}, s2: {} },
    configs: { c0: {}, c1: {} },
    models: { m0: {}, m1: {} },
  } as never as Parameters<typeof pruneResources>[0];
  it('keeps only the resources the services use, in declaration order', () => {
    const out = pruneResources(base);
    expect(Object.keys(out.networks)).toEqual(['front']);
    expect(Object.keys(out.volumes)).toEqual(['data']);
    expect(Object.keys(out.secrets)).toEqual(['s1', 's2']);
    expect(Object.keys(out.configs)).toEqual(['c1']);
    expect(Object.keys(out.models!)).toEqual(['m1']);
    expect(Object.keys(base.networks)).toEqual(['back', 'front']); // input untouched
  });
  it('drops everything when no service uses anything; bind mounts and anonymous volumes name nothing', () => {
    const out = pruneResources({ ...base, services: { x: svc('x', { volumes: [{ type: 'volume', target: '/anon' }] }) } });
    expect(out.networks).toEqual({});
    expect(out.volumes).toEqual({});
    expect(out.secrets).toEqual({});
    expect(usedResources({ x: svc('x', { models: { m1: {} } }) }).models).toEqual(new Set(['m1']));
  });
});
