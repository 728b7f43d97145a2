/**
 * EngineClient against the real daemon (Docker Engine 20.10 / API 1.41 in CI): network, volume
 * and container lifecycle, demuxed logs, a classic build from an in-memory tar, putArchive and
 * the event stream. Every object is named `capstan-engine-test-<random>…` and labelled with a
 * unique `com.docker.compose.project`, and `afterAll` removes all of them even after a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EngineClient } from '../../src/engine/index.js';
import type { EventMessage, LogChunk } from '../../src/engine/index.js';
import { CapstanError, EngineError } from '../../src/errors.js';

const project = `capstan-engine-test-${randomBytes(4).toString('hex')}`;
const labels = { 'com.docker.compose.project': project };
const labelFilter = { label: [`com.docker.compose.project=${project}`] };
const names = {
  network: `${project}-net`,
  volume: `${project}-vol`,
  container: `${project}-c`,
  image: `${project}-img:latest`,
  failedImage: `${project}-fail:latest`,
};

/** A minimal ustar writer: regular files only, enough for a build context or putArchive. */
function tar(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, '0') + '\0';
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write(octal(0o644, 8), 100, 'ascii'); // mode
    h.write(octal(0, 8), 108, 'ascii'); // uid
    h.write(octal(0, 8), 116, 'ascii'); // gid
    h.write(octal(data.length, 12), 124, 'ascii'); // size
    h.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii'); // mtime
    h.write('        ', 148, 'ascii'); // checksum placeholder: 8 spaces
    h.write('0', 156, 'ascii'); // typeflag: regular file
    h.write('ustar\u000000', 257, 'ascii'); // magic + version
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const engine = EngineClient.fromEnvironment();
let containerId = '';

beforeAll(async () => {
  await engine.ping();
});

afterAll(async () => {
  const attempts: Array<Promise<unknown>> = [];
  // by label, so a half-created container (name taken by an earlier failure) is removed too
  const containers = await engine.listContainers({ all: true, filters: labelFilter }).catch(() => []);
  for (const c of containers) if (c.Id) attempts.push(engine.removeContainer(c.Id, { force: true, volumes: true }));
  attempts.push(engine.removeContainer(names.container, { force: true, volumes: true }));
  await Promise.allSettled(attempts);
  await Promise.allSettled([
    engine.removeNetwork(names.network),
    engine.removeVolume(names.volume, true),
    engine.removeImage(names.image, { force: true }),
    engine.removeImage(names.failedImage, { force: true }),
  ]);
  const leftovers = [
    ...(await engine.listContainers({ all: true, filters: labelFilter })),
    ...(await engine.listNetworks(labelFilter)),
    ...(await engine.listVolumes(labelFilter)),
  ];
  engine.close();
  expect(leftovers).toEqual([]);
});

