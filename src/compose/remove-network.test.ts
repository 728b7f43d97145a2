/**
 * `remove-network` after many containers were removed (issue 13 "Load"): dockerd may answer 403
 * "has active endpoints" until it has released the removed containers' endpoints — the step waits
 * for that instead of failing `down`; a network still used by a container that exists (connected
 * by hand) is left in place with a warning, as compose's down does.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../errors.js';
import type { Engine, Network } from '../engine/types.js';
import type { ProgressEvent } from './events.js';
import { stepRunner } from './operations.js';

const busy = () => new EngineError(403, 'error while removing network: network p_default id abc has active endpoints', 'remove network abc');

/** An engine that refuses the removal `refusals` times, listing `attached` on the network meanwhile. */
function engine(refusals: number, attached: Record<string, { Name: string }>, existing: string[]) {
  const calls: string[] = [];
  const fake = {
    async removeNetwork(id: string) {
      calls.push(`remove ${id}`);
      if (refusals-- > 0) throw busy();
    },
    async inspectNetwork(id: string): Promise<Network> {
      calls.push(`inspect ${id}`);
      return { Name: 'p_default', Id: id, Containers: attached } as Network;
    },
    async inspectContainer(name: string) {
      if (!existing.includes(name)) throw new EngineError(404, `No such container: ${name}`, 'inspect');
      return { Name: `/${name}` };
    },
  };
  return { engine: fake as unknown as Engine, calls };
}

const step = { id: 'remove-network:p_default', dependsOn: [], cause: 'down', op: { type: 'remove-network' as const, name: 'p_default', id: 'abc' } };

describe('remove-network', () => {
  it('waits while the engine still lists endpoints of removed containers, then removes the network', async () => {
    const { engine: e, calls } = engine(3, { x: { Name: 'p-web-1' } }, []);
    const events: ProgressEvent[] = [];
    await stepRunner(e, (ev) => events.push(ev as ProgressEvent))(step, new AbortController().signal);
    expect(calls.filter((c) => c.startsWith('remove'))).toHaveLength(4);
    expect(calls.at(-1)).toBe('remove abc');
    expect(events.at(-1)).toMatchObject({ resource: 'network', id: 'p_default', status: 'Removed' });
  });

  it('leaves a network that a container which still exists uses, with a warning', async () => {
    const { engine: e, calls } = engine(1, { y: { Name: 'manual' } }, ['manual']);
    const events: { type: string; message?: string }[] = [];
    await stepRunner(e, (ev) => events.push(ev))(step, new AbortController().signal);
    expect(calls.filter((c) => c.startsWith('remove'))).toHaveLength(1);
    expect(events.find((ev) => ev.type === 'warning')?.message).toBe('network p_default is still in use by manual: left in place');
  });

  it('other refusals fail the step at once', async () => {
    const fake = { removeNetwork: async () => Promise.reject(new EngineError(403, 'p_default is a pre-defined network and cannot be removed', 'remove network')) };
    await expect(stepRunner(fake as unknown as Engine, () => undefined)(step, new AbortController().signal)).rejects.toThrow(/pre-defined/);
  });
});

describe('remove-network with an endpoint the engine never releases', () => {
  afterEach(() => vi.useRealTimers());
  it('fails after a short wait with one clear CONFLICT error', async () => {
    vi.useFakeTimers();
    const { engine: e } = engine(1_000, {}, []);
    const result = stepRunner(e, () => undefined)(step, new AbortController().signal).then(
      () => undefined,
      (x: unknown) => x as Error & { code?: string },
    );
    await vi.advanceTimersByTimeAsync(4_000);
    const err = await result;
    expect(err?.code).toBe('CONFLICT');
    expect(err?.message).toBe('network p_default still has active endpoints, though none of its containers exists any more');
  });
});
