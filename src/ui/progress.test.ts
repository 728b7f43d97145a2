import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

describe('tty progress', () => {
  it('after close(), the next event starts a new frame below what was printed meanwhile (never moves up over it)', () => {
    const writes: string[] = [];
    const out = { isTTY: true, columns: 80, write: (text: string) => (writes.push(text), true) } as unknown as NodeJS.WriteStream;
    const progress = createProgress('tty', out, pc.createColors(false));
    progress({ type: 'progress', resource: 'container', id: 'p-web-1', status: 'Started', done: true, elapsed: 0.1 });
    progress.close();
    const closed = writes.length;
    expect(writes.join('')).toContain('Container p-web-1  Started');
    // (logs are printed on stdout here) then Ctrl+C: stopping
    progress({ type: 'info', message: 'Gracefully Stopping... press Ctrl+C again to force' });
    progress({ type: 'progress', resource: 'container', id: 'p-web-1', status: 'Stopping', done: false });
    progress.close();
    const after = writes.slice(closed).join('');
    expect(after).toContain('Gracefully Stopping... press Ctrl+C again to force');
    expect(after).toContain('Container p-web-1  Stopping');
    // the new frame only ever moves up over itself (its one header line), never into the old
    // frame's two lines and the logs printed after them
    expect(after.match(/\x1b\[\d+A/g)).toEqual(['\x1b[1A']);
  });
});
