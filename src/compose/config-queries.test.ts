import { describe, expect, it } from 'vitest';
import { project } from '../../test/support/fixtures.js';
import { configHashes, configList } from './config-queries.js';
import { serviceHash } from './hash.js';

const shop = project(
  'shop',
  {
    web: { depends_on: { db: { condition: 'service_started', required: true } }, profiles: ['front'] },
    db: { image: 'postgres' },
    app: { image: undefined, build: { context: '.' } },
  },
  {
    volumes: { data: { name: 'shop_data' } },
    environment: { TAG: '1', A: 'x' },
    disabledServices: { debug: { name: 'debug', image: 'busybox', profiles: ['tools', 'front'] } },
  },
);

describe('config lists', () => {
  it('lists services dependencies first, the sections, profiles, images and the environment', () => {
    expect(configList(shop, 'services')).toEqual(['app', 'db', 'web']);
    expect(configList(shop, 'volumes')).toEqual(['data']);
    expect(configList(shop, 'networks')).toEqual(['default']);
    expect(configList(shop, 'profiles')).toEqual(['front', 'tools']);
    expect(configList(shop, 'images')).toEqual(['busybox', 'postgres', 'shop-app']);
    expect(configList(shop, 'environment')).toEqual(['A=x', 'TAG=1']);
  });

  it('lists services in file order when their dependencies form a cycle (--no-consistency)', () => {
    const cyclic = project('c', {
      b: { depends_on: { a: { condition: 'service_started', required: true } } },
      a: { depends_on: { b: { condition: 'service_started', required: true } } },
    });
    expect(configList(cyclic, 'services')).toEqual(['b', 'a']);
  });
});

describe('config --hash', () => {
  it('prints "<service> <hash>" sorted, for * or a comma list', () => {
    const line = (s: string) => `${s} ${serviceHash(shop.services[s]!)}`;
    expect(configHashes(shop, '*')).toEqual([line('app'), line('db'), line('web')]);
    expect(configHashes(shop, 'web, db')).toEqual([line('db'), line('web')]);
  });

  it('refuses a service the project has not', () => {
    expect(() => configHashes(shop, 'web,nope')).toThrow('no such service: nope');
    expect(() => configHashes(shop, 'debug')).toThrow('no such service: debug');
  });
});
