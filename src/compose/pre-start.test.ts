import { describe, expect, it } from 'vitest';
import { container, converged, empty, project } from '../../test/support/fixtures.js';
import { formatSteps } from './plan.js';
import { planDown, planUp } from './planner.js';
import { planPull } from './pull.js';
import { preStartContainers, preStartImages } from './pre-start.js';
import { Label } from './labels.js';

const hooks = [
  { command: ['sh', '-c', 'echo init > /data/ready'], image: 'tools:1', environment: { STEP: 'one' } },
  { command: ['true'], user: '1000', working_dir: '/data' },
];
const web = { image: 'busybox', scale: 2, environment: { A: '1' }, pre_start: hooks };

describe('pre_start hooks', () => {
  it('run in order after the first replica exists and before any replica starts', async () => {
    const p = project('p', { web });
    const plan = await planUp(p, empty(p, { busybox: 'sha256:bb', 'tools:1': 'sha256:tt' }));
    const steps = formatSteps(plan);
    expect(steps).toContain('run-pre-start:p-web-1-pre_start-1 <- create-container:p-web-1');
    expect(steps).toContain('run-pre-start:p-web-1-pre_start-2 <- run-pre-start:p-web-1-pre_start-1');
    expect(steps).toMatch(/start-container:p-web-1 <- create-container:p-web-1, run-pre-start:p-web-1-pre_start-2/);
    expect(steps).toMatch(/start-container:p-web-2 <- create-container:p-web-2, run-pre-start:p-web-1-pre_start-2/);
    expect(plan.nodes.find((n) => n.name === 'p-web-1-pre_start-1')).toMatchObject({ action: 'run', cause: 'pre_start[0]: no replica of web is running' });
  });

  it('do not run when a replica stays running, and run again when every replica is recreated', async () => {
    const p = project('p', { web });
    const running = converged(p, { busybox: 'sha256:bb', 'tools:1': 'sha256:tt' });
    expect(formatSteps(await planUp(p, running))).not.toContain('run-pre-start');
    const scaled = await planUp(p, running, { scale: { web: 3 } });
    expect(formatSteps(scaled)).not.toContain('run-pre-start');
    expect(formatSteps(await planUp(p, running, { forceRecreate: true }))).toContain('run-pre-start:p-web-1-pre_start-1');
  });

  it('map each hook onto an init container sharing the first replica\'s volumes and networks', () => {
    const p = project('p', { web });
    const [first, second] = preStartContainers(p, p.services.web!, 'p-web-1');
    expect(first!.body).toMatchObject({
      Image: 'tools:1',
      Cmd: ['sh', '-c', 'echo init > /data/ready'],
      Env: ['A=1', 'STEP=one'],
      Labels: { [Label.project]: 'p', [Label.service]: 'web', [Label.hook]: 'pre_start' },
      HostConfig: { VolumesFrom: ['p-web-1'], NetworkMode: 'p_default' },
    });
    expect(first!.body.Labels![Label.containerNumber]).toBeUndefined();
    expect(second!.body).toMatchObject({ Image: 'busybox', User: '1000', WorkingDir: '/data' });
    expect(() => preStartContainers(project('p', { web: { image: 'x', pre_start: [{ command: ['true'], per_replica: true }] } }), project('p', { web: { image: 'x', pre_start: [{ command: ['true'], per_replica: true }] } }).services.web!, 'p-web-1')).toThrow(/per_replica is not supported/);
  });

  it('pull the hook images under the service policy, build read as missing', async () => {
    const p = project('p', { web, app: { image: 'busybox', pull_policy: 'build', build: { context: '/work/p' }, pre_start: [{ command: ['true'], image: 'tools:1' }] } });
    expect(preStartImages(p, p.services.web!)).toEqual(['tools:1']);
    const plan = await planUp(p, empty(p, { busybox: 'sha256:bb' }), { services: ['web'] });
    expect(plan.nodes.find((n) => n.name === 'tools:1')).toMatchObject({ action: 'pull', cause: 'image missing (pre_start image of web)' });
    expect(formatSteps(plan)).toMatch(/create-container:p-web-1 <- .*pull-image:tools:1/);
    expect(formatSteps(await planUp(p, empty(p, { busybox: 'sha256:bb', 'tools:1': 'sha256:tt' }), { services: ['web'] }))).not.toContain('pull-image:tools:1');
    // `pull` pulls them too
    expect(formatSteps(planPull(p, [p.services.web!], { images: new Map() }))).toContain('pull-image:tools:1');
  });

  it('down removes the hook containers a failed run kept', () => {
    const p = project('p', { web });
    const observed = converged(p);
    observed.hookContainers = [container(p, p.services.web!, 0, { name: 'p-web-1-pre_start-1', state: 'exited', labels: { [Label.project]: 'p', [Label.service]: 'web', [Label.hook]: 'pre_start' }, hook: 'pre_start' })];
    const steps = formatSteps(planDown(p, observed));
    expect(steps).toContain('remove-container:p-web-1-pre_start-1');
    expect(steps).toMatch(/remove-network:p_default <- .*remove-container:p-web-1-pre_start-1/);
  });
});
