import { describe, expect, it } from 'vitest';
import { project } from '../../test/support/fixtures.js';
import { containerSpec } from './container-spec.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { normalizeServiceConfig } from '../loader/normalize.js';

/**
 * A service as written in a compose file: short-syntax values (`'512m'`, `'/dev/a:/dev/b'`) as
 * well as canonical ones. The loader's normalisation makes it the typed model containerSpec maps
 * (bad values are the loader's errors now: see src/loader/load-checks.test.ts).
 */
type RawService = { [K in keyof ServiceConfig]?: unknown } & { [extension: `x-${string}`]: unknown };

/** The typed service the loader makes of `raw`. */
const typed = (name: string, raw: RawService): Partial<ServiceConfig> => {
  const { name: _n, ...svc } = normalizeServiceConfig(name, raw as Record<string, unknown>, { projectName: 'shop', workingDir: '/work/p', environment: {} });
  return svc;
};

const spec = (service: RawService, extra = {}) => {
  const p = project('shop', { web: typed('web', service) }, extra);
  return containerSpec({ project: p, service: p.services.web!, replica: 2, configHash: 'h', configDigest: '{}' });
};

describe('containerSpec', () => {
  it('writes the labels docker compose writes, over user labels', () => {
    const { body } = spec({ labels: { team: 'a', 'com.docker.compose.project': 'spoof' }, depends_on: { db: { condition: 'service_healthy', required: true } } });
    expect(body.Labels).toMatchObject({
      team: 'a',
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.config-hash': 'h',
      'com.docker.compose.project.working_dir': '/work/p',
      'com.docker.compose.project.config_files': '/work/p/compose.yaml',
      'com.docker.compose.depends_on': 'db:service_healthy:false',
    });
    expect(body.Labels!['com.docker.compose.version']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('maps ports to ExposedPorts and PortBindings', () => {
    const { body } = spec({
      ports: [
        { target: 5000, published: '8000', protocol: 'tcp', mode: 'ingress' },
        { target: 53, published: '5353', protocol: 'udp', host_ip: '127.0.0.1' },
        { target: 9000 },
      ],
      expose: ['7000', '7001/udp'],
    });
    expect(body.ExposedPorts).toEqual({ '5000/tcp': {}, '53/udp': {}, '9000/tcp': {}, '7000/tcp': {}, '7001/udp': {} });
    expect(body.HostConfig!.PortBindings).toEqual({
      '5000/tcp': [{ HostIp: '', HostPort: '8000' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      '9000/tcp': [{ HostIp: '', HostPort: '' }],
    });
  });

  it('converts durations to nanoseconds for healthchecks and seconds for stop timeouts', () => {
    const { body } = spec({
      healthcheck: { test: ['CMD', 'true'], interval: '1m30s', timeout: '500ms', start_period: '10s', retries: 3 },
      stop_grace_period: '1m',
    });
    expect(body.Healthcheck).toEqual({ Test: ['CMD', 'true'], Interval: 90e9, Timeout: 5e8, StartPeriod: 10e9, Retries: 3 });
    expect(body.StopTimeout).toBe(60);
    expect(spec({ healthcheck: { disable: true } }).body.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('maps restart policies, including deploy.restart_policy', () => {
    expect(spec({ restart: 'unless-stopped' }).body.HostConfig!.RestartPolicy).toEqual({ Name: 'unless-stopped' });
    expect(spec({ restart: 'on-failure:3' }).body.HostConfig!.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(spec({}).body.HostConfig!.RestartPolicy).toEqual({ Name: 'no' });
    expect(spec({ deploy: { restart_policy: { condition: 'on-failure', max_attempts: 2 } } }).body.HostConfig!.RestartPolicy).toEqual({
      Name: 'on-failure',
      MaximumRetryCount: 2,
    });
  });

  it('maps volumes: binds that may create the host path, named, anonymous and tmpfs mounts', () => {
    const { body } = spec(
      {
        volumes: [
          { type: 'bind', source: '/srv/app', target: '/app', read_only: true, bind: { create_host_path: true } },
          { type: 'volume', source: 'data', target: '/data', volume: { nocopy: true } },
          { type: 'volume', target: '/cache' },
          { type: 'tmpfs', target: '/tmp', tmpfs: { size: '10m', mode: 0o1777 } },
        ],
      },
      { volumes: { data: { name: 'shop_data' } } },
    );
    expect(body.HostConfig!.Binds).toEqual(['/srv/app:/app:ro']);
    expect(body.HostConfig!.Mounts).toEqual([
      { Type: 'volume', Source: 'shop_data', Target: '/data', VolumeOptions: { NoCopy: true } },
      { Type: 'volume', Target: '/cache' },
      { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 10 * 1024 * 1024, Mode: 0o1777 } },
    ]);
  });

  it('joins the first network at create with container and service names as aliases, the others after', () => {
    const result = spec(
      { networks: { front: { aliases: ['www'] }, back: { priority: 10, ipv4_address: '10.5.0.9' } } },
      { networks: { front: { name: 'shop_front' }, back: { name: 'shop_back' } } },
    );
    expect(result.body.HostConfig!.NetworkMode).toBe('shop_back');
    expect(result.body.NetworkingConfig).toEqual({
      EndpointsConfig: { shop_back: { Aliases: ['shop-web-2', 'web'], IPAMConfig: { IPv4Address: '10.5.0.9' } } },
    });
    expect(result.extraNetworks).toEqual([{ network: 'shop_front', endpoint: { Aliases: ['shop-web-2', 'web', 'www'] } }]);
  });

  it('orders networks of equal priority by name in code units, as compose (Go) does', () => {
    const result = spec(
      { networks: { 'b-net': {}, B_net: {}, a: {} } },
      { networks: { 'b-net': { name: 'shop_b-net' }, B_net: { name: 'shop_B_net' }, a: { name: 'shop_a' } } },
    );
    expect(result.body.HostConfig!.NetworkMode).toBe('shop_B_net'); // 'B' (0x42) before 'a' (0x61)
    expect(result.extraNetworks.map((n) => n.network)).toEqual(['shop_a', 'shop_b-net']);
  });

  it('maps command, entrypoint, environment and resources', () => {
    const { body } = spec({
      command: ['sh', '-c', 'echo hi'],
      entrypoint: null,
      environment: { A: '1', UNSET: null },
      mem_limit: '512m',
      cpus: 1.5,
    });
    expect(body.Cmd).toEqual(['sh', '-c', 'echo hi']);
    expect(body.Entrypoint).toEqual(['']);
    expect(body.Env).toEqual(['A=1']);
    expect(body.HostConfig!.Memory).toBe(512 * 1024 * 1024);
    expect(body.HostConfig!.NanoCpus).toBe(1.5e9);
  });
});

describe('containerSpec: every attribute the engine takes', () => {
  const host = (service: RawService, extra = {}, apiVersion?: string) => {
    const p = project('shop', { web: typed('web', service), db: {}, named: { container_name: 'the-db' } }, extra);
    return containerSpec({ project: p, service: p.services.web!, replica: 1, configHash: 'h', configDigest: '{}', apiVersion });
  };

  it('maps security_opt, dns_search, dns_opt, group_add, runtime, isolation, storage_opt, device_cgroup_rules', () => {
    const { body } = host({
      security_opt: ['no-new-privileges:true', 'label=disable'],
      dns_search: ['example.com'],
      dns_opt: ['ndots:2'],
      group_add: ['audio', 1000] as unknown as string[],
      runtime: 'runc',
      isolation: 'default',
      storage_opt: { size: '20G' },
      device_cgroup_rules: ['c 1:3 mr'],
    });
    expect(body.HostConfig).toMatchObject({
      SecurityOpt: ['no-new-privileges:true', 'label=disable'],
      DnsSearch: ['example.com'],
      DnsOptions: ['ndots:2'],
      GroupAdd: ['audio', '1000'],
      Runtime: 'runc',
      Isolation: 'default',
      StorageOpt: { size: '20G' },
      DeviceCgroupRules: ['c 1:3 mr'],
    });
  });

  it('maps devices in short, long and permission-only forms', () => {
    const { body } = host({
      devices: ['/dev/fuse', '/dev/sda:/dev/xvda:r', '/dev/snd:rw', { source: '/dev/kvm', target: '/dev/kvm2', permissions: 'rwm' }],
    });
    expect(body.HostConfig!.Devices).toEqual([
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
      { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
      { PathOnHost: '/dev/snd', PathInContainer: '/dev/snd', CgroupPermissions: 'rw' },
      { PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm2', CgroupPermissions: 'rwm' },
    ]);
    expect(() => host({ devices: ['nvidia.com/gpu=all'] })).toThrow('service "web": devices (CDI) is not supported by this engine (API 1.41)');
    expect(host({ devices: ['nvidia.com/gpu=all'] }, {}, '1.44').body.HostConfig!.DeviceRequests).toEqual([
      { Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=all'] },
    ]);
  });

  it('maps ulimits (single value and soft/hard) and sysctls (map or list)', () => {
    const { body } = host({ ulimits: { nproc: 65535, nofile: { soft: 20000, hard: '40000' } }, sysctls: { 'net.core.somaxconn': '1024' } });
    expect(body.HostConfig!.Ulimits).toEqual([
      { Name: 'nproc', Soft: 65535, Hard: 65535 },
      { Name: 'nofile', Soft: 20000, Hard: 40000 },
    ]);
    expect(body.HostConfig!.Sysctls).toEqual({ 'net.core.somaxconn': '1024' });
    expect(host({ sysctls: ['net.ipv4.ip_forward=1'] }).body.HostConfig!.Sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
  });

  it('maps logging to LogConfig with string options', () => {
    const { body } = host({ logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': 3 } } });
    expect(body.HostConfig!.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
  });

  it('maps namespaces: ipc, pid, uts, userns_mode, cgroup, cgroup_parent; service: refs name the first container', () => {
    const { body } = host({ ipc: 'service:db', pid: 'host', uts: 'host', userns_mode: 'host', cgroup: 'private', cgroup_parent: 'm-executor' });
    expect(body.HostConfig).toMatchObject({
      IpcMode: 'container:shop-db-1',
      PidMode: 'host',
      UTSMode: 'host',
      UsernsMode: 'host',
      CgroupnsMode: 'private',
      CgroupParent: 'm-executor',
    });
    expect(host({ pid: 'service:named' }).body.HostConfig!.PidMode).toBe('container:the-db');
    expect(host({ network_mode: 'service:db', networks: undefined }).body.HostConfig!.NetworkMode).toBe('container:shop-db-1');
    expect(host({ ipc: 'shareable' }).body.HostConfig!.IpcMode).toBe('shareable');
  });

  it('maps links, external_links and volumes_from', () => {
    const { body } = host({
      links: ['db', 'named:database'],
      external_links: ['redis-1:redis', 'legacy'],
      volumes_from: ['db', 'db:ro', 'container:other:rw', 'container:plain'],
    });
    expect(body.HostConfig!.Links).toEqual(['shop-db-1:db', 'the-db:database', 'redis-1:redis', 'legacy:legacy']);
    expect(body.HostConfig!.VolumesFrom).toEqual(['shop-db-1', 'shop-db-1:ro', 'other:rw', 'plain']);
  });

  it('maps CPU settings: shares, CFS quota/period and RT in microseconds, cpuset, NanoCpus', () => {
    const { body } = host({
      cpu_shares: 512,
      cpu_quota: '50000',
      cpu_period: 100000,
      cpu_rt_period: '1400us',
      cpu_rt_runtime: '400ms',
      cpuset: '0-1',
      cpus: '0.5',
    });
    expect(body.HostConfig).toMatchObject({
      CpuShares: 512,
      CpuQuota: 50000,
      CpuPeriod: 100000,
      CpuRealtimePeriod: 1400,
      CpuRealtimeRuntime: 400000,
      CpusetCpus: '0-1',
      NanoCpus: 5e8,
    });
  });

  it('maps memory settings in bytes, swap -1 as unlimited, swappiness and OOM settings', () => {
    const { body } = host({
      mem_limit: '1g',
      mem_reservation: '512m',
      memswap_limit: '2g',
      mem_swappiness: 10,
      oom_kill_disable: true,
      oom_score_adj: -500,
      pids_limit: 100,
      shm_size: '64m',
    });
    expect(body.HostConfig).toMatchObject({
      Memory: 1024 ** 3,
      MemoryReservation: 512 * 1024 ** 2,
      MemorySwap: 2 * 1024 ** 3,
      MemorySwappiness: 10,
      OomKillDisable: true,
      OomScoreAdj: -500,
      PidsLimit: 100,
      ShmSize: 64 * 1024 ** 2,
    });
    expect(host({ memswap_limit: -1 }).body.HostConfig!.MemorySwap).toBe(-1);
    expect(
      host({ deploy: { resources: { limits: { memory: '256m', cpus: '2', pids: 5 }, reservations: { memory: '128m', cpus: '1' } } } }).body.HostConfig,
    ).toMatchObject({ Memory: 256 * 1024 ** 2, NanoCpus: 2e9, PidsLimit: 5, MemoryReservation: 128 * 1024 ** 2 });
  });

  it('maps gpus and deploy device reservations to DeviceRequests', () => {
    expect(host({ gpus: 'all' }).body.HostConfig!.DeviceRequests).toEqual([{ Driver: '', Count: -1, Capabilities: [['gpu']] }]);
    const { body } = host({
      gpus: [{ driver: 'nvidia', count: 2 }],
      deploy: {
        resources: {
          reservations: {
            devices: [
              { capabilities: ['gpu', 'utility'], device_ids: ['0', '3'], driver: 'nvidia', options: { virtualization: false } },
              { capabilities: ['tpu'], count: 'all' },
            ],
          },
        },
      },
    });
    expect(body.HostConfig!.DeviceRequests).toEqual([
      { Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] },
      { Driver: 'nvidia', DeviceIDs: ['0', '3'], Capabilities: [['gpu', 'utility']], Options: { virtualization: 'false' } },
      { Driver: '', Count: -1, Capabilities: [['tpu']] },
    ]);
  });

  it('maps blkio_config: weights, byte rates in bytes, IO rates', () => {
    const { body } = host({
      blkio_config: {
        weight: 300,
        weight_device: [{ path: '/dev/sda', weight: 400 }],
        device_read_bps: [{ path: '/dev/sda', rate: '12mb' }],
        device_write_bps: [{ path: '/dev/sda', rate: 1024 }],
        device_read_iops: [{ path: '/dev/sda', rate: 120 }],
        device_write_iops: [{ path: '/dev/sda', rate: '30' }],
      },
    });
    expect(body.HostConfig).toMatchObject({
      BlkioWeight: 300,
      BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 400 }],
      BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 12 * 1024 ** 2 }],
      BlkioDeviceWriteBps: [{ Path: '/dev/sda', Rate: 1024 }],
      BlkioDeviceReadIOps: [{ Path: '/dev/sda', Rate: 120 }],
      BlkioDeviceWriteIOps: [{ Path: '/dev/sda', Rate: 30 }],
    });
  });

  it('maps tmpfs paths with options, mac_address, platform, extra_hosts', () => {
    const spec = host({ tmpfs: ['/run', '/tmp:size=64m,mode=1777'], mac_address: '02:42:ac:11:00:02', platform: 'linux/amd64', extra_hosts: ['a=10.0.0.1', 'b=::1'] });
    expect(spec.body.HostConfig!.Tmpfs).toEqual({ '/run': '', '/tmp': 'size=64m,mode=1777' });
    expect(spec.body.MacAddress).toBe('02:42:ac:11:00:02');
    expect(spec.platform).toBe('linux/amd64');
    expect(spec.body.HostConfig!.ExtraHosts).toEqual(['a:10.0.0.1', 'b:::1']);
  });

  it('moves a first-network mac_address to Config.MacAddress before API 1.44, refuses it on another network', () => {
    const nets = { networks: { front: { name: 'shop_front' }, back: { name: 'shop_back' } } };
    const one = host({ networks: { front: { mac_address: '02:00:00:00:00:01' } } }, nets);
    expect(one.body.MacAddress).toBe('02:00:00:00:00:01');
    expect(one.body.NetworkingConfig!.EndpointsConfig!.shop_front).toEqual({ Aliases: ['shop-web-1', 'web'] });
    expect(() => host({ networks: { back: {}, front: { mac_address: '02:00:00:00:00:02' } } }, nets)).toThrow(
      'service "web": networks.front.mac_address is not supported by this engine (API 1.41)',
    );
    expect(() => host({ networks: { front: { gw_priority: 1 } } }, nets)).toThrow(/networks.gw_priority is not supported by this engine/);
  });

  it('fails clearly on attributes that need a newer engine, and maps them when it is new enough', () => {
    expect(() => host({ healthcheck: { test: ['CMD', 'true'], start_interval: '1s' } })).toThrow(
      'service "web": healthcheck.start_interval is not supported by this engine (API 1.41)',
    );
    expect(host({ healthcheck: { test: ['CMD', 'true'], start_interval: '1s' } }, {}, '1.44').body.Healthcheck).toEqual({
      Test: ['CMD', 'true'],
      StartInterval: 1e9,
    });
    const sub = { volumes: [{ type: 'volume' as const, source: 'data', target: '/data', volume: { subpath: 'a/b' } }] };
    const vols = { volumes: { data: { name: 'shop_data' } } };
    expect(() => host(sub, vols)).toThrow('service "web": volumes.volume.subpath is not supported by this engine (API 1.41)');
    expect(() => host({ annotations: { 'com.example': 'x' } })).toThrow('service "web": annotations is not supported by this engine (API 1.41)');
    expect(host({ annotations: { 'com.example': 'x' } }, {}, '1.43').body.HostConfig).toMatchObject({ Annotations: { 'com.example': 'x' } });
    expect(() => host({ volumes: [{ type: 'image', source: 'alpine', target: '/img' }] })).toThrow(/volumes type image is not supported by this engine/);
    // past the newest API Capstan speaks, the hint does not send the user to a newer engine
    expect(() => host({ annotations: { 'com.example': 'x' } })).toThrow(expect.objectContaining({ hint: 'annotations needs Docker Engine API 1.43 or newer' }));
    expect(() => host({ volumes: [{ type: 'image', source: 'alpine', target: '/img' }] }, {}, '1.43')).toThrow(
      expect.objectContaining({ hint: 'volumes type image needs Engine API 1.47; Capstan speaks at most 1.43 yet' }),
    );
    expect(() => host({ volumes: [{ type: 'bind', source: '/a', target: '/b', bind: { recursive: 'readonly' } }] })).toThrow(
      /volumes.bind.recursive is not supported by this engine \(API 1.41\)/,
    );
    expect(host({ volumes: [{ type: 'bind', source: '/a', target: '/b', bind: { recursive: 'disabled' } }] }).body.HostConfig!.Mounts).toEqual([
      { Type: 'bind', Source: '/a', Target: '/b', BindOptions: { NonRecursive: true } },
    ]);
  });

  it('fails clearly on attributes Capstan cannot apply', () => {
    expect(() => host({ use_api_socket: true })).toThrow('service "web": use_api_socket is not supported by Capstan');
    // engine- or Capstan-dependent refusals are UNSUPPORTED: bad values are the loader's errors
    expect(() => host({ use_api_socket: true })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => host({ annotations: { a: 'b' } })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => host({ provider: { type: 'model' } })).toThrow('service "web": provider is not supported by Capstan');
    expect(() => host({ models: ['llm'] })).toThrow(/models is not supported by Capstan/);
    expect(() => host({ cpu_count: 2 })).toThrow('service "web": cpu_count is not supported by this engine (linux; Windows only)');
    expect(() => host({ credential_spec: { file: 'spec.json' } })).toThrow(/credential_spec is not supported by this engine/);
    expect(() => host({ volumes: [{ type: 'npipe', source: '\\\\.\\pipe\\x', target: '\\\\.\\pipe\\x' }] })).toThrow(/volume type "npipe" is not supported/);
  });

  it('does not fail on attributes handled elsewhere or Swarm-only deploy keys', () => {
    expect(() =>
      host({
        build: { context: '/work/p' },
        develop: { watch: [] },
        pull_policy: 'always',
        profiles: ['x'],
        scale: 2,
        attach: false,
        'x-custom': 1,
        deploy: { replicas: 2, mode: 'replicated', placement: { constraints: [] }, update_config: { parallelism: 1 }, labels: { a: 'b' } },
      }),
    ).not.toThrow();
  });

  it('maps volume labels and nocopy to VolumeOptions', () => {
    const { body } = host(
      { volumes: [{ type: 'volume', source: 'data', target: '/data', volume: { nocopy: true, labels: { a: 'b' } } }] },
      { volumes: { data: { name: 'shop_data' } } },
    );
    expect(body.HostConfig!.Mounts).toEqual([{ Type: 'volume', Source: 'shop_data', Target: '/data', VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } }]);
  });
});

describe('containerSpec: secrets, configs and hooks', () => {
  const withSecrets = (service: Partial<ServiceConfig>, extra: Partial<Project> = {}) => {
    const p = project('shop', { web: service }, {
      secrets: {
        pw: { name: 'shop_pw', file: '/work/p/pw.txt' },
        token: { name: 'shop_token', environment: 'TOKEN' },
      },
      configs: {
        conf: { name: 'shop_conf', file: '/work/p/app.conf' },
        inline: { name: 'shop_inline', content: 'hello\n' },
      },
      environment: { TOKEN: 's3cret' },
      ...extra,
    });
    return containerSpec({ project: p, service: p.services.web!, replica: 1, configHash: 'h', configDigest: '{}' });
  };

  it('bind-mounts file sources read-only and lists copied files with their ownership and mode', () => {
    const spec = withSecrets({
      secrets: [{ source: 'pw' }, { source: 'token', target: 'api_token', uid: '1000', gid: '1000', mode: '0400' }],
      configs: [{ source: 'conf' }, { source: 'inline', target: '/etc/inline.txt' }],
    });
    expect(spec.body.HostConfig!.Mounts).toEqual([
      { Type: 'bind', Source: '/work/p/pw.txt', Target: '/run/secrets/pw', ReadOnly: true },
      { Type: 'bind', Source: '/work/p/app.conf', Target: '/conf', ReadOnly: true },
    ]);
    expect(spec.files).toEqual([
      { path: '/run/secrets/api_token', content: 's3cret', uid: 1000, gid: 1000, mode: 0o400 },
      { path: '/etc/inline.txt', content: 'hello\n', uid: 0, gid: 0, mode: 0o444 },
    ]);
  });

  it('collects post_start and pre_stop hooks (commands arrive split by the loader)', () => {
    const spec = withSecrets({
      post_start: [{ command: ['sh', '-c', 'echo hi > /tmp/x'], user: 'root', environment: { A: '1', TOKEN: null } }],
      pre_stop: [{ command: ['./drain'], privileged: true, working_dir: '/app' }],
    });
    expect(spec.hooks).toEqual({
      post_start: [{ command: ['sh', '-c', 'echo hi > /tmp/x'], user: 'root', environment: ['A=1', 'TOKEN=s3cret'] }],
      pre_stop: [{ command: ['./drain'], privileged: true, working_dir: '/app' }],
    });
    expect(withSecrets({}).hooks).toBeUndefined();
  });
});
