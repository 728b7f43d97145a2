import { describe, expect, it } from 'vitest';
import { CapstanError, EngineError } from '../errors.js';
import type { Engine } from '../engine/types.js';
import type { ComposeEvent } from './events.js';
import type { Operation } from './plan.js';
import type { ContainerSpec } from './container-spec.js';
import type { Project } from '../model/types.js';
import { explainStartFailure, stepRunner } from './operations.js';

describe('explainStartFailure', () => {
  it('names the port and hints when a published port is taken', async () => {
    const daemon = new EngineError(500, 'driver failed programming external connectivity on endpoint p-web-1 (abc): Bind for 0.0.0.0:8000 failed: port is already allocated', 'start container p-web-1');
    const err = (await explainStartFailure('p-web-1', daemon)) as CapstanError;
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('container p-web-1 could not start: port 8000 is already allocated');
    expect(err.hint).toMatch(/change the published port/);
    const inUse = new EngineError(500, 'Error starting userland proxy: listen tcp4 0.0.0.0:5432: bind: address already in use', 'start');
    expect(((await explainStartFailure('p-db-1', inUse)) as CapstanError).message).toContain('port 5432 is already allocated');
  });

  it('passes other failures through unchanged', async () => {
    const other = new EngineError(500, 'OCI runtime create failed', 'start container x');
    expect(await explainStartFailure('x', other)).toBe(other);
  });
});

describe('depends_on waits', () => {
  // just the two calls a wait makes (the rest of Engine is never reached)
  const engine = {
    inspectContainer: async () => ({ Config: { Healthcheck: { Test: ['CMD', 'false'] } }, State: { Status: 'running', Health: { Status: 'unhealthy' } } }),
    waitContainer: async () => 1,
  } as unknown as Engine;
  const run = async (op: Operation): Promise<{ error?: unknown; warnings: string[] }> => {
    const warnings: string[] = [];
    const emit = (e: ComposeEvent): void => void (e.type === 'warning' && warnings.push(e.message));
    const error = await stepRunner(engine, emit)({ id: op.type, dependsOn: [], op, cause: '' }, new AbortController().signal).then(() => undefined, (e: unknown) => e);
    return { error, warnings };
  };

  it('a required dependency fails with the DEPENDENCY error; an optional one only warns, with compose\'s texts', async () => {
    const healthy = { type: 'wait-healthy' as const, service: 'db', containers: ['p-db-1'] };
    expect((await run({ ...healthy, required: true })).error).toMatchObject({ code: 'DEPENDENCY', message: 'dependency failed to start: container p-db-1 is unhealthy' });
    expect(await run({ ...healthy, required: false })).toEqual({ error: undefined, warnings: ['optional dependency "db" failed to start: container p-db-1 is unhealthy'] });
    const completed = { type: 'wait-completed' as const, service: 'migrate', containers: ['p-migrate-1'] };
    expect((await run({ ...completed, required: true })).error).toMatchObject({ code: 'DEPENDENCY', message: `service "migrate" didn't complete successfully: exit 1` });
    expect(await run({ ...completed, required: false })).toEqual({ error: undefined, warnings: [`optional dependency "migrate" didn't complete successfully: exit 1`] });
  });
});

describe('create-container', () => {
  it("emits docker compose's mount warnings once per run, before creating", async () => {
    const calls: string[] = [];
    const engine = {
      createContainer: async (name: string) => void calls.push(`create ${name}`),
    } as unknown as Engine;
    const project = {
      services: {
        db: { name: 'db', volumes: [{ type: 'volume', source: 'data', target: '/data', volume: {}, bind: { selinux: 'Z', create_host_path: true } }] },
      },
    } as unknown as Project;
    const warnings: string[] = [];
    const emit = (e: ComposeEvent): void => void (e.type === 'warning' && warnings.push(e.message) && calls.push('warn'));
    const run = stepRunner(engine, emit, new Map(), { project });
    for (const name of ['p-db-1', 'p-db-2']) {
      const spec = { body: { Image: 'x', Labels: {} }, extraNetworks: [] } as unknown as ContainerSpec;
      await run({ id: name, dependsOn: [], cause: 'missing', op: { type: 'create-container', service: 'db', name, finalName: name, spec } }, new AbortController().signal);
    }
    expect(warnings).toEqual(['mount of type `volume` should not define `bind` option']);
    expect(calls).toEqual(['warn', 'create p-db-1', 'create p-db-2']);
  });
});