describe('EngineClient against the real daemon', () => {
  it('negotiates the API version and reads /version', async () => {
    expect(engine.apiVersion).toMatch(/^1\.\d+$/);
    const v = await engine.version();
    expect(v.ApiVersion).toMatch(/^1\.\d+$/);
    expect(v.Os).toBe('linux');
    expect(engine.apiVersion).toBe(
      Number(v.ApiVersion.split('.')[1]) > 43 ? '1.43' : v.ApiVersion,
    );
  });

  it('creates a network and a volume, finds them by label, and removal is idempotent', async () => {
    const netId = await engine.createNetwork({ Name: names.network, CheckDuplicate: true, Labels: labels });
    expect(netId).toMatch(/^[0-9a-f]{64}$/);
    expect((await engine.inspectNetwork(names.network)).Labels).toEqual(labels);
    expect((await engine.listNetworks(labelFilter)).map((n) => n.Name)).toEqual([names.network]);
    const dup = await engine.createNetwork({ Name: names.network, CheckDuplicate: true }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(EngineError);
    expect((dup as EngineError).code).toBe('CONFLICT');

    const vol = await engine.createVolume({ Name: names.volume, Labels: labels });
    expect(vol.Name).toBe(names.volume);
    expect((await engine.inspectVolume(names.volume)).Labels).toEqual(labels);
    expect((await engine.listVolumes(labelFilter)).map((v) => v.Name)).toEqual([names.volume]);

    await expect(engine.inspectNetwork(`${project}-missing`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await engine.removeNetwork(`${project}-missing`);
    await engine.removeVolume(`${project}-missing`);
  });

  it('runs a busybox container: start, event, wait → 0, demuxed logs, idempotent stop/remove', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 2);
    containerId = await engine.createContainer(names.container, {
      Image: 'busybox:latest',
      Cmd: ['sh', '-c', 'echo out; echo err >&2'],
      Labels: labels,
      Tty: false,
      HostConfig: { NetworkMode: names.network, Binds: [`${names.volume}:/data`] },
    });
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);
    const taken = await engine.createContainer(names.container, { Image: 'busybox:latest' }).catch((e: unknown) => e);
    expect(taken).toMatchObject({ code: 'CONFLICT', statusCode: 409 });

    // follow events from before the start (since), abort as soon as our start shows up
    const ac = new AbortController();
    const guard = setTimeout(() => ac.abort(), 20_000);
    const seen: EventMessage[] = [];
    const watching = (async () => {
      for await (const e of engine.events({ since, filters: { type: ['container'], ...labelFilter }, signal: ac.signal })) {
        seen.push(e);
        if (e.Action === 'start' && e.Actor?.ID === containerId) ac.abort();
      }
      return 'ended';
    })();

    await engine.startContainer(containerId);
    expect(await engine.waitContainer(containerId)).toBe(0);
    expect(await watching).toBe('ended'); // ended cleanly, no throw
    clearTimeout(guard);
    expect(seen.map((e) => e.Action)).toEqual(expect.arrayContaining(['create', 'start']));
    expect(seen.every((e) => e.Actor?.Attributes?.['com.docker.compose.project'] === project)).toBe(true);

    const inspect = await engine.inspectContainer(containerId);
    expect(inspect.State.Status).toBe('exited');
    expect(inspect.State.ExitCode).toBe(0);
    expect(inspect.Config.Labels).toMatchObject(labels);
    expect(inspect.Name).toBe(`/${names.container}`);

    const chunks: LogChunk[] = await collect(engine.containerLogs(containerId, { tty: inspect.Config.Tty ?? false }));
    const text = (stream: 'stdout' | 'stderr'): string =>
      Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString();
    expect(text('stdout')).toBe('out\n');
    expect(text('stderr')).toBe('err\n');

    const listed = await engine.listContainers({ all: true, filters: labelFilter });
    expect(listed.map((c) => c.Id)).toEqual([containerId]);

    await engine.stopContainer(containerId, 1); // already stopped: 304, not an error
    await expect(engine.killContainer(containerId)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('copies a tar into the container with putArchive', async () => {
    await engine.putArchive(containerId, '/data', tar({ 'hello.txt': 'hello from capstan\n' }));
    const missing = await engine.putArchive(containerId, '/no/such/dir', tar({ 'x': 'x' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EngineError);
    expect((missing as EngineError).statusCode).toBe(404);
  });

  it('builds an image from an in-memory tar and reports progress', async () => {
    const context = tar({
      Dockerfile: 'FROM busybox:latest\nARG GREETING\nCOPY greeting.txt /greeting.txt\nRUN echo "$GREETING héllo" > /built.txt\n',
      'greeting.txt': 'hi\n',
    });
    const messages = await collect(
      engine.build(context, {
        tags: [names.image],
        buildargs: { GREETING: 'bonjour' },
        labels,
        networkmode: 'none',
      }),
    );
    const streamText = messages.map((m) => m.stream ?? '').join('');
    expect(streamText).toMatch(/Step 1\/\d+ : FROM busybox:latest/);
    expect(streamText).toMatch(/RUN echo "\$GREETING héllo"/); // UTF-8 survives the NDJSON reader
    expect(streamText).toMatch(/Successfully tagged/);
    const imageId = messages.find((m) => m.aux?.ID)?.aux?.ID;
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const image = await engine.inspectImage(names.image);
    expect(image?.Id).toBe(imageId);
    expect(image?.Config?.Labels).toMatchObject(labels);
    expect(await engine.inspectImage(`${project}-missing:latest`)).toBeUndefined();

    // the build arg reached the RUN step: read the file back through a container's logs
    const id = await engine.createContainer(`${project}-check`, { Image: names.image, Cmd: ['cat', '/built.txt'], Labels: labels });
    await engine.startContainer(id);
    expect(await engine.waitContainer(id)).toBe(0);
    const out = await collect(engine.containerLogs(id, { tty: false }));
    expect(Buffer.concat(out.map((c) => c.data)).toString()).toBe('bonjour héllo\n');
    await engine.removeContainer(id);
  });

  it('turns a failed build step into an EngineError after the progress that came before', async () => {
    const seen: string[] = [];
    const err = await (async () => {
      for await (const m of engine.build(tar({ Dockerfile: 'FROM busybox:latest\nRUN exit 3\n' }), {
        tags: [names.failedImage],
        networkmode: 'none',
      })) {
        if (m.stream) seen.push(m.stream);
      }
    })().catch((e: unknown) => e);
    expect(seen.join('')).toMatch(/Step 2\/2 : RUN exit 3/);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/returned a non-zero code: 3/);
  });

  it('removes the container; removing it again is not an error', async () => {
    await engine.removeContainer(containerId, { force: true });
    await engine.removeContainer(containerId, { force: true });
    await expect(engine.inspectContainer(containerId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reports an engine that is not there as ENGINE_UNREACHABLE', async () => {
    const nowhere = EngineClient.fromEnvironment({ DOCKER_HOST: `unix:///tmp/${project}.sock` });
    const err = await nowhere.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe('ENGINE_UNREACHABLE');
    expect((err as CapstanError).message).toBe(`cannot connect to the Docker engine at unix:///tmp/${project}.sock: connect ENOENT`);
  });
});
