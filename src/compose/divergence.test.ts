import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { converged, project } from '../../test/support/fixtures.js';
import { networkDifferences, volumeDifferences } from './divergence.js';
import { Label } from './labels.js';
import { formatPlan, formatSteps } from './plan.js';
import { planUp } from './planner.js';

describe('networkDifferences', () => {
  it('agrees with the engine defaults when the file sets nothing', () => {
    expect(networkDifferences({ name: 'p_default' }, { Name: 'p_default', Driver: 'bridge', IPAM: { Driver: 'default', Config: [{ Subnet: '172.18.0.0/16' }] }, Options: {}, Labels: { [Label.project]: 'p' } })).toEqual([]);
  });
  it('names each drifted attribute', () => {
    expect(
      networkDifferences(
        { name: 'n', internal: true, driver_opts: { 'com.docker.network.driver.mtu': '1400' }, labels: { tier: 'back' }, ipam: { config: [{ subnet: '10.9.0.0/24' }] } },
        { Name: 'n', Driver: 'bridge', Internal: false, Options: {}, IPAM: { Driver: 'default', Config: [{ Subnet: '10.8.0.0/24' }] }, Labels: { tier: 'front', [Label.project]: 'p' } },
      ),
    ).toEqual(['driver_opts.com.docker.network.driver.mtu', 'internal', 'ipam.config', 'labels.tier']);
  });
});

describe('volumeDifferences', () => {
  it('treats a missing driver as local and ignores compose labels', () => {
    expect(volumeDifferences({ name: 'v' }, { Name: 'v', Driver: 'local', Mountpoint: '', Scope: 'local', Options: {}, Labels: { [Label.project]: 'p' } })).toEqual([]);
  });
  it('names changed driver options', () => {
    expect(volumeDifferences({ name: 'v', driver_opts: { type: 'tmpfs', device: 'tmpfs' } }, { Name: 'v', Driver: 'local', Mountpoint: '', Scope: 'local', Options: { type: 'tmpfs' }, Labels: {} })).toEqual(['driver_opts.device']);
  });
});

describe('planUp with a diverged network', () => {
  const app = () =>
    project('p', { web: { image: 'busybox', networks: { back: {} } }, other: { image: 'busybox', networks: { back: {} } } }, { networks: { back: { name: 'p_back', internal: true } } });
  const observedWithOldNetwork = () => {
    const p = app();
    const observed = converged(p);
    observed.networks.set('p_back', {
      name: 'p_back',
      id: 'n1',
      labels: { [Label.project]: 'p', [Label.configHash]: 'old' },
      managed: true,
      network: { Name: 'p_back', Driver: 'bridge', Internal: false, Options: {}, IPAM: { Driver: 'default' }, Labels: { [Label.project]: 'p' } },
    });
    return { p, observed };
  };

  it('stops, disconnects, recreates the network, reconnects and restarts; containers are kept', async () => {
    const { p, observed } = observedWithOldNetwork();
    const plan = await planUp(p, observed);
    expect(formatPlan(plan)).toContain('network    p_back     recreate  config changed: internal');
    expect(formatPlan(plan)).toContain('container  p-web-1    restart   network p_back recreated');
    const steps = formatSteps(plan).split('\n');
    expect(steps).toContain('remove-network:p_back <- disconnect-network:p_back:p-other-1, disconnect-network:p_back:p-web-1');
    expect(steps).toContain('create-network:p_back <- remove-network:p_back');
    expect(steps).toContain('disconnect-network:p_back:p-web-1 <- stop-container:p-web-1');
    expect(steps).toContain('connect-network:p_back:p-web-1 <- create-network:p_back, disconnect-network:p_back:p-web-1');
    expect(steps).toContain('start-container:p-web-1 <- connect-network:p_back:p-web-1');
    expect(plan.steps.some((s) => s.op.type === 'create-container' || s.op.type === 'remove-container')).toBe(false);
    const connect = plan.steps.find((s) => s.id === 'connect-network:p_back:p-web-1')!;
    expect(connect.op.type === 'connect-network' && connect.op.endpoint?.Aliases).toEqual(['p-web-1', 'web']);
  });

  it('a container recreated on a recreated network goes first (no cycle)', async () => {
    const { p, observed } = observedWithOldNetwork();
    p.services.web!.environment = { A: '1' };
    const steps = formatSteps(await planUp(p, observed)).split('\n');
    expect(steps).toContain('remove-container:p-web-1 <- stop-container:p-web-1');
    expect(steps).toContain('create-container:p-web-1 <- create-network:p_back, remove-container:p-web-1');
    expect(steps.find((s) => s.startsWith('remove-network:p_back'))).toContain('remove-container:p-web-1');
  });

  it('keeps a network whose hash differs when the engine shows the same configuration (created by docker compose)', async () => {
    const { observed } = observedWithOldNetwork();
    const same = project('p', { web: { image: 'busybox', networks: { back: {} } }, other: { image: 'busybox', networks: { back: {} } } }, { networks: { back: { name: 'p_back' } } });
    expect((await planUp(same, observed)).steps).toEqual([]);
  });
});

describe('planUp with a diverged volume', () => {
  const app = () => project('p', { db: { image: 'busybox', volumes: [{ type: 'volume' as const, source: 'data', target: '/data' }] } }, { volumes: { data: { name: 'p_data', driver_opts: { type: 'tmpfs', device: 'tmpfs' } } } });
  const observedWithOldVolume = () => {
    const p = app();
    const observed = converged(p);
    observed.volumes.set('p_data', { name: 'p_data', id: 'p_data', labels: { [Label.project]: 'p', [Label.configHash]: 'old' }, managed: true, volume: { Name: 'p_data', Driver: 'local', Mountpoint: '', Scope: 'local', Options: {}, Labels: {} } });
    return { p, observed };
  };

  it('refuses without -y, naming the volume and what changed', async () => {
    const { p, observed } = observedWithOldVolume();
    let err: unknown;
    try {
      await planUp(p, observed);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe('CONFLICT');
    expect((err as CapstanError).message).toBe(
      `volume "p_data" exists but doesn't match the configuration in the compose file (changed: driver_opts.device, driver_opts.type); recreating it deletes its data`,
    );
  });

  it('with -y removes the container, recreates the volume, then creates the container again', async () => {
    const { p, observed } = observedWithOldVolume();
    const plan = await planUp(p, observed, { yes: true });
    expect(formatPlan(plan)).toMatch(/container +p-db-1 +recreate +volume p_data recreated/);
    expect(formatSteps(plan).split('\n')).toEqual([
      'remove-volume:p_data <- remove-container:p-db-1',
      'create-volume:p_data <- remove-volume:p_data',
      'stop-container:p-db-1',
      'remove-container:p-db-1 <- stop-container:p-db-1',
      'create-container:p-db-1 <- create-volume:p_data, remove-container:p-db-1',
      'start-container:p-db-1 <- create-container:p-db-1',
    ]);
  });
});
