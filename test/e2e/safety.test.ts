/**
 * Safety (issue 13): `down -v --remove-orphans --rmi all` removes what carries this project's
 * label and nothing else — not unlabelled look-alikes named like the project's resources, not
 * another project's containers/networks/volumes (same service names, same explicit resource
 * names), not an `external: true` volume (docker/compose#9313), not a network that merely shares
 * the project network's name, not another project's image that has the default name of one of
 * this project's builds.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { afterFile, capstan, cleanup, engine, idle, projectDir, uniqueProject } from './helpers.js';

const A = uniqueProject('safety');
const B = `${A}-b`;
const IMAGE = `${A}-img:latest`;
const SHARED_VOL = `${A}-sharedvol`;
const SHARED_NET = `${A}-sharednet`;
const EXTERNAL = `${A}-ext`;

const composeA = `
services:
  web:
    image: ${IMAGE}
    command: ${idle()}
    volumes: [data:/data, own:/own, ext:/ext, shared:/shared]
    networks: [default, shared]
  web-x:
    build: ./x
    command: ${idle()}
volumes:
  data: {}
  own: {}
  ext:
    external: true
    name: ${EXTERNAL}
  shared:
    name: ${SHARED_VOL}
networks:
  shared:
    name: ${SHARED_NET}
`;
const composeB = `
services:
  web:
    image: busybox
    command: ${idle()}
    volumes: [data:/data, shared:/shared]
    networks: [default, shared]
volumes:
  data: {}
  shared:
    name: ${SHARED_VOL}
networks:
  shared:
    name: ${SHARED_NET}
`;
/** An orphan of A: a service that is no longer in the file when `down --remove-orphans` runs. */
const composeAWithOrphan = composeA.replace('volumes:\n  data', `  gone:\n    image: busybox\n    command: ${idle()}\nvolumes:\n  data`);

/** Unlabelled look-alikes, created by hand, by name → kind. */
const LOOKALIKE_CONTAINER = `${A}-web-1-manual`;
const LOOKALIKE_VOLUME = `${A}_data`;
const LOOKALIKE_NETWORK = `${A}_default`;
/** Another project's build whose default name is also A's: project `<A>-web`, service `x` = project A, service `web-x`. */
const FOREIGN_BUILD = `${A}-web-x`;

const dirA = projectDir({ 'compose.yaml': composeAWithOrphan, 'x/Dockerfile': 'FROM busybox\n' });
const dirB = projectDir({ 'compose.yaml': composeB });
let lookalikeNetworkId = '';

afterFile(async () => {
  await engine.removeContainer(LOOKALIKE_CONTAINER, { force: true }).catch(() => undefined);
  if (lookalikeNetworkId) await engine.removeNetwork(lookalikeNetworkId).catch(() => undefined);
  await cleanup(A, [dirA]);
  await cleanup(B, [dirB]);
  for (const v of [LOOKALIKE_VOLUME, EXTERNAL, SHARED_VOL]) await engine.removeVolume(v, true).catch(() => undefined);
  for (const n of await engine.listNetworks({ name: [SHARED_NET] }).catch(() => [])) await engine.removeNetwork(n.Id!).catch(() => undefined);
  await engine.removeImage(IMAGE).catch(() => undefined);
  await engine.removeImage(FOREIGN_BUILD, { force: true }).catch(() => undefined);
});

const exists = {
  container: async (name: string) => (await engine.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).length,
  volume: async (name: string) => (await engine.listVolumes({ name: [name] })).filter((v) => v.Name === name).length,
  network: async (name: string) => (await engine.listNetworks({ name: [name] })).filter((n) => n.Name === name).length,
};

