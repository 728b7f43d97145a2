import { describe, expect, it } from 'vitest';
import { compareStrings } from './compare.js';

describe('compareStrings', () => {
  it('orders by code units, as Go compares strings: upper case, digits and punctuation by their codes', () => {
    expect(['web', 'Web', 'a_b', 'a-b', 'db2', 'db10', 'é', 'z'].sort(compareStrings)).toEqual(['Web', 'a-b', 'a_b', 'db10', 'db2', 'web', 'z', 'é']);
    expect(compareStrings('x', 'x')).toBe(0);
  });
});
