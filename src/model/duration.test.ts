import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['1m30s', 90e9],
    ['500ms', 5e8],
    ['1.5h', 5400e9],
    ['10us', 1e4],
    ['0', 0],
    ['2h45m', 9900e9],
  ])('%s → %d ns', (text, nanos) => expect(parseDuration(text)).toBe(nanos));

  it.each(['', '10', 'abc', '1x', '1m 30s', 'm'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('formatDuration', () => {
  it.each([
    [90e9, '1m30s'],
    [5e8, '500ms'],
    [0, '0s'],
    [3600e9, '1h0m0s'],
    [1.5e9, '1.5s'],
  ])('%d ns → %s', (nanos, text) => expect(formatDuration(nanos)).toBe(text));
});
