import { describe, expect, it } from 'vitest';
import { statusFilter } from './ps.js';

describe('ps --status / --filter', () => {
  it('joins --status values and a status= filter, as compose\'s parseFilter', () => {
    expect(statusFilter({})).toEqual([]);
    expect(statusFilter({ status: ['running', 'exited'] })).toEqual(['running', 'exited']);
    expect(statusFilter({ status: ['running'], filter: 'status=paused' })).toEqual(['running', 'paused']);
  });

  it('refuses a filter that is not KEY=VAL, an unknown key, and source=', () => {
    expect(() => statusFilter({ filter: 'running' })).toThrow('arguments to --filter should be in form KEY=VAL');
    expect(() => statusFilter({ filter: 'name=web' })).toThrow('unknown filter name');
    expect(() => statusFilter({ filter: 'source=x' })).toThrow(/not implemented/);
  });
});
