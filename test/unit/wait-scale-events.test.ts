import { describe, expect, it } from 'vitest';
import { Compose } from '../../src/compose/compose.js';
import type { LogExit, LogLine } from '../../src/compose/logs.js';
import { formatPlan } from '../../src/compose/plan.js';
import { formatEventJson, formatEventText, toComposeEvent, type ProjectEvent } from '../../src/compose/verbs/events.js';
import { parseReplicas } from '../../src/compose/verbs/scale.js';
import { engineTime, parseDuration } from '../../src/compose/verbs/timestamps.js';
import { FakeEngine } from '../support/fake-engine.js';
import { project } from '../support/fixtures.js';

/**
 * `wait`, `scale`, `events` and `logs` (`--since`/`--until`/`--index`, `-f` following containers
 * that start later) against the fake engine.
 */

/** `app`: web depends on db. */
const app = () => project('app', { web: { depends_on: { db: { condition: 'service_started', required: true } } }, db: {} });

function setup(): { fake: FakeEngine; compose: Compose } {
  const fake = new FakeEngine({ images: ['busybox'] });
  return { fake, compose: new Compose({ engine: fake }) };
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

/** Resolves once `check` holds, polling the event loop. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe('scale', () => {
  it('plans through up\'s planner: --dry-run changes nothing, then it creates and removes replicas', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true });
    const before = fake.containerNames().sort();
    fake.clearCalls();
    const dry = await compose.scale(app(), { replicas: { web: 3 }, dryRun: true });
    expect(fake.writes()).toEqual([]);
    expect(fake.containerNames().sort()).toEqual(before);
    const text = formatPlan(dry);
    expect(text).toContain('app-web-2');
    expect(text).toContain('app-web-3');
    await compose.scale(app(), { replicas: { web: 3 } });
    expect((await compose.ps('app', { services: ['web'] })).map((r) => r.name)).toEqual(['app-web-1', 'app-web-2', 'app-web-3']);
    await compose.scale(app(), { replicas: { web: 1 } });
    expect((await compose.ps('app', { all: true, services: ['web'] })).map((r) => r.name)).toEqual(['app-web-1']);
  });

  it('recreates a replica whose configuration changed, as compose\'s scale (create with the diverged policy)', async () => {
    const { compose } = setup();
    await compose.up(app(), { detach: true });
    const changed = project('app', { web: { environment: { NEW: '1' }, depends_on: { db: { condition: 'service_started', required: true } } }, db: {} });
    const text = formatPlan(await compose.scale(changed, { replicas: { web: 2 }, dryRun: true }));
    expect(text).toMatch(/app-web-1 +recreate/);
    expect(text).toMatch(/app-web-2 +create/);
    expect(text).toMatch(/app-db-1 +up to date/);
  });

  it('--no-deps leaves the dependencies alone', async () => {
    const { fake, compose } = setup();
    await compose.scale(app(), { replicas: { web: 2 }, noDeps: true });
    expect(fake.containerNames().sort()).toEqual(['app-web-1', 'app-web-2']);
  });

  it('refuses unknown services and bad SVC=N operands', async () => {
    const { compose } = setup();
    expect(await failure(compose.scale(app(), { replicas: { nope: 2 } }))).toMatchObject({ code: 'USAGE', message: 'no such service: nope' });
    expect(parseReplicas(['web=2', 'db=0', 'web=3'])).toEqual({ web: 3, db: 0 });
    expect(() => parseReplicas(['web'])).toThrow('invalid scale specifier: web');
    expect(() => parseReplicas(['=2'])).toThrow('invalid scale specifier: =2');
    expect(() => parseReplicas(['web=x'])).toThrow("can't parse replica value as int: web=x");
    expect(() => parseReplicas(['web=-1'])).toThrow('invalid scale specifier');
  });
});

describe('wait', () => {
  it('resolves the exit code of the last container to stop, after all of them stopped (compose\'s wait.go)', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true });
    const exits: string[] = [];
    const waiting = compose.wait(app(), { services: ['web', 'db'], onExit: (e) => exits.push(`${e.name} ${e.exitCode}`) });
    await until(() => fake.journal(['waitContainer']).length === 2);
    fake.exit('app-web-1', 3);
    await until(() => exits.length === 1);
    fake.exit('app-db-1', 0);
    const result = await waiting;
    // compose keeps each container's status as it stops: the last one's is the exit code
    expect(result.exitCode).toBe(0);
    expect(exits).toEqual(['app-web-1 3', 'app-db-1 0']);
  });

  it('--down-project takes the project down once the containers stopped (all of them, as compose\'s wait.go)', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true });
    let done = false;
    const waiting = compose.wait(app(), { services: ['web', 'db'], downProject: true }).finally(() => (done = true));
    await until(() => fake.journal(['waitContainer']).length === 2);
    fake.exit('app-web-1', 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(fake.containerNames().sort()).toEqual(['app-db-1', 'app-web-1']);
    fake.exit('app-db-1', 5);
    expect((await waiting).exitCode).toBe(5);
    expect(fake.containerNames()).toEqual([]);
    expect(fake.networkNames()).not.toContain('app_default');
  });

  it('--down-project with --dry-run waits for real but only plans the teardown', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true });
    const waiting = compose.wait(app(), { services: ['web', 'db'], downProject: true, dryRun: true });
    await until(() => fake.journal(['waitContainer']).length === 2);
    fake.exit('app-db-1', 5);
    fake.exit('app-web-1', 0);
    const result = await waiting;
    expect(result.exitCode).toBe(0);
    expect(result.down?.nodes.map((n) => `${n.resource} ${n.name} ${n.action}`)).toContain('network app_default remove');
    expect(fake.containerNames()).toContain('app-web-1');
    expect(fake.networkNames()).toContain('app_default');
  });

  it('refuses unknown services, and a project without running containers', async () => {
    const { compose } = setup();
    expect(await failure(compose.wait(app(), { services: ['x'] }))).toMatchObject({ message: 'no such service: x' });
    expect(await failure(compose.wait(app(), { services: ['web'] }))).toMatchObject({ code: 'NOT_FOUND', message: 'no containers for project "app"' });
  });
});

describe('events', () => {
  it('streams the project\'s container events in compose\'s shape, services filtered, until aborted', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true });
    const seen: ProjectEvent[] = [];
    const stop = new AbortController();
    const streaming = compose.events(app(), (e) => seen.push(e), { services: ['web'], signal: stop.signal });
    await until(() => fake.journal(['events']).length === 1);
    await compose.restart(app());
    await until(() => seen.some((e) => e.action === 'start'));
    stop.abort();
    await streaming;
    expect(seen.every((e) => e.service === 'web' && e.type === 'container')).toBe(true);
    expect(seen.map((e) => e.action)).toContain('stop');
    const start = seen.find((e) => e.action === 'start')!;
    expect(start.attributes).toMatchObject({ name: 'app-web-1', image: 'busybox' });
    expect(Object.keys(start.attributes).some((k) => k.startsWith('com.docker.compose.'))).toBe(false);
  });

  it('--since replays and --until ends the stream', async () => {
    const { compose } = setup();
    const since = String(Date.now() / 1000 - 1);
    await compose.up(app(), { detach: true });
    const seen: ProjectEvent[] = [];
    await compose.events(app(), (e) => seen.push(e), { since, until: String(Date.now() / 1000 + 0.05) });
    expect(seen.filter((e) => e.action === 'start').map((e) => e.attributes.name).sort()).toEqual(['app-db-1', 'app-web-1']);
  });

  it('prints compose\'s text line and JSON object; one-off containers are left out', () => {
    const attrs = { 'com.docker.compose.service': 'web', 'com.docker.compose.project': 'app', name: 'app-web-1', image: 'busybox' };
    const nano = Date.UTC(2026, 0, 2, 3, 4, 5, 678) * 1e6 + 123;
    const event = toComposeEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: attrs }, time: Math.floor(nano / 1e9), timeNano: nano })!;
    expect(event).toMatchObject({ type: 'container', action: 'start', id: 'abc', service: 'web', attributes: { image: 'busybox', name: 'app-web-1' } });
    expect(formatEventText(event)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.678\d{3} container start abc \(image=busybox, name=app-web-1\)$/);
    const json = JSON.parse(formatEventJson(event)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['action', 'attributes', 'id', 'service', 'time', 'type']);
    expect(new Date(json.time as string).getTime()).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(toComposeEvent({ Type: 'container', Action: 'start', Actor: { ID: 'x', Attributes: { ...attrs, 'com.docker.compose.oneoff': 'True' } } })).toBeUndefined();
    expect(toComposeEvent({ Type: 'network', Action: 'create', Actor: { ID: 'x', Attributes: attrs } })).toBeUndefined();
  });
});

describe('logs', () => {
  it('-f also follows a container that starts later, and a restarted one, and ends when the project is gone', async () => {
    const { fake, compose } = setup();
    fake.behave('web', { output: 'hello\n' });
    await compose.up(app(), { detach: true });
    const lines: LogLine[] = [];
    let done = false;
    const following = compose.logs('app', (l) => lines.push(l), { follow: true }).then(() => (done = true));
    await until(() => lines.some((l) => l.container === 'app-web-1'));
    await compose.scale(app(), { replicas: { web: 2 } });
    await until(() => lines.some((l) => l.container === 'app-web-2' && l.text === 'hello'));
    fake.write('app-web-2', 'later\n');
    await until(() => lines.some((l) => l.container === 'app-web-2' && l.text === 'later'));
    // a restart: the second start is followed from its own start
    await compose.restart(app(), { services: ['db'] });
    fake.write('app-db-1', 'again\n');
    await until(() => lines.some((l) => l.container === 'app-db-1' && l.text === 'again'));
    expect(done).toBe(false);
    await compose.down(app());
    await following;
    expect(lines.filter((l) => l.container === 'app-web-2' && l.text === 'hello')).toHaveLength(1);
  });

  it('logs and logs -f of many containers: no listener-leak warning from Node (each stream listens on the signal)', async () => {
    const { compose } = setup();
    await compose.scale(app(), { replicas: { web: 12 }, noDeps: true });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const interrupt = new AbortController();
      await compose.logs('app', () => {}, { signal: interrupt.signal });
      const following = compose.logs('app', () => {}, { follow: true, signal: interrupt.signal });
      await new Promise((r) => setTimeout(r, 50));
      interrupt.abort();
      await following;
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('-f reports containers that stop (compose prints `web-1 exited with code N`), restarting or not', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true });
    const exits: LogExit[] = [];
    const stop = new AbortController();
    const following = compose.logs('app', () => {}, { follow: true, signal: stop.signal, onExit: (e) => exits.push(e) });
    await until(() => fake.journal(['events']).length === 1);
    fake.exit('app-web-1', 3);
    await until(() => exits.length === 1);
    expect(exits[0]).toEqual({ container: 'app-web-1', service: 'web', exitCode: 3, restarting: false });
    await compose.restart(app(), { services: ['db'] });
    await until(() => exits.length === 2);
    expect(exits[1]).toMatchObject({ container: 'app-db-1', service: 'db' });
    stop.abort();
    await following;
  });

  it('-f ends on the abort signal', async () => {
    const { compose } = setup();
    await compose.up(app(), { detach: true });
    const stop = new AbortController();
    const following = compose.logs('app', () => {}, { follow: true, signal: stop.signal });
    stop.abort();
    await following;
  });

  it('--index picks one replica, and needs exactly one service', async () => {
    const { fake, compose } = setup();
    await compose.scale(app(), { replicas: { web: 2 }, noDeps: true });
    fake.write('app-web-1', 'one\n');
    fake.write('app-web-2', 'two\n');
    const lines: LogLine[] = [];
    await compose.logs('app', (l) => lines.push(l), { services: ['web'], index: 2 });
    expect(lines.map((l) => `${l.container} ${l.text}`)).toEqual(['app-web-2 two']);
    expect(await failure(compose.logs('app', () => {}, { index: 2 }))).toMatchObject({ message: '--index requires one service to be selected' });
    expect(await failure(compose.logs('app', () => {}, { services: ['web'], index: 5 }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('--since and --until bound the lines', async () => {
    const { fake, compose } = setup();
    await compose.up(app(), { detach: true, services: ['db'] });
    fake.write('app-db-1', 'old\n');
    await new Promise((r) => setTimeout(r, 30));
    const middle = String(Date.now() / 1000);
    await new Promise((r) => setTimeout(r, 30));
    fake.write('app-db-1', 'new\n');
    const read = async (options: { since?: string; until?: string }): Promise<string[]> => {
      const lines: string[] = [];
      await compose.logs('app', (l) => lines.push(l.text), options);
      return lines;
    };
    expect(await read({ since: middle })).toEqual(['new']);
    expect(await read({ until: middle })).toEqual(['old']);
    expect(await read({ since: '1h' })).toEqual(['old', 'new']);
    expect(await failure(read({ since: 'yesterday' }))).toMatchObject({ code: 'USAGE', message: '--since: invalid time "yesterday"' });
  });
});

describe('--since / --until values', () => {
  it('reads Go durations, Unix seconds and dates', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1.5s')).toBe(1.5);
    expect(parseDuration('300ms')).toBe(0.3);
    expect(parseDuration('42')).toBeUndefined();
    const now = 1_700_000_000_000;
    expect(engineTime('10m', '--since', now)).toBe('1699999400');
    expect(engineTime('1700000000.5', '--since', now)).toBe('1700000000.5');
    expect(engineTime('2023-11-14T22:13:20Z', '--since', now)).toBe('1700000000');
    expect(() => engineTime('soon', '--until', now)).toThrow('--until: invalid time "soon"');
  });
});

describe('--since / --until values, as docker\'s GetTimestamp', () => {
  const now = 1_700_000_000_000;
  const offset = -new Date(now).getTimezoneOffset() * 60; // the local zone, in seconds east of UTC

  it('dates with a zone, to the nanosecond; every form docker accepts', () => {
    expect(engineTime('2023-11-14T22:13:20.123456789Z', '--since', now)).toBe('1700000000.123456789');
    expect(engineTime('2023-11-14T23:13:20.5+01:00', '--since', now)).toBe('1700000000.5');
    expect(engineTime('2023-11-14T22:13Z', '--since', now)).toBe('1699999980');
    expect(engineTime('2023-11-14T22Z', '--since', now)).toBe('1699999200');
    expect(engineTime('2023-11-14Z', '--since', now)).toBe('1699920000');
    expect(engineTime('2023-11-14T21:13:20-01:00', '--since', now)).toBe('1700000000');
  });

  it('dates without a zone are local time; Unix seconds pass as written; durations are whole seconds', () => {
    expect(engineTime('2023-11-14', '--since', now)).toBe(String(1699920000 - offset));
    expect(engineTime('2023-11-14T22:13:20', '--since', now)).toBe(String(1700000000 - offset));
    expect(engineTime('2023-11-14T22', '--since', now)).toBe(String(1699999200 - offset));
    expect(engineTime('1700000000.1234567891', '--since', now)).toBe('1700000000.1234567891');
    expect(engineTime('0', '--since', now)).toBe('0');
    expect(engineTime('1.5s', '--since', now + 200)).toBe('1699999998');
    expect(engineTime('-1m', '--until', now)).toBe('1700000060');
  });

  it('refuses what docker refuses, where Date.parse would guess', () => {
    for (const bad of ['Jan 2 2023', '2023/01/02', '2023-13-01', '2023-02-30', '2023-01-02T25:00Z', '2023-01-02 10:00', 'yesterday', '-5', '1e9', '']) {
      expect(() => engineTime(bad, '--since', now), bad).toThrow(`--since: invalid time "${bad}"`);
    }
  });
});
