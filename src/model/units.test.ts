import { describe, expect, it } from 'vitest';
import { formatFileMode, parseByteSize, parseDeviceCount, parseFileMode, pullPolicyOf } from './units.js';

describe('parseByteSize', () => {
  it.each([
    ['512m', 536870912],
    ['1gb', 1073741824],
    ['640kb', 655360],
    ['1024k', 1048576],
    ['50M', 52428800],
    ['1.5k', 1536],
    ['2 GiB', 2147483648],
    ['100', 100],
    ['-1', -1],
    [1024, 1024],
    [-1, -1],
  ] as const)('%j → %d', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));

  it.each(['', 'abc', '1x', '12 34', 'ki', '1i'])('rejects %j', (text) => expect(parseByteSize(text)).toBeUndefined());
});

describe('file modes', () => {
  it.each([
    [0o440, '0440'],
    ['0440', '0440'],
    ['440', '0440'],
    ['0o555', '0555'],
    [365, '0555'],
  ] as const)('%j → %s', (value, text) => expect(formatFileMode(value)).toBe(text));

  it('reads the printed form back', () => expect(parseFileMode('0440')).toBe(0o440));
  it.each(['0999', 'rw', '', '-1'])('rejects %j', (text) => expect(formatFileMode(text)).toBeUndefined());
});

describe('parseDeviceCount', () => {
  it.each([
    ['all', -1],
    ['ALL', -1],
    ['2', 2],
    [3, 3],
  ] as const)('%j → %d', (value, n) => expect(parseDeviceCount(value)).toBe(n));
  it.each(['some', '1.5', true, null])('rejects %j', (value) => expect(parseDeviceCount(value)).toBeUndefined());
});

describe('pullPolicyOf', () => {
  it('reads refresh policies', () => {
    expect(pullPolicyOf('daily')).toEqual({ policy: 'refresh', refreshAfter: 24 * 3600e9 });
    expect(pullPolicyOf('weekly')).toEqual({ policy: 'refresh', refreshAfter: 7 * 24 * 3600e9 });
    expect(pullPolicyOf('every_2d')).toEqual({ policy: 'refresh', refreshAfter: 48 * 3600e9 });
    expect(pullPolicyOf('every_1w12h')).toEqual({ policy: 'refresh', refreshAfter: 180 * 3600e9 });
    expect(pullPolicyOf('every_90m')).toEqual({ policy: 'refresh', refreshAfter: 90 * 60e9 });
  });
  it('keeps fixed policies and defaults to missing', () => {
    expect(pullPolicyOf('always')).toEqual({ policy: 'always' });
    expect(pullPolicyOf(undefined)).toEqual({ policy: 'missing' });
  });
  it.each(['every_', 'every_soon', 'every_-1h', 'every_0s'])('rejects %j', (p) => expect(pullPolicyOf(p)).toBeUndefined());
});
