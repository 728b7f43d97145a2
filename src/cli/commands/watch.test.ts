import { describe, expect, it } from 'vitest';
import { project } from '../../../test/support/fixtures.js';
import { dryRunLines } from './watch.js';

describe('watch --dry-run lines', () => {
  const p = project('p', { web: {} }, { workingDir: '/p' });

  it('one line per rule the path falls under: where it goes, or why it is ignored', () => {
    expect(
      dryRunLines(p, '/p/src/a.py', [
        { service: 'web', index: 0, action: 'sync', verdict: { match: true, containerPath: '/app/a.py' } },
        { service: 'api', index: 1, action: 'rebuild', verdict: { match: true } },
        { service: 'web', index: 2, action: 'sync+restart', verdict: { match: false, reason: 'ignore' } },
      ]),
    ).toBe(
      ['src/a.py  web develop.watch[0] sync → /app/a.py', 'src/a.py  api develop.watch[1] rebuild', 'src/a.py  web develop.watch[2] sync+restart: ignored (ignore)', ''].join('\n'),
    );
  });

  it('no rule', () => {
    expect(dryRunLines(p, '/p/elsewhere', [])).toBe('elsewhere  no rule\n');
  });
});
