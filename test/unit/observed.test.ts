import { describe, expect, it } from 'vitest';
import { Label } from '../../src/compose/labels.js';
import { listLabelled, listProjectContainers, observe } from '../../src/compose/observed.js';
import { FakeEngine } from '../support/fake-engine.js';

/** Labels compose writes on a service container (`oneoff` for `run`). */
function labels(project: string, service: string, number: number | undefined, oneoff = false): Record<string, string> {
  return {
    [Label.project]: project,
    [Label.service]: service,
    ...(number === undefined ? {} : { [Label.containerNumber]: String(number) }),
    [Label.oneoff]: oneoff ? 'True' : 'False',
  };
}

/**
 * An engine holding project `shop` — web ×2 (one never started), db with a named volume, a one-off
 * `run` container, an orphan (service `old`, gone from the file), its default network and data
 * volume — beside project `blog`, project `shop2` (a name `shop` is a prefix of), and objects
 * without labels, some named like what `shop` declares.
 */
async function seeded(): Promise<FakeEngine> {
  const fake = new FakeEngine({ images: ['busybox', 'postgres:16'] });
  const projectLabel = (p: string): Record<string, string> => ({ [Label.project]: p });
  await fake.createNetwork({ Name: 'shop_default', Labels: { ...projectLabel('shop'), [Label.network]: 'default' } });
  await fake.createNetwork({ Name: 'shop_front' }); // declared by shop, created by hand
  await fake.createNetwork({ Name: 'shop_backup' }); // the name filter matches it for "shop_back": not the same network
  await fake.createNetwork({ Name: 'blog_default', Labels: projectLabel('blog') });
  await fake.createVolume({ Name: 'shop_data', Labels: { ...projectLabel('shop'), [Label.volume]: 'data' } });
  await fake.createVolume({ Name: 'shop_cache' }); // declared, unlabelled
  await fake.createVolume({ Name: 'blog_data', Labels: projectLabel('blog') });
  const container = async (name: string, l: Record<string, string>, options: { start?: boolean; image?: string; volume?: string } = {}): Promise<void> => {
    await fake.createContainer(name, {
      Image: options.image ?? 'busybox',
      Labels: l,
      HostConfig: {
        NetworkMode: 'shop_default',
        ...(options.volume ? { Mounts: [{ Type: 'volume', Source: options.volume, Target: '/data' }] } : {}),
      },
    });
    if (options.start ?? true) await fake.startContainer(name);
  };
  await container('shop-web-2', labels('shop', 'web', 2), { start: false });
  await container('shop-web-1', labels('shop', 'web', 1));
  await container('shop-db-1', labels('shop', 'db', 1), { image: 'postgres:16', volume: 'shop_data' });
  await container('shop-web-run-5d1c', labels('shop', 'web', undefined, true));
  await container('shop-old-1', labels('shop', 'old', 1));
  await container('shop2-web-1', labels('shop2', 'web', 1));
  await container('blog-web-1', { ...labels('blog', 'web', 1) });
  await container('shop-web-1-by-hand', {});
  fake.clearCalls();
  return fake;
}

