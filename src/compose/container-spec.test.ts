import { describe, expect, it } from 'vitest';
import { project } from '../../test/support/fixtures.js';
import { containerSpec } from './container-spec.js';
import type { ServiceConfig } from '../model/types.js';

const spec = (service: Partial<ServiceConfig>, extra = {}) => {
  const p = project('shop', { web: service }, extra);
  return containerSpec({ project: p, service: p.services.web!, replica: 2, name: 'shop-web-2', configHash: 'h', configDigest: '{}' });
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
    expect(() => spec({ healthcheck: { interval: 'soon' } })).toThrow(/healthcheck.interval: "soon" is not a duration/);
  });

  it('maps restart policies, including deploy.restart_policy', () => {
    expect(spec({ restart: 'unless-stopped' }).body.HostConfig!.RestartPolicy).toEqual({ Name: 'unless-stopped' });
    expect(spec({ restart: 'on-failure:3' }).body.HostConfig!.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(spec({}).body.HostConfig!.RestartPolicy).toEqual({ Name: 'no' });
    expect(spec({ deploy: { restart_policy: { condition: 'on-failure', max_attempts: 2 } } }).body.HostConfig!.RestartPolicy).toEqual({
      Name: 'on-failure',
      MaximumRetryCount: 2,
    });
    expect(() => spec({ restart: 'sometimes' })).toThrow(/invalid restart policy "sometimes"/);
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

  it('joins the first network at create with the service name as alias, the others after', () => {
    const result = spec(
      { networks: { front: { aliases: ['www'] }, back: { priority: 10, ipv4_address: '10.5.0.9' } } },
      { networks: { front: { name: 'shop_front' }, back: { name: 'shop_back' } } },
    );
    expect(result.body.HostConfig!.NetworkMode).toBe('shop_back');
    expect(result.body.NetworkingConfig).toEqual({
      EndpointsConfig: { shop_back: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.5.0.9' } } },
    });
    expect(result.extraNetworks).toEqual([{ network: 'shop_front', endpoint: { Aliases: ['web', 'www'] } }]);
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
