/**
 * A recreated container keeps its predecessor's data in the volumes its image declares
 * (`VOLUME` in the Dockerfile) when the service mounts nothing there, as compose does: without
 * it, a database image started without `volumes:` would come back empty after any config change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterFile, capstan, engine, idle, setup } from './helpers.js';

const file = (env: string): string => `services:\n  app:\n    build: .\n    command: ${idle()}\n    environment: {STAGE: ${env}}\n`;
const { project, dir } = setup('imgvol', {
  'Dockerfile': 'FROM busybox:latest\nVOLUME /data\n',
  'compose.yaml': file('one'),
});

describe('recreate and image volumes', () => {
  it('a config change recreates the container; the data under the image\'s VOLUME is still there', async () => {
    expect((await capstan(['-p', project, 'up', '-d'], { cwd: dir })).code).toBe(0);
    const write = await capstan(['-p', project, 'exec', '-T', 'app', 'sh', '-c', 'echo kept > /data/file'], { cwd: dir });
    expect(write.code).toBe(0);
    const [before] = await engine.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
    const volume = (await engine.inspectContainer(before!.Id!)).Mounts?.find((m) => m.Destination === '/data')?.Name;
    expect(volume).toMatch(/^[0-9a-f]{64}$/);
    // the replacement mounts it by name, so the engine no longer counts it as the container's
    // anonymous volume and removing the container with its volumes leaves it (compose alike)
    afterFile(() => engine.removeVolume(volume!, true).catch(() => undefined));

    writeFileSync(join(dir, 'compose.yaml'), file('two'));
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code).toBe(0);
    const [after] = await engine.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(after!.Id).not.toBe(before!.Id);
    expect((await engine.inspectContainer(after!.Id!)).Mounts?.find((m) => m.Destination === '/data')?.Name).toBe(volume);
    const read = await capstan(['-p', project, 'exec', '-T', 'app', 'cat', '/data/file'], { cwd: dir });
    expect(read.stdout).toBe('kept\n');
  });
});
