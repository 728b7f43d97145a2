import { describe, expect, it } from 'vitest';
import { container, converged, project } from '../../../test/support/fixtures.js';
import { formatCauses, formatPlan } from '../plan.js';
import { planKill, planPause, planRestart, planRm, planStart, planStopVerb, planUnpause } from './lifecycle.js';

/** `app`: api depends on db with `restart: true`, worker depends on db without it. */
const app = project('app', {
  db: {},
  api: { depends_on: { db: { condition: 'service_started', required: true, restart: true } } },
  worker: { depends_on: { db: { condition: 'service_started', required: true } } },
});
const ids = (name: string): string => converged(app).containers.find((c) => c.name === name)!.id;

describe('lifecycle plans', () => {
  it('stop: dependents first, -t passed on', () => {
    const plan = planStopVerb(app, converged(app), { timeoutSeconds: 1 });
    expect(formatCauses(plan)).toBe(
      [
        'stop-container:app-worker-1  # stop',
        'stop-container:app-api-1  # stop',
        'stop-container:app-db-1 <- stop-container:app-api-1, stop-container:app-worker-1  # stop',
      ].join('\n'),
    );
    expect(plan.steps.every((s) => s.op.type === 'stop-container' && s.op.timeoutSeconds === 1)).toBe(true);
  });

  it('an unknown service is refused by every verb', () => {
    const observed = converged(app);
    for (const plan of [planStopVerb, planStart, planRestart, planKill, planPause, planUnpause, planRm]) {
      expect(() => plan(app, observed, { services: ['nope'] })).toThrow('no such service: nope');
    }
  });

  it('start: only stopped containers, dependencies first', () => {
    const observed = converged(app);
    for (const c of observed.containers) c.state = c.service === 'worker' ? 'running' : 'exited';
    const plan = planStart(app, observed);
    expect(formatCauses(plan)).toBe(
      ['start-container:app-db-1  # start', 'start-container:app-api-1 <- start-container:app-db-1  # start'].join('\n'),
    );
    expect(formatPlan(plan)).toContain('container  app-api-1  start');
  });

  it('start waits for a service_healthy dependency', () => {
    const p = project('hw', { db: {}, web: { depends_on: { db: { condition: 'service_healthy', required: true } } } });
    const observed = converged(p);
    for (const c of observed.containers) c.state = 'exited';
    expect(formatCauses(planStart(p, observed))).toBe(
      [
        'start-container:hw-db-1  # start',
        'wait-healthy:db <- start-container:hw-db-1  # depends_on db: service_healthy',
        'start-container:hw-web-1 <- wait-healthy:db  # start',
      ].join('\n'),
    );
    observed.containers.find((c) => c.service === 'db')!.state = 'running';
    expect(formatCauses(planStart(p, observed, { services: ['web'] }))).toBe(
      ['wait-healthy:db  # depends_on db: service_healthy', 'start-container:hw-web-1 <- wait-healthy:db  # start'].join('\n'),
    );
  });

  it('restart db: restarts api (restart: true) after db, not worker', () => {
    const plan = planRestart(app, converged(app), { services: ['db'], timeoutSeconds: 2 });
    expect(formatCauses(plan)).toBe(
      [
        'stop-container:app-db-1  # restart',
        'start-container:app-db-1 <- stop-container:app-db-1  # restart',
        'stop-container:app-api-1 <- start-container:app-db-1  # depends_on db: restart: true',
        'start-container:app-api-1 <- stop-container:app-api-1  # depends_on db: restart: true',
      ].join('\n'),
    );
    expect(formatPlan(plan)).toContain('app-api-1  restart  depends_on db: restart: true');
  });

  it('restart db: api (restart: true, service_healthy) restarts once db is healthy again', () => {
    const shop = project('shop', {
      db: { healthcheck: { test: ['CMD', 'true'] } },
      api: { depends_on: { db: { condition: 'service_healthy', required: true, restart: true } } },
    });
    expect(formatCauses(planRestart(shop, converged(shop), { services: ['db'] }))).toBe(
      [
        'stop-container:shop-db-1  # restart',
        'start-container:shop-db-1 <- stop-container:shop-db-1  # restart',
        'wait-healthy:db <- start-container:shop-db-1  # depends_on db: service_healthy',
        'stop-container:shop-api-1 <- wait-healthy:db  # depends_on db: restart: true',
        'start-container:shop-api-1 <- stop-container:shop-api-1  # depends_on db: restart: true',
      ].join('\n'),
    );
  });

  it('restart --no-deps: only the named service', () => {
    const plan = planRestart(app, converged(app), { services: ['db'], noDeps: true });
    expect(plan.nodes.map((n) => n.name)).toEqual(['app-db-1']);
  });

  it('restart of a stopped container only starts it', () => {
    const observed = converged(app);
    observed.containers.find((c) => c.service === 'worker')!.state = 'exited';
    expect(formatCauses(planRestart(app, observed, { services: ['worker'] }))).toBe('start-container:app-worker-1  # restart');
  });

  it('kill: running containers with the signal; orphans only with --remove-orphans', () => {
    const observed = converged(app);
    observed.containers.find((c) => c.service === 'worker')!.state = 'exited';
    const gone = project('app', { old: {} });
    observed.containers.push(container(app, gone.services.old!, 1));
    const plan = planKill(app, observed, { killSignal: 'SIGUSR1' });
    expect(formatCauses(plan)).toBe(['kill-container:app-db-1  # kill', 'kill-container:app-api-1  # kill'].join('\n'));
    expect(plan.steps[0]!.op).toEqual({ type: 'kill-container', service: 'db', name: 'app-db-1', id: ids('app-db-1'), signal: 'SIGUSR1' });
    expect(formatCauses(planKill(app, observed, { removeOrphans: true }))).toContain(
      'kill-container:app-old-1  # orphan: service not in the compose file',
    );
  });

  it('pause running, unpause paused', () => {
    const observed = converged(app);
    observed.containers.find((c) => c.service === 'api')!.state = 'paused';
    expect(formatCauses(planPause(app, observed))).toBe(['pause-container:app-db-1  # pause', 'pause-container:app-worker-1  # pause'].join('\n'));
    expect(formatCauses(planUnpause(app, observed))).toBe('unpause-container:app-api-1  # unpause');
    expect(formatCauses(planPause(app, observed, { services: ['api'] }))).toBe('');
  });

  it('pause/unpause leave one-off run containers alone (compose: oneOffExclude)', () => {
    const observed = converged(app);
    observed.containers.push(container(app, app.services.db!, 2, { oneoff: true, state: 'running', name: 'app-db-run-1' }));
    expect(formatCauses(planPause(app, observed, { services: ['db'] }))).toBe('pause-container:app-db-1  # pause');
    for (const c of observed.containers) c.state = 'paused';
    expect(formatCauses(planUnpause(app, observed, { services: ['db'] }))).toBe('unpause-container:app-db-1  # unpause');
  });

  it('stop stops running one-off run containers too (compose: oneOffInclude)', () => {
    const observed = converged(app);
    observed.containers.push(container(app, app.services.db!, 2, { oneoff: true, state: 'running', name: 'app-db-run-1' }));
    expect(formatCauses(planStopVerb(app, observed, { services: ['db'] }))).toBe(
      ['stop-container:app-db-1  # stop', 'stop-container:app-db-run-1  # stop'].join('\n'),
    );
  });

  it('rm: stopped containers only; -s stops running ones first; -v removes anonymous volumes', () => {
    const observed = converged(app);
    observed.containers.find((c) => c.service === 'worker')!.state = 'exited';
    observed.containers.push(container(app, app.services.worker!, 2, { oneoff: true, state: 'exited', name: 'app-worker-run-1' }));
    expect(formatCauses(planRm(app, observed))).toBe('remove-container:app-worker-1  # rm');
    const plan = planRm(app, observed, { stop: true, volumes: true, services: ['db', 'worker'] });
    expect(formatCauses(plan)).toBe(
      [
        'stop-container:app-db-1  # rm -s',
        'remove-container:app-db-1 <- stop-container:app-db-1  # rm -v',
        'remove-container:app-worker-1  # rm -v',
      ].join('\n'),
    );
    expect(plan.steps.filter((s) => s.op.type === 'remove-container').every((s) => s.op.type === 'remove-container' && s.op.volumes)).toBe(true);
  });
});
