import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { FakeEngine } from '../support/fake-engine.js';

/**
 * The fake answers as dockerd 20.10 (API 1.41) does, in the shape `EngineClient` gives those
 * answers: the messages below were read from a real daemon.
 */
const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

describe('FakeEngine containers', () => {
  it('refuses a taken, an invalid name and a missing image as dockerd does', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const id = await fake.createContainer('p-web-1', { Image: 'busybox' });
    expect(await failure(fake.createContainer('p-web-1', { Image: 'busybox' }))).toMatchObject({
      code: 'CONFLICT',
      statusCode: 409,
      message: `create container p-web-1: Conflict. The container name "/p-web-1" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    });
    expect(await failure(fake.createContainer('a', { Image: 'busybox' }))).toMatchObject({ statusCode: 400 }); // one character is too short
    expect(await failure(fake.createContainer('b@d', { Image: 'busybox' }))).toMatchObject({
      code: 'ENGINE',
      statusCode: 400,
      daemonMessage: 'Invalid container name (b@d), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
    });
    expect(await failure(fake.createContainer('xy', { Image: 'nosuch' }))).toMatchObject({ code: 'NOT_FOUND', daemonMessage: 'No such image: nosuch:latest' });
    expect(await failure(fake.inspectContainer('nosuch'))).toBeInstanceOf(EngineError);
  });

  it('moves through created → running → exited; start and stop twice are no-ops, kill and remove refuse', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    await fake.createContainer('box', { Image: 'busybox' });
    const state = async (): Promise<unknown> => (await fake.inspectContainer('box')).State?.Status;
    expect(await state()).toBe('created');
    expect(await failure(fake.killContainer('box'))).toMatchObject({ code: 'CONFLICT', daemonMessage: expect.stringMatching(/^Cannot kill container: box: Container \w+ is not running$/) });
    await fake.startContainer('box');
    await fake.startContainer('box');
    expect(await state()).toBe('running');
    expect(await failure(fake.removeContainer('box'))).toMatchObject({ code: 'CONFLICT', daemonMessage: expect.stringMatching(/^You cannot remove a running container \w+\. Stop the container/) });
    await fake.stopContainer('box', 1);
    await fake.stopContainer('box');
    expect(await state()).toBe('exited');
    await fake.removeContainer('box');
    await fake.removeContainer('box'); // already gone: the client accepts the 404
    expect(fake.containerNames()).toEqual([]);
  });

  it('renames, refusing a taken name with the daemon words', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const a = await fake.createContainer('a1', { Image: 'busybox' });
    await fake.createContainer('b1', { Image: 'busybox' });
    expect(await failure(fake.renameContainer('b1', 'a1'))).toMatchObject({ code: 'CONFLICT', daemonMessage: expect.stringContaining(`Error when allocating new name: Conflict. The container name "/a1" is already in use by container "${a}"`) });
    await fake.renameContainer(a.slice(0, 8), 'c1');
    expect(fake.containerNames()).toEqual(['b1', 'c1']);
  });

  it('lists with the Engine API filters: labels all must match, names are regular expressions, unknown keys are 400', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    await fake.createContainer('shop-web-1', { Image: 'busybox', Labels: { 'com.docker.compose.project': 'shop', tier: 'front' } });
    await fake.createContainer('shop-db-1', { Image: 'busybox', Labels: { 'com.docker.compose.project': 'shop' } });
    await fake.createContainer('other', { Image: 'busybox' });
    const names = async (filters: Record<string, string[]>, all = true): Promise<string[]> =>
      (await fake.listContainers({ all, filters })).map((c) => c.Names![0]!).sort();
    expect(await names({ label: ['com.docker.compose.project=shop'] })).toEqual(['/shop-db-1', '/shop-web-1']);
    expect(await names({ label: ['com.docker.compose.project=shop', 'tier'] })).toEqual(['/shop-web-1']);
    expect(await names({ name: ['^shop-'] })).toEqual(['/shop-db-1', '/shop-web-1']);
    expect(await names({ name: ['^/oth'] })).toEqual(['/other']);
    expect(await names({ label: ['com.docker.compose.project=shop'] }, false)).toEqual([]);
    expect(await failure(fake.listContainers({ filters: { bogus: ['x'] } }))).toMatchObject({ statusCode: 400, daemonMessage: "Invalid filter 'bogus'" });
    expect(await failure(fake.listContainers({ filters: { status: ['sleepy'] } }))).toMatchObject({ daemonMessage: "Invalid filter 'status=sleepy'" });
  });

  it('scripts health, exits and output; waits and follows logs', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    fake.behave('job', { exitCode: 3, output: 'done\n' });
    await fake.createContainer('p-job-1', { Image: 'busybox', Labels: { 'com.docker.compose.service': 'job' } });
    await fake.createContainer('p-db-1', { Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'] } });
    await fake.startContainer('p-job-1');
    expect(await fake.waitContainer('p-job-1')).toBe(3);
    await fake.startContainer('p-db-1');
    expect((await fake.inspectContainer('p-db-1')).State.Health?.Status).toBe('starting');
    fake.setHealth('p-db-1', 'healthy');
    expect((await fake.listContainers({ all: false })).map((c) => c.Status)).toEqual([expect.stringMatching(/^Up (Less than a second|\d+ seconds?) \(healthy\)$/)]);

    const lines: string[] = [];
    const follow = (async () => {
      for await (const chunk of fake.containerLogs('p-db-1', { follow: true, tty: false })) lines.push(chunk.data.toString());
    })();
    fake.write('p-db-1', 'ready\n');
    const exited = fake.waitContainer('p-db-1', 'next-exit');
    fake.exit('p-db-1', 1);
    await follow;
    expect(lines).toEqual(['ready\n']);
    expect(await exited).toBe(1);
    const logs: string[] = [];
    for await (const chunk of fake.containerLogs('p-job-1', { tty: false })) logs.push(chunk.data.toString());
    expect(logs).toEqual(['done\n']);
  });
});

describe('FakeEngine networks and volumes', () => {
  it('refuses a duplicate network, the removal of one in use or predefined, a second connect', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    const id = await fake.createNetwork({ Name: 'p_default' });
    expect(await failure(fake.createNetwork({ Name: 'p_default' }))).toMatchObject({ code: 'CONFLICT', daemonMessage: 'network with name p_default already exists' });
    await fake.createContainer('box', { Image: 'busybox', HostConfig: { NetworkMode: 'p_default' } });
    expect(await failure(fake.connectNetwork('p_default', 'box'))).toMatchObject({ statusCode: 403, daemonMessage: 'endpoint with name box already exists in network p_default' });
    await fake.startContainer('box');
    expect(Object.values((await fake.inspectNetwork(id.slice(0, 10))).Containers ?? {}).map((c) => c.Name)).toEqual(['box']);
    expect(await failure(fake.removeNetwork('p_default'))).toMatchObject({
      statusCode: 403,
      daemonMessage: `error while removing network: network p_default id ${id} has active endpoints`,
    });
    expect(await failure(fake.removeNetwork('bridge'))).toMatchObject({ daemonMessage: 'bridge is a pre-defined network and cannot be removed' });
    await fake.stopContainer('box');
    await fake.removeNetwork('p_default');
    await fake.removeNetwork('p_default');
    expect(await failure(fake.startContainer('box'))).toMatchObject({ code: 'NOT_FOUND', daemonMessage: 'network p_default not found' });
    expect(fake.networkNames()).toEqual(['bridge', 'host', 'none']);
  });

  it('creates named and anonymous volumes with containers and refuses to remove one in use', async () => {
    const fake = new FakeEngine({ images: ['busybox'] });
    await fake.createContainer('box', {
      Image: 'busybox',
      HostConfig: { Mounts: [{ Type: 'volume', Source: 'p_data', Target: '/data' }, { Type: 'volume', Target: '/cache' }] },
    });
    expect(fake.volumeNames()).toHaveLength(2);
    expect(await failure(fake.removeVolume('p_data'))).toMatchObject({ code: 'CONFLICT', daemonMessage: expect.stringMatching(/^remove p_data: volume is in use - \[\w+\]$/) });
    expect(await failure(fake.inspectVolume('nosuch'))).toMatchObject({ code: 'NOT_FOUND', daemonMessage: 'get nosuch: no such volume' });
    await fake.removeContainer('box', { volumes: true });
    expect(fake.volumeNames()).toEqual(['p_data']);
    expect(await fake.listVolumes({ dangling: ['true'] })).toMatchObject([{ Name: 'p_data' }]);
  });

  it('journals every call; writes() leaves the reads out', async () => {
    const fake = new FakeEngine();
    await fake.listNetworks({ label: ['x'] });
    await fake.createVolume({ Name: 'v' });
    expect(fake.journal()).toEqual(['listNetworks {"label":["x"]}', 'createVolume v']);
    expect(fake.writes().map((c) => c.method)).toEqual(['createVolume']);
  });
});
