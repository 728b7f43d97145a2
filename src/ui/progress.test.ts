import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { createProgress, humanSize, pullBar } from './progress.js';

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

/** A fake stream with a size; `text()` is everything written. */
function fakeStream(columns = 60, rows = 24, isTTY = true) {
  const writes: string[] = [];
  const out = { isTTY, columns, rows, write: (t: string) => (writes.push(t), true) };
  return { out, writes, text: () => writes.join('') };
}
const plainColors = pc.createColors(false);
/** Escape sequences removed. */
const visible = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\r/g, '');

describe('tty renderer', () => {
  it('one line per resource, cut to the terminal width, cursor hidden while drawing and shown after', () => {
    const s = fakeStream(40);
    const p = createProgress('tty', s.out, plainColors);
    p({ type: 'progress', resource: 'network', id: 'shop_default', status: 'Created', done: true, elapsed: 0.1 });
    p({ type: 'progress', resource: 'container', id: 'shop-a-very-long-container-name-1', status: 'Started', done: true, elapsed: 0.5 });
    p.close();
    const last = s.writes.at(-1)!;
    expect(last.startsWith('\x1b[?25l')).toBe(true);
    expect(last.endsWith('\x1b[?25h')).toBe(true);
    const lines = visible(last).split('\n').filter(Boolean);
    expect(lines[0]).toBe('[+] Running 2/2');
    expect(lines[1]).toMatch(/^ ✔ Network shop_default +Created +0\.1s$/);
    expect(lines[2]).toContain('…');
    for (const l of lines) expect([...l].length).toBeLessThan(40);
  });

  it('writes a frame only when it changed', () => {
    const s = fakeStream();
    const p = createProgress('tty', s.out, plainColors);
    p({ type: 'progress', resource: 'volume', id: 'v', status: 'Created', done: true, elapsed: 0 });
    const n = s.writes.length;
    p({ type: 'progress', resource: 'volume', id: 'v', status: 'Created', done: true, elapsed: 0 });
    p.close(); // close() draws the final frame once
    expect(s.writes.length).toBe(n + 1);
    p.close();
    expect(s.writes.length).toBe(n + 1);
  });

  it('draws a pull as a bar of bytes and a build as its last lines, dimmed, under the image', () => {
    const s = fakeStream(100);
    const colors = pc.createColors(true);
    const p = createProgress('tty', s.out, colors);
    p({ type: 'progress', resource: 'image', id: '127.0.0.1:5000/tiny:1', status: 'Pulling', done: false });
    p({ type: 'pull-progress', image: '127.0.0.1:5000/tiny:1', service: 'web', current: 12_300_000, total: 40_000_000, layers: 2, layersDone: 1 });
    p({ type: 'progress', resource: 'image', id: 'shop-api', status: 'Building', done: false });
    p({ type: 'build-output', service: 'api', text: 'Step 1/7 : FROM busybox\n\n' });
    p({ type: 'build-output', service: 'api', text: ['2', '3', '4', '5', '6', '7'].map((n) => `Step ${n}/7\n`).join('') });
    p.close();
    const frame = visible(s.writes.at(-1)!);
    expect(frame).toMatch(/Image 127\.0\.0\.1:5000\/tiny:1 +Pulling \[=====> +\] 12\.3MB\/40MB/);
    expect(frame).toContain('   Step 7/7\n');
    expect(frame).not.toContain('Step 2/7');
    expect(s.writes.at(-1)).toContain(colors.dim('   Step 7/7'));
  });

  it('a failed resource says Error without the message (cli/errors.ts prints it once)', () => {
    const s = fakeStream();
    const p = createProgress('tty', s.out, plainColors);
    p({ type: 'progress', resource: 'image', id: 'shop-api', status: 'Error', done: true, error: 'service "api" failed to build: boom', elapsed: 1 });
    p.close();
    expect(visible(s.text())).toMatch(/✘ Image shop-api +Error/);
    expect(s.text()).not.toContain('boom');
  });
});

describe('plain, json and quiet renderers', () => {
  const events = [
    { type: 'progress', resource: 'network', id: 'p_default', status: 'Creating', done: false },
    { type: 'progress', resource: 'network', id: 'p_default', status: 'Created', done: true, elapsed: 0.12345 },
    { type: 'build-output', service: 'api', text: 'Step 1/2 : FROM busybox\n' },
    { type: 'build-output', service: 'api', text: '\n' },
    { type: 'warning', message: 'careful' },
    { type: 'progress', resource: 'container', id: 'p-api-1', status: 'Error', done: true, error: 'boom', elapsed: 0.5 },
  ] as const;

  it('plain: one line per event, no escape codes, no error text', () => {
    const s = fakeStream(80, 24, false);
    const p = createProgress('auto', s.out, plainColors);
    for (const e of events) p(e);
    expect(s.text().split('\n')).toEqual([
      ' Network p_default  Creating',
      ' Network p_default  Created 0.1s',
      'api  Step 1/2 : FROM busybox',
      'warning: careful',
      ' Container p-api-1  Error 0.5s',
      '',
    ]);
  });

  it('json: one object per meaningful event, elapsed rounded to milliseconds', () => {
    const s = fakeStream();
    const p = createProgress('json', s.out, plainColors);
    for (const e of events) p(e);
    expect(s.text().trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
      { resource: 'network', id: 'p_default', status: 'Creating', done: false },
      { resource: 'network', id: 'p_default', status: 'Created', done: true, elapsed: 0.123 },
      { resource: 'image', service: 'api', text: 'Step 1/2 : FROM busybox' },
      { level: 'warning', message: 'careful' },
      { resource: 'container', id: 'p-api-1', status: 'Error', done: true, error: 'boom', elapsed: 0.5 },
    ]);
  });

  it('quiet: nothing', () => {
    const s = fakeStream();
    const p = createProgress('quiet', s.out, plainColors);
    for (const e of events) p(e);
    p.close();
    expect(s.text()).toBe('');
  });

  it('sizes and bars', () => {
    expect(humanSize(532)).toBe('532B');
    expect(humanSize(12_300_000)).toBe('12.3MB');
    expect(humanSize(1_050_000_000)).toBe('1.05GB');
    expect(pullBar(0, 0)).toBe('');
    expect(pullBar(5, 10, 10)).toBe('[====>     ] 5B/10B');
    expect(pullBar(10, 10, 4)).toBe('[====] 10B/10B');
  });
});
