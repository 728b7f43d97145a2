import { describe, expect, it } from 'vitest';
import { statsJson, statsTable } from '../../ui/stats.js';
import { statsRenderer } from './stats.js';

describe('capstan stats --format', () => {
  it('table and json; a Go template renders the rows; an unknown field is a usage error', () => {
    expect(statsRenderer(undefined)).toBe(statsTable);
    expect(statsRenderer('table')).toBe(statsTable);
    expect(statsRenderer('json')).toBe(statsJson);
    const row = { Container: 'c1', ID: 'c1', Name: 'p-web-1', CPUPerc: '0.50%', MemUsage: '1MiB / 2GiB', MemPerc: '0.05%', NetIO: '1kB / 0B', BlockIO: '0B / 0B', PIDs: '1' };
    expect(statsRenderer('{{.Name}} {{.CPUPerc}}')([row, { ...row, Name: 'p-web-2' }])).toBe('p-web-1 0.50%\np-web-2 0.50%');
    expect(statsRenderer('table {{.Name}}\t{{.PIDs}}')([row])).toBe('NAME      PIDS\np-web-1   1');
    expect(() => statsRenderer('{{.Nope}}')).toThrow(/Nope/);
  });
});
