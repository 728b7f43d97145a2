import { describe, expect, it } from 'vitest';
import { toComposeEvent } from '../../compose/verbs/events.js';
import { eventOutput } from './events.js';

describe('events output', () => {
  const attrs = { 'com.docker.compose.service': 'web', name: 'app-web-1', image: 'busybox' };
  const event = toComposeEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: attrs }, time: 1_700_000_000, timeNano: 1_700_000_000_123_456_789 })!;

  it('text: the event line, then an empty line, as compose (Event.String ends with a newline, Fprintln adds one)', () => {
    expect(eventOutput(event, false)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container start abc \(image=busybox, name=app-web-1\)\n\n$/);
  });

  it('--json: one object per line, no empty line', () => {
    const out = eventOutput(event, true);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
  });
});
