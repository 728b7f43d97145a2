import { describe, expect, it } from 'vitest';
import { Debouncer, type Clock } from './batch.js';

/** A clock moved by hand: `advance(ms)` fires the timers that fall due. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let next = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn, ms) => (timers.set(++next, { at: now + ms, fn }), next),
    clearTimeout: (h) => void timers.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

describe('Debouncer', () => {
  it('hands over a batch once nothing changed for the quiet period, each path once, sorted', () => {
    const clock = manualClock();
    const batches: string[][] = [];
    const d = new Debouncer((b) => batches.push(b), 500, clock);
    d.add(['/b', '/a']);
    clock.advance(300);
    d.add(['/a', '/c']); // restarts the quiet period
    clock.advance(499);
    expect(batches).toEqual([]);
    clock.advance(1);
    expect(batches).toEqual([['/a', '/b', '/c']]);
    clock.advance(5000);
    expect(batches).toHaveLength(1);
  });

  it('separate bursts are separate batches; flush is immediate; close drops what is pending', () => {
    const clock = manualClock();
    const batches: string[][] = [];
    const d = new Debouncer((b) => batches.push(b), 500, clock);
    d.add(['/a']);
    clock.advance(600);
    d.add(['/b']);
    d.flush();
    d.add(['/c']);
    d.close();
    clock.advance(1000);
    d.add(['/d']);
    clock.advance(1000);
    expect(batches).toEqual([['/a'], ['/b']]);
  });

  it('an empty add starts nothing', () => {
    const clock = manualClock();
    const batches: string[][] = [];
    const d = new Debouncer((b) => batches.push(b), 500, clock);
    d.add([]);
    clock.advance(1000);
    expect(batches).toEqual([]);
  });
});
