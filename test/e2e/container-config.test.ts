import { describe, expect, it } from 'vitest';
import { capstan, engine, idle, setup } from './helpers.js';

const compose = `
services:
  app:
    image: busybox
    command: ${idle()}
    init: true
    ipc: shareable
    read_only: true
    cap_add: [NET_ADMIN]
    cap_drop: [MKNOD]
    security_opt: ["no-new-privileges:true"]
    dns_search: [example.internal]
    dns_opt: ["ndots:2"]
    extra_hosts:
      - "db.local=10.1.2.3"
      - "cache.local:10.1.2.4"
    tmpfs:
      - /run
      - /scratch:size=8m,mode=1777
    ulimits:
      nproc: 4096
      nofile:
        soft: 2048
        hard: 4096
    sysctls:
      net.core.somaxconn: 1024
    group_add: ["1234"]
    mem_limit: 64m
    mem_reservation: 32m
    oom_score_adj: 200
    pids_limit: 64
    cpu_shares: 512
    logging:
      driver: json-file
      options:
        max-size: 1m
        max-file: 2
    labels:
      team: infra
  side:
    image: busybox
    command: ["sleep", "300"]
    ipc: service:app
    pid: service:app
    network_mode: service:app
    volumes_from: [app:ro]
    depends_on: [app]
`;

describe('container configuration lands in docker inspect', () => {
  const { project, dir } = setup('cfg', { 'compose.yaml': compose });

  it('maps ulimits, sysctls, caps, DNS, extra hosts, tmpfs, read_only, init, resources and logging', async () => {
    const up = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);

    const info = await engine.inspectContainer(`${project}-app-1`);
    expect(info.State.Running).toBe(true);
    const h = info.HostConfig;
    expect(h.Init).toBe(true);
    expect(h.ReadonlyRootfs).toBe(true);
    expect(h.CapAdd).toEqual(['NET_ADMIN']);
    expect(h.CapDrop).toEqual(['MKNOD']);
    expect(h.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(h.DnsSearch).toEqual(['example.internal']);
    expect(h.DnsOptions).toEqual(['ndots:2']);
    // compose-go keeps extra_hosts as a map and lists it sorted by host name
    expect(h.ExtraHosts).toEqual(['cache.local:10.1.2.4', 'db.local:10.1.2.3']);
    expect(h.Tmpfs).toEqual({ '/run': '', '/scratch': 'size=8m,mode=1777' });
    expect(h.Ulimits).toEqual(
      expect.arrayContaining([
        { Name: 'nproc', Soft: 4096, Hard: 4096 },
        { Name: 'nofile', Soft: 2048, Hard: 4096 },
      ]),
    );
    expect(h.Sysctls).toEqual({ 'net.core.somaxconn': '1024' });
    expect(h.GroupAdd).toEqual(['1234']);
    expect(h.IpcMode).toBe('shareable');
    expect(h.Memory).toBe(64 * 1024 * 1024);
    expect(h.MemoryReservation).toBe(32 * 1024 * 1024);
    expect(h.OomScoreAdj).toBe(200);
    expect(h.PidsLimit).toBe(64);
    expect(h.CpuShares).toBe(512);
    expect(h.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
    expect(info.Config.Labels).toMatchObject({ team: 'infra' });

    const side = await engine.inspectContainer(`${project}-side-1`);
    expect(side.State.Running).toBe(true);
    // the engine stores the container ID for ipc/pid/network `container:` references
    for (const mode of [side.HostConfig.IpcMode, side.HostConfig.PidMode, side.HostConfig.NetworkMode]) {
      expect([`container:${project}-app-1`, `container:${info.Id}`]).toContain(mode);
    }
    expect(side.HostConfig.VolumesFrom).toEqual([`${project}-app-1:ro`]);
  });

  it('an attribute this engine cannot apply fails up with a clear message and creates nothing', async () => {
    const { project: p2, dir: d2 } = setup('cfg-api', {
      'compose.yaml': `
services:
  web:
    image: busybox
    healthcheck:
      test: ["CMD", "true"]
      start_interval: 2s
`,
    });
    const up = await capstan(['-p', p2, 'up', '-d'], { cwd: d2 });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/service "web": healthcheck\.start_interval is not supported by this engine \(API 1\.41\)/);
    expect(await engine.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${p2}`] } })).toEqual([]);
  });
});
