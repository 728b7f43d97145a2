import { describe, expect, it } from 'vitest';
import { libnetworkDeadlock, longBlocked } from '../faults/goroutines.js';

/** The fault tests' reading of a dockerd goroutine dump (test/faults/goroutines.ts). */

const frame = (fn: string, file: string): string => `${fn}(0xc000123400, 0x1)\n\t/build/src/${file} +0x4f`;
const goroutine = (id: number, state: string, ...frames: string[]): string => `goroutine ${id} [${state}]:\n${frames.join('\n')}`;
const lock = [frame('sync.runtime_SemacquireMutex', 'runtime/sema.go:71'), frame('sync.(*Mutex).lockSlow', 'sync/mutex.go:138')];

const svcRecords = goroutine(
  41,
  'semacquire, 4 minutes',
  ...lock,
  frame('github.com/docker/libnetwork.(*controller).getNetworkFromStore', 'libnetwork/store.go:91'),
  frame('github.com/docker/libnetwork.(*network).getSvcRecords', 'libnetwork/network.go:1541'),
);
const endpointDelete = goroutine(
  57,
  'semacquire, 4 minutes',
  ...lock,
  frame('github.com/docker/libnetwork.(*network).ID', 'libnetwork/network.go:290'),
  frame('github.com/docker/libnetwork.(*controller).processEndpointDelete', 'libnetwork/store.go:399'),
);
const idle = goroutine(1, 'chan receive, 12 minutes', frame('main.main', 'cmd/dockerd/docker.go:97'));
const busy = goroutine(90, 'running', frame('github.com/docker/libnetwork.(*network).getSvcRecords', 'libnetwork/network.go:1541'));

describe('libnetworkDeadlock', () => {
  it('names the two goroutines of the lock-order deadlock', () => {
    const found = libnetworkDeadlock([idle, svcRecords, endpointDelete].join('\n\n'));
    expect(found).toMatch(/^goroutine 41 \[semacquire, 4 minutes\]: sync\.runtime_SemacquireMutex\(…\) ← .*; goroutine 57 /);
  });

  it('needs both, blocked on a lock', () => {
    expect(libnetworkDeadlock([idle, svcRecords].join('\n\n'))).toBeUndefined();
    expect(libnetworkDeadlock([busy, endpointDelete].join('\n\n'))).toBeUndefined();
    expect(libnetworkDeadlock('')).toBeUndefined();
  });
});

describe('longBlocked', () => {
  it('lists the goroutines that waited a minute or more, with their first frames', () => {
    const lines = longBlocked([idle, busy, svcRecords].join('\n\n')).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('goroutine 1 [chan receive, 12 minutes]: main.main(…)');
    expect(lines[1]).toContain('goroutine 41 [semacquire, 4 minutes]: sync.runtime_SemacquireMutex(…) ← sync.(*Mutex).lockSlow(…) ← ');
    // past the lock's own frames, to the dockerd code that waits
    expect(lines[1]).toMatch(/lockSlow\(…\) ← github\.com\/docker\/libnetwork\.\(\*controller\)\.getNetworkFromStore\(…\) ← github\.com\/docker\/libnetwork\.\(\*network\)\.getSvcRecords\(…\)$/);
  });

  it("elides Go 1.17+ arguments (structs in braces) as well as inlined frames' (...)", () => {
    const dump = 'goroutine 7 [select, 3 minutes]:\ngithub.com/docker/docker/pkg/signal.DumpStacks({0x557fce4226b3, 0xf})\n\t/x.go:1 +0x1\nmain.runDaemon(...)\n\t/y.go:2';
    expect(longBlocked(dump)).toBe('goroutine 7 [select, 3 minutes]: github.com/docker/docker/pkg/signal.DumpStacks(…) ← main.runDaemon(…)');
  });
});
