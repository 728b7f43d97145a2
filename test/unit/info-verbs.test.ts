import { describe, expect, it } from 'vitest';
import { Compose } from '../../src/compose/compose.js';
import { Label } from '../../src/compose/labels.js';
import { splitReference } from '../../src/compose/verbs/images.js';
import type { Project } from '../../src/model/types.js';
import { humanSize, imageIds, imagesJson, imagesTable, lsJson, lsTable, portText, topTable, volumeJson, volumesTable } from '../../src/ui/info.js';
import { FakeEngine } from '../support/fake-engine.js';
import { project } from '../support/fixtures.js';

/** The read-only verbs `ls`, `port`, `top`, `images`, `volumes` on the fake engine, and their ui formatting. */

/** `shop`: web (port 80 published on 8080), db, worker (2 replicas). */
function shop(): Project {
  const p = project('shop', {
    worker: { scale: 2, volumes: [{ type: 'volume', source: 'data', target: '/data' }] },
    web: { ports: [{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress', host_ip: '0.0.0.0' }] },
    db: {},
  }, { volumes: { data: { name: 'shop_data' } } });
  return p;
}

async function upShop(): Promise<{ fake: FakeEngine; compose: Compose; p: Project }> {
  const fake = new FakeEngine({ images: ['busybox'] });
  const compose = new Compose({ engine: fake });
  const p = shop();
  await compose.up(p, { detach: true });
  return { fake, compose, p };
}

describe('Compose.ls', () => {
  it('groups running containers by project label with state counts, sorted by name', async () => {
    const { fake, compose } = await upShop();
    const other = project('alpha', { x: {} });
    await compose.up(other, { detach: true });
    await fake.stopContainer('shop-db-1');
    const running = await compose.ls();
    expect(running.map((r) => [r.name, r.status])).toEqual([['alpha', 'running(1)'], ['shop', 'running(3)']]);
    const all = await compose.ls({ all: true });
    expect(all.find((r) => r.name === 'shop')?.status).toBe('exited(1), running(3)');
  });

  it('reports the config files label and filters by name', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    await fake.createContainer('p-a-1', { Image: 'busybox', Labels: { [Label.project]: 'p', [Label.configFiles]: '/x/compose.yaml,/x/override.yaml' } });
    await fake.createContainer('q-a-1', { Image: 'busybox', Labels: { [Label.project]: 'q' } });
    const compose = new Compose({ engine: fake });
    expect(await compose.ls({ all: true })).toEqual([
      { name: 'p', status: 'created(1)', configFiles: '/x/compose.yaml,/x/override.yaml' },
      { name: 'q', status: 'created(1)', configFiles: '' },
    ]);
    expect((await compose.ls({ all: true, names: ['^q$'] })).map((p) => p.name)).toEqual(['q']);
    await expect(compose.ls({ names: ['('] })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('prints compose\'s table and JSON', () => {
    const rows = [{ name: 'shop', status: 'running(2)', configFiles: '/a/compose.yaml' }];
    expect(lsTable(rows)).toBe(`NAME                STATUS              CONFIG FILES\nshop                running(2)          /a/compose.yaml`);
    expect(lsJson(rows)).toBe('[{"Name":"shop","Status":"running(2)","ConfigFiles":"/a/compose.yaml"}]');
  });
});

describe('Compose.port', () => {
  it('prints where a service port is published, per replica index', async () => {
    const { compose } = await upShop();
    const published = await compose.port('shop', 'web', 80);
    expect(portText(published)).toMatch(/^0\.0\.0\.0:8080$/);
    await expect(compose.port('shop', 'web', 81)).rejects.toThrow('no port 81/tcp for container shop-web-1');
    await expect(compose.port('shop', 'web', 81)).rejects.toThrow('no port 81/tcp for container shop-web-1: 8080/tcp');
    await expect(compose.port('shop', 'web', 80, { protocol: 'udp' })).rejects.toThrow('no port 80/udp');
    await expect(compose.port('shop', 'web', 80, { index: 7 })).rejects.toThrow('#7');
  });
});

describe('Compose.top', () => {
  it('lists the processes of running containers, sorted by name', async () => {
    const { fake, compose } = await upShop();
    await fake.stopContainer('shop-worker-1');
    const top = await compose.top('shop');
    expect(top.map((c) => [c.name, c.service, c.replica])).toEqual([['shop-db-1', 'db', 1], ['shop-web-1', 'web', 1], ['shop-worker-2', 'worker', 2]]);
    expect(top[0]!.titles.at(-1)).toBe('CMD');
    expect((await compose.top('shop', { services: ['web'] })).map((c) => c.name)).toEqual(['shop-web-1']);
  });

  it('includes running one-off run containers (compose: oneOffInclude)', async () => {
    const { fake, compose } = await upShop();
    const labels = { [Label.project]: 'shop', [Label.service]: 'web', [Label.oneoff]: 'True' };
    await fake.startContainer(await fake.createContainer('shop-web-run-0123456789ab', { Image: 'busybox', Labels: labels }));
    expect((await compose.top('shop', { services: ['web'] })).map((c) => [c.name, c.replica])).toEqual([['shop-web-1', 1], ['shop-web-run-0123456789ab', 0]]);
  });

  it('prints one table, SERVICE and # first, CMD last, `-` for a missing cell', () => {
    const text = topTable([
      { name: 'p-a-1', service: 'a', replica: 1, titles: ['UID', 'PID', 'CMD'], processes: [['root', '10', 'sleep 1']] },
      { name: 'p-b-1', service: 'b', replica: 1, titles: ['UID', 'CMD', 'X'], processes: [['1000', 'sh', 'y']] },
    ]);
    expect(text).toBe(['SERVICE  #   UID   PID  X   CMD', 'a        1   root  10   -   sleep 1', 'b        1   1000  -    y   sh'].join('\n'));
    expect(topTable([])).toBe('');
  });
});

describe('Compose.images', () => {
  it('includes one-off run containers, as compose does', async () => {
    const { fake, compose } = await upShop();
    const labels = { [Label.project]: 'shop', [Label.service]: 'db', [Label.oneoff]: 'True' };
    await fake.createContainer('shop-db-run-0123456789ab', { Image: 'busybox', Labels: labels });
    expect((await compose.images('shop', { services: ['db'] })).map((i) => i.containerName)).toEqual(['shop-db-1', 'shop-db-run-0123456789ab']);
  });

  it('reports the image of each container, stopped ones too', async () => {
    const { fake, compose } = await upShop();
    await fake.stopContainer('shop-db-1');
    const images = await compose.images('shop');
    expect(images.map((i) => [i.containerName, i.repository, i.tag, i.platform])).toEqual([
      ['shop-db-1', 'busybox', 'latest', 'linux/amd64'],
      ['shop-web-1', 'busybox', 'latest', 'linux/amd64'],
      ['shop-worker-1', 'busybox', 'latest', 'linux/amd64'],
      ['shop-worker-2', 'busybox', 'latest', 'linux/amd64'],
    ]);
    expect(images[0]!.id).toMatch(/^sha256:/);
    expect(imageIds(images)).toHaveLength(1);
    expect((await compose.images('shop', { services: ['db'] })).map((i) => i.containerName)).toEqual(['shop-db-1']);
  });

  it('prints compose\'s table and JSON', () => {
    const row = { containerName: 'p-a-1', id: 'sha256:0123456789abcdef', repository: 'nginx', tag: 'alpine', platform: 'linux/amd64', size: 4_260_000, created: '2026-01-01T00:00:00Z' };
    const now = Date.parse('2026-01-01T00:00:05Z') / 1000;
    expect(imagesTable([row], now).split('\n')).toEqual([
      'CONTAINER           REPOSITORY          TAG                 PLATFORM            IMAGE ID            SIZE                CREATED',
      'p-a-1               nginx               alpine              linux/amd64         0123456789ab        4.26MB              5 seconds ago',
    ]);
    expect(JSON.parse(imagesJson([row]))).toEqual([
      { ID: 'sha256:0123456789abcdef', ContainerName: 'p-a-1', Repository: 'nginx', Tag: 'alpine', Platform: 'linux/amd64', Size: 4_260_000, Created: '2026-01-01T00:00:00Z' },
    ]);
    expect(humanSize(512)).toBe('512B');
    expect(humanSize(1_234_567_890)).toBe('1.23GB');
  });

  it('splits image references into repository and tag', () => {
    expect(splitReference('localhost:5000/a/b:1.2')).toEqual({ repository: 'localhost:5000/a/b', tag: '1.2' });
    expect(splitReference('localhost:5000/a/b')).toEqual({ repository: 'localhost:5000/a/b', tag: 'latest' });
    expect(splitReference('busybox@sha256:abc')).toEqual({ repository: 'busybox', tag: '' });
  });
});

describe('Compose.volumes', () => {
  it('lists the project\'s volumes; with services, those their running containers mount', async () => {
    const { compose } = await upShop();
    expect((await compose.volumes('shop')).map((v) => [v.name, v.driver])).toEqual([['shop_data', 'local']]);
    expect((await compose.volumes('shop', { services: ['worker'] })).map((v) => v.name)).toEqual(['shop_data']);
    expect(await compose.volumes('shop', { services: ['web'] })).toEqual([]);
  });

  it('prints the docker CLI\'s table and JSON', () => {
    const v = { name: 'shop_data', driver: 'local', scope: 'local', mountpoint: '/var/lib/docker/volumes/shop_data/_data', labels: { z: '1', a: '2' } };
    expect(volumesTable([v])).toBe('DRIVER    VOLUME NAME\nlocal     shop_data');
    expect(volumesTable([])).toBe('DRIVER    VOLUME NAME');
    expect(JSON.stringify(volumeJson(v))).toBe(
      '{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"a=2,z=1","Links":"N/A","Mountpoint":"/var/lib/docker/volumes/shop_data/_data","Name":"shop_data","Scope":"local","Size":"N/A","Status":"N/A"}',
    );
  });
});
