import { describe, expect, it } from 'vitest';
import { empty, project } from '../../test/support/fixtures.js';
import { formatSteps } from './plan.js';
import { planBuild, planUp } from './planner.js';
import { LayerProgress, planPull, planPush, pullReason } from './pull.js';

const DAY = 24 * 3600 * 1000;

describe('pull policies', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const present = (ago: number) => ({ images: new Map([['r/x:1', 'sha256:a']]), imageTimes: new Map([['r/x:1', now - ago]]) });
  const absent = { images: new Map<string, string | undefined>() };
  const svc = (pull_policy?: string) => ({ name: 'app', image: 'r/x:1', ...(pull_policy ? { pull_policy } : {}) });

  it('decides each policy from presence and the last pull time', () => {
    expect(pullReason(svc(), 'r/x:1', absent, undefined, now)).toBe('image missing');
    expect(pullReason(svc(), 'r/x:1', present(0), undefined, now)).toBe('');
    expect(pullReason(svc('if_not_present'), 'r/x:1', present(0), undefined, now)).toBe('');
    expect(pullReason(svc('always'), 'r/x:1', present(0), undefined, now)).toBe('pull_policy: always');
    expect(pullReason(svc('never'), 'r/x:1', absent, undefined, now)).toBe('');
    expect(pullReason(svc('build'), 'r/x:1', absent, undefined, now)).toBe('');
    expect(pullReason(svc('daily'), 'r/x:1', present(DAY / 2), undefined, now)).toBe('');
    expect(pullReason(svc('daily'), 'r/x:1', present(2 * DAY), undefined, now)).toBe('pull_policy: daily (last pulled more than 1d ago)');
    expect(pullReason(svc('weekly'), 'r/x:1', present(3 * DAY), undefined, now)).toBe('');
    expect(pullReason(svc('every_12h'), 'r/x:1', present(DAY), undefined, now)).toBe('pull_policy: every_12h (last pulled more than 12h ago)');
    expect(pullReason(svc('daily'), 'r/x:1', absent, undefined, now)).toBe('image missing');
    // --pull overrides the service's policy; `policy` keeps it
    expect(pullReason(svc('never'), 'r/x:1', present(0), 'always', now)).toBe('--pull always');
    expect(pullReason(svc('always'), 'r/x:1', present(0), 'missing', now)).toBe('');
    expect(pullReason(svc('always'), 'r/x:1', present(0), 'policy', now)).toBe('pull_policy: always');
    expect(() => pullReason(svc('every_x'), 'r/x:1', absent, undefined, now)).toThrow(/not a valid policy/);
  });

  it('up plans one pull per image before the containers, builds on failure when buildable, and says why a container is recreated', async () => {
    const p = project('p', {
      a: { image: 'reg:5000/x:1' },
      b: { image: 'reg:5000/x:1' },
      c: { image: 'reg:5000/y:1', build: { context: '/work/p' } },
      d: { image: undefined, build: { context: '/work/p' } },
    });
    const plan = await planUp(p, empty(p, {}));
    const steps = formatSteps(plan);
    expect(steps.match(/pull-image:reg:5000\/x:1/g)?.length).toBe(3); // the step and two containers waiting on it
    expect(steps).toContain('create-container:p-a-1 <- create-network:p_default, pull-image:reg:5000/x:1');
    expect(steps).not.toContain('pull-image:p-d');
    const c = plan.steps.find((s) => s.id === 'pull-image:reg:5000/y:1')!;
    expect(c.op).toMatchObject({ type: 'pull-image', build: { tags: ['reg:5000/y:1'] } });
    expect(plan.nodes.find((n) => n.name === 'reg:5000/y:1')).toMatchObject({ action: 'pull', cause: 'image missing (built if the pull fails)' });
    // --pull never: nothing pulled, the image without build is missing
    await expect(planUp(p, empty(p, {}), { pull: 'never', services: ['a'] })).rejects.toThrow(/not present locally/);
    // --build: the buildable service is built, not pulled
    expect(formatSteps(await planUp(p, empty(p, {}), { build: true }))).not.toContain('pull-image:reg:5000/y:1');
  });
});