describe('down never touches what is not its own', () => {
  it('down -v --remove-orphans --rmi all leaves look-alikes, another project and external resources intact', async () => {
    execFileSync('docker', ['tag', 'busybox:latest', IMAGE]);
    // look-alikes without any label, named as A's own resources would be
    await engine.createVolume({ Name: LOOKALIKE_VOLUME });
    await engine.createContainer(LOOKALIKE_CONTAINER, { Image: 'busybox', Cmd: ['sleep', '3600'] });
    // project `<A>-web`'s build of its service `x`, named as A's service `web-x` would be built
    await engine.commitContainer(LOOKALIKE_CONTAINER, { repo: FOREIGN_BUILD, tag: 'latest', changes: [`LABEL com.docker.compose.project=${A}-web com.docker.compose.service=x`] });
    // the external volume even carries A's project label: declared external, it is never A's to remove
    await engine.createVolume({ Name: EXTERNAL, Labels: { 'com.docker.compose.project': A, 'com.docker.compose.volume': 'ext' } });

    // project B first: it owns the explicitly named volume and network that A declares too
    const upB = await capstan(['-p', B, 'up', '-d'], { cwd: dirB });
    expect(upB.stderr).not.toMatch(/^error/m);
    expect(upB.code).toBe(0);
    const upA = await capstan(['-p', A, 'up', '-d'], { cwd: dirA });
    expect(upA.stderr).not.toMatch(/^error/m);
    expect(upA.code).toBe(0);
    // A uses the unlabelled / foreign ones and says so
    expect(upA.stderr).toContain(LOOKALIKE_VOLUME);
    expect(upA.stderr).toContain(SHARED_VOL);

    // the orphan: `gone` leaves the file
    writeFileSync(`${dirA}/compose.yaml`, composeA);
    // a network with the same name as A's default network, unlabelled (the engine allows duplicate names)
    lookalikeNetworkId = await engine.createNetwork({ Name: LOOKALIKE_NETWORK, CheckDuplicate: false } as Parameters<typeof engine.createNetwork>[0]);
    expect((await engine.listNetworks({ name: [LOOKALIKE_NETWORK] })).filter((n) => n.Name === LOOKALIKE_NETWORK)).toHaveLength(2);

    const down = await capstan(['-p', A, 'down', '-v', '--remove-orphans', '--rmi', 'all'], { cwd: dirA });
    expect(down.stderr).not.toMatch(/^error/m);
    expect(down.code).toBe(0);

    // A's own resources are gone …
    const own = { label: [`com.docker.compose.project=${A}`] };
    expect((await engine.listContainers({ all: true, filters: own })).map((c) => c.Names)).toEqual([]);
    expect(await exists.volume(`${A}_own`)).toBe(0);
    expect((await engine.listNetworks(own)).map((n) => n.Name)).toEqual([]);
    expect(await engine.inspectImage(IMAGE)).toBeUndefined();
    // … everything else is intact
    expect(await exists.container(LOOKALIKE_CONTAINER)).toBe(1);
    expect(await exists.volume(LOOKALIKE_VOLUME)).toBe(1);
    expect((await engine.inspectNetwork(lookalikeNetworkId)).Name).toBe(LOOKALIKE_NETWORK);
    expect(await exists.volume(EXTERNAL)).toBe(1);
    expect(await exists.volume(SHARED_VOL)).toBe(1);
    expect(await exists.network(SHARED_NET)).toBe(1);
    expect(await engine.inspectImage('busybox:latest')).toBeDefined();
    expect(await engine.inspectImage(FOREIGN_BUILD)).toBeDefined();
    expect(down.stderr).toContain(`image ${FOREIGN_BUILD} was built by project "${A}-web": not removed`);
    const b = await engine.listContainers({ all: false, filters: { label: [`com.docker.compose.project=${B}`] } });
    expect(b.map((c) => c.Names?.[0])).toEqual([`/${B}-web-1`]);
    expect(await exists.volume(`${B}_data`)).toBe(1);
    expect(await exists.network(`${B}_default`)).toBe(1);
  });
});

describe('values the engine would refuse fail before anything is created', () => {
  it.each([
    ['an uppercase image', '    image: BusyBox:Latest\n', /compose\.yaml:\d+:\d+: services\.bad\.image: service "bad": invalid image reference "BusyBox:Latest": repository name must be lowercase/],
    ['mem_limit: 1k', '    image: busybox\n    mem_limit: 1k\n', /compose\.yaml:\d+:\d+: services\.bad\.mem_limit: service "bad": memory limit 1024 bytes is below the engine's minimum of 6MB/],
    ['a negative cpus', '    image: busybox\n    cpus: -0.5\n', /compose\.yaml:\d+:\d+: services\.bad\.cpus: service "bad": cpus must not be negative/],
  ])('%s', async (_what, bad, message) => {
    const project = uniqueProject('limits');
    const dir = projectDir({ 'compose.yaml': `services:\n  good:\n    image: busybox\n    command: ${idle()}\n  bad:\n${bad}` });
    afterFile(() => cleanup(project, [dir]));
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(message);
    expect(up.stderr.match(/^error:/gm)).toHaveLength(1);
    const own = { label: [`com.docker.compose.project=${project}`] };
    expect(await engine.listContainers({ all: true, filters: own })).toEqual([]);
    expect(await engine.listNetworks(own)).toEqual([]);
  });

  it('a service name with characters Docker refuses', async () => {
    const project = uniqueProject('limits');
    const dir = projectDir({ 'compose.yaml': `services:\n  good:\n    image: busybox\n    command: ${idle()}\n  web app:\n    image: busybox\n` });
    afterFile(() => cleanup(project, [dir]));
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/compose\.yaml:5:3: services: service name "web app" is invalid: a name takes only letters, digits, '\.', '_' and '-'/);
    expect(up.stderr.match(/^error:/gm)).toHaveLength(1);
    const own = { label: [`com.docker.compose.project=${project}`] };
    expect(await engine.listContainers({ all: true, filters: own })).toEqual([]);
    expect(await engine.listNetworks(own)).toEqual([]);
  });
});
