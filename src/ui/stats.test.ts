import { describe, expect, it } from 'vitest';
import { statsJson, statsTable } from './stats.js';

const row = { Container: 'abcdef123456', Name: 'shop-web-1', ID: 'abcdef123456', CPUPerc: '0.61%', MemUsage: '764KiB / 23.54GiB', MemPerc: '0.00%', NetIO: '986B / 0B', BlockIO: '0B / 0B', PIDs: '2' };

describe('stats output', () => {
  it("the docker CLI's table: headers, column order, at least 10 wide and 3 apart", () => {
    expect(statsTable([row]).split('\n')).toEqual([
      'CONTAINER ID   NAME         CPU %     MEM USAGE / LIMIT   MEM %     NET I/O     BLOCK I/O   PIDS',
      'abcdef123456   shop-web-1   0.61%     764KiB / 23.54GiB   0.00%     986B / 0B   0B / 0B     2',
    ]);
    expect(statsTable([])).toBe('CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS');
  });

  it('json: one object per line, keys in docker\'s order', () => {
    expect(statsJson([row, row]).split('\n').map((l) => Object.keys(JSON.parse(l) as object))).toEqual([
      ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs'],
      ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs'],
    ]);
  });
});
