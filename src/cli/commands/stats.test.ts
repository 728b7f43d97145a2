import { describe, expect, it } from 'vitest';
import { statsJson, statsTable } from '../../ui/stats.js';
import { statsRenderer } from './stats.js';

describe('capstan stats --format', () => {
  it('table and json; anything else (a Go template, until the renderer is wired) is a usage error', () => {
    expect(statsRenderer(undefined)).toBe(statsTable);
    expect(statsRenderer('table')).toBe(statsTable);
    expect(statsRenderer('json')).toBe(statsJson);
    expect(() => statsRenderer('{{.Name}}')).toThrow(/not supported/);
  });
});