describe('observe', () => {
  it('reads the project back from its labels only: containers (one-offs and orphans too), networks, volumes, images', async () => {
    const fake = await seeded();
    const state = await observe(fake, 'shop', {
      networks: ['shop_default', 'shop_front', 'shop_back'],
      volumes: ['shop_data', 'shop_cache'],
      images: ['busybox', 'postgres:16', 'shop-api'],
    });
    expect(state.project).toBe('shop');
    // sorted by service, then replica number; another project, a prefix-named project and unlabelled containers are not there
    expect(state.containers.map((c) => [c.name, c.service, c.number, c.oneoff, c.state])).toEqual([
      ['shop-db-1', 'db', 1, false, 'running'],
      ['shop-old-1', 'old', 1, false, 'running'],
      ['shop-web-run-5d1c', 'web', 0, true, 'running'],
      ['shop-web-1', 'web', 1, false, 'running'],
      ['shop-web-2', 'web', 2, false, 'created'],
    ]);
    const db = state.containers.find((c) => c.service === 'db')!;
    expect(db).toMatchObject({ image: 'postgres:16', volumes: { '/data': 'shop_data' }, networks: ['shop_default'], labels: labels('shop', 'db', 1) });
    expect(db.id).toBe(fake.container('shop-db-1')!.id);
    expect(db.status).toMatch(/^Up (Less than a second|\d+ seconds?)$/);

    // labelled networks are managed; a declared name found without the label is not; exact names only
    expect([...state.networks.values()].map((n) => [n.name, n.managed])).toEqual([
      ['shop_default', true],
      ['shop_front', false],
    ]);
    expect(state.networks.get('shop_default')).toMatchObject({ id: (await fake.inspectNetwork('shop_default')).Id, labels: { [Label.network]: 'default' } });
    expect(state.networks.get('shop_default')!.network?.Driver).toBe('bridge');
    expect([...state.volumes.values()].map((v) => [v.name, v.managed])).toEqual([
      ['shop_data', true],
      ['shop_cache', false],
    ]);
    expect(state.volumes.get('shop_data')!.volume?.Labels).toEqual({ [Label.project]: 'shop', [Label.volume]: 'data' });

    expect(state.images).toEqual(
      new Map([
        ['busybox', (await fake.inspectImage('busybox'))!.Id],
        ['postgres:16', (await fake.inspectImage('postgres:16'))!.Id],
        ['shop-api', undefined],
      ]),
    );
  });

  it('asks the engine three label-filtered lists, the images, and by name only for what the labels did not find', async () => {
    const fake = await seeded();
    await observe(fake, 'shop', { networks: ['shop_default', 'shop_front'], volumes: ['shop_data'], images: ['busybox', 'busybox'] });
    expect(fake.journal()).toEqual([
      'listContainers {"label":["com.docker.compose.project=shop"]}',
      'listNetworks {"label":["com.docker.compose.project=shop"]}',
      'listVolumes {"label":["com.docker.compose.project=shop"]}',
      'inspectImage busybox',
      'listNetworks {"name":["shop_front"]}',
    ]);
    expect(fake.writes()).toEqual([]);
  });

  it('uses a listing started earlier for the same project, and lists again for another', async () => {
    const fake = await seeded();
    const early = listLabelled(fake, 'shop');
    const state = await observe(fake, 'shop', {}, early);
    expect(state.containers).toHaveLength(5);
    expect(fake.journal(['listContainers'])).toHaveLength(1);

    fake.clearCalls();
    const blog = await observe(fake, 'blog', {}, listLabelled(fake, 'shop'));
    expect(blog.containers.map((c) => c.name)).toEqual(['blog-web-1']);
    expect([...blog.networks.keys()]).toEqual(['blog_default']);
    expect([...blog.volumes.keys()]).toEqual(['blog_data']);
    expect(fake.journal(['listContainers'])).toEqual([
      'listContainers {"label":["com.docker.compose.project=shop"]}',
      'listContainers {"label":["com.docker.compose.project=blog"]}',
    ]);
  });

  it('finds nothing for a project the engine does not know, without failing', async () => {
    const fake = await seeded();
    const state = await observe(fake, 'nobody', { networks: ['nobody_default'], volumes: ['nobody_data'] });
    expect(state.containers).toEqual([]);
    expect(state.networks.size + state.volumes.size).toBe(0);
  });
});

describe('listLabelled', () => {
  it('returns the raw entries of everything carrying the project label, one-offs included', async () => {
    const fake = await seeded();
    const found = await listLabelled(fake, 'shop');
    expect(found.project).toBe('shop');
    expect(found.containers.map((c) => c.name).sort()).toEqual(['shop-db-1', 'shop-old-1', 'shop-web-1', 'shop-web-2', 'shop-web-run-5d1c']);
    expect(found.networks.map((n) => n.Name)).toEqual(['shop_default']);
    expect(found.volumes.map((v) => v.Name)).toEqual(['shop_data']);
  });
});

describe('listProjectContainers', () => {
  it('lists stopped containers by default, leaves one-offs out unless asked, and selects services', async () => {
    const fake = await seeded();
    const names = async (options: Parameters<typeof listProjectContainers>[2]): Promise<string[]> =>
      (await listProjectContainers(fake, 'shop', options)).map((c) => c.name);
    expect(await names({})).toEqual(['shop-db-1', 'shop-old-1', 'shop-web-1', 'shop-web-2']);
    expect(await names({ all: false })).toEqual(['shop-db-1', 'shop-old-1', 'shop-web-1']);
    expect(await names({ oneoff: true, services: ['web'] })).toEqual(['shop-web-run-5d1c', 'shop-web-1', 'shop-web-2']);
    expect(await names({ services: ['db', 'nosuch'] })).toEqual(['shop-db-1']);
    expect(fake.journal()).toEqual([
      'listContainers {"label":["com.docker.compose.project=shop"]}',
      'listContainers {"label":["com.docker.compose.project=shop"]}',
      'listContainers {"label":["com.docker.compose.project=shop"]}',
      'listContainers {"label":["com.docker.compose.project=shop"]}',
    ]);
  });
});