describe('planPull and planPush', () => {
  const p = project('p', {
    a: { image: 'reg/x:1' },
    b: { image: 'reg/y:1', pull_policy: 'never' },
    c: { image: 'reg/z:1', build: { context: '/work/p' } },
    d: { image: undefined, build: { context: '/work/p' } },
  });
  const images = new Map([['reg/x:1', 'sha256:x']]);

  it('pulls every image by default, skips present ones with --policy missing and buildable ones on request', () => {
    const all = planPull(p, Object.values(p.services), { images });
    expect(all.steps.map((s) => s.id)).toEqual(['pull-image:reg/x:1', 'pull-image:reg/z:1']);
    expect(all.steps[1]!.op).toMatchObject({ ignoreFailure: true }); // buildable: a failure only warns
    expect(all.nodes.find((n) => n.name === 'reg/y:1')).toMatchObject({ action: 'up to date', cause: 'skipped: pull_policy never' });
    const missing = planPull(p, Object.values(p.services), { images }, { policy: 'missing', ignoreBuildable: true });
    // --policy replaces every pull_policy: the absent reg/y:1 is pulled, the present reg/x:1 not (no request)
    expect(missing.steps.map((s) => s.id)).toEqual(['pull-image:reg/y:1']);
    expect(missing.nodes.find((n) => n.name === 'reg/x:1')?.cause).toBe('image already present locally');
    expect(planPull(p, [p.services.a!], { images: new Map() }, { policy: 'missing' }).steps.map((s) => s.id)).toEqual(['pull-image:reg/x:1']);
  });

  it('pushes only services with build and image', () => {
    const plan = planPush(p, Object.values(p.services), { ignorePushFailures: true });
    expect(plan.steps.map((s) => s.id)).toEqual(['push-image:reg/z:1']);
    expect(plan.steps[0]!.op).toMatchObject({ ignoreFailure: true });
  });

  it('build --push pushes each built image that has a name, after its build', () => {
    const plan = planBuild(p, ['c', 'd'], new Map(), undefined, true);
    expect(formatSteps(plan)).toBe(['build-image:reg/z:1', 'build-image:p-d', 'push-image:reg/z:1 <- build-image:reg/z:1'].join('\n'));
  });
});

describe('LayerProgress', () => {
  it('sums bytes over layers and counts finished ones', () => {
    const l = new LayerProgress();
    expect(l.update({ status: 'Pulling from x', id: '1' })).toBe(false);
    l.update({ status: 'Pulling fs layer', id: 'a' });
    l.update({ status: 'Downloading', id: 'a', progressDetail: { current: 10, total: 100 } });
    l.update({ status: 'Downloading', id: 'b', progressDetail: { current: 5, total: 50 } });
    expect(l.totals()).toEqual({ current: 15, total: 150, layers: 2, layersDone: 0 });
    l.update({ status: 'Pull complete', id: 'a' });
    expect(l.totals()).toEqual({ current: 105, total: 150, layers: 2, layersDone: 1 });
  });
});

describe('the pull-image step', () => {
  const step = (op: Record<string, unknown>) => ({ id: 'pull-image:x', dependsOn: [], cause: '', op: { type: 'pull-image', service: 'app', image: 'reg:5000/x:1', ...op } }) as never;

  it('pulls with the registry credentials, emits Pulling/pull-progress/Pulled and records the ID', async () => {
    const { stepRunner } = await import('./operations.js');
    const seen: unknown[] = [];
    const engine = {
      async *pullImage(ref: string, options: { auth?: unknown }) {
        seen.push({ ref, auth: options.auth });
        yield { status: 'Downloading', id: 'l1', progressDetail: { current: 5, total: 10 } };
        yield { status: 'Pull complete', id: 'l1' };
      },
      inspectImage: async () => ({ Id: 'sha256:new' }),
    };
    const events: Array<{ type: string; status?: string; current?: number }> = [];
    const images = new Map<string, string>();
    const auth = async (registry: string) => ({ username: 'u', password: 'p', serveraddress: registry });
    await stepRunner(engine as never, (e) => events.push(e as never), images, { auth })(step({}), new AbortController().signal);
    expect(seen).toEqual([{ ref: 'reg:5000/x:1', auth: { username: 'u', password: 'p', serveraddress: 'reg:5000' } }]);
    expect(images.get('reg:5000/x:1')).toBe('sha256:new');
    expect(events.map((e) => e.status ?? `${e.type}:${e.current}`)).toEqual(['Pulling', 'pull-progress:5', 'pull-progress:10', 'Pulled']);
  });

  it('a failed pull only warns with ignoreFailure, and fails the step otherwise', async () => {
    const { stepRunner } = await import('./operations.js');
    const { EngineError } = await import('../errors.js');
    const engine = {
      // eslint-disable-next-line require-yield
      async *pullImage() {
        throw new EngineError(404, 'manifest unknown', 'pull reg:5000/x:1');
      },
      inspectImage: async () => undefined,
    };
    const events: Array<{ type: string; message?: string }> = [];
    const run = stepRunner(engine as never, (e) => events.push(e as never), new Map(), { auth: async () => undefined });
    await run(step({ ignoreFailure: true }), new AbortController().signal);
    expect(events.at(-1)).toMatchObject({ type: 'warning', message: expect.stringMatching(/pull reg:5000\/x:1 failed: .*manifest unknown/) });
    await expect(run(step({}), new AbortController().signal)).rejects.toThrow(/manifest unknown/);
  });
});

describe('type: image volume sources', () => {
  it('are pulled when absent (the mount itself is refused later by container-spec: Capstan does not mount them yet)', async () => {
    const { PlanBuilder } = await import('./plan.js');
    const { planPulls } = await import('./pull.js');
    const p = project('p', { app: { image: 'reg/app:1', volumes: [{ type: 'image', source: 'reg/data:1', target: '/data' }] } });
    const b = new PlanBuilder('p');
    const pulls = planPulls(b, p, { images: new Map([['reg/app:1', 'sha256:a']]) }, [p.services.app!], {});
    expect([...pulls.steps.keys()]).toEqual(['reg/data:1']);
    expect(b.plan().nodes[0]).toMatchObject({ resource: 'image', name: 'reg/data:1', action: 'pull', cause: 'image missing (volume source of app)' });
  });
});
