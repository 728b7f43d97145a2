import { describe, expect, it } from 'vitest';
import { formatPorts, goTime, humanDuration, quoteCommand, timeAgo } from './format.js';

describe('humanDuration (go-units HumanDuration)', () => {
  it('words each range as docker does', () => {
    const cases: [number, string][] = [
      [0, 'Less than a second'],
      [0.9, 'Less than a second'],
      [1, '1 second'],
      [59, '59 seconds'],
      [60, 'About a minute'],
      [119, 'About a minute'],
      [120, '2 minutes'],
      [59 * 60 + 59, '59 minutes'],
      [3600, 'About an hour'],
      [90 * 60, '2 hours'], // hours round half up
      [47 * 3600, '47 hours'],
      [48 * 3600, '2 days'],
      [13 * 86400, '13 days'],
      [14 * 86400, '2 weeks'],
      [59 * 86400, '8 weeks'],
      [60 * 86400, '2 months'],
      [729 * 86400, '24 months'],
      [730 * 86400, '2 years'],
      [730 * 86400 - 1200, '1 years'], // the hours round up to 2 years, the years count the hours cut
    ];
    for (const [seconds, words] of cases) expect(humanDuration(seconds), `${seconds}s`).toBe(words);
  });

  it('timeAgo adds " ago" and counts a future time as now', () => {
    expect(timeAgo(1000, 1065)).toBe('About a minute ago');
    expect(timeAgo(1000, 1005.5)).toBe('5 seconds ago');
    expect(timeAgo(2000, 1000)).toBe('Less than a second ago');
  });
});

describe('goTime', () => {
  it("prints Go's default layout in UTC", () => {
    expect(goTime(0)).toBe('1970-01-01 00:00:00 +0000 UTC');
    expect(goTime(1795241409)).toBe('2026-11-21 06:10:09 +0000 UTC');
  });
});

describe('formatPorts', () => {
  it('sorts by target port then host IP, brackets IPv6 hosts, lists unpublished ports bare', () => {
    expect(
      formatPorts([
        { URL: '::', TargetPort: 5000, PublishedPort: 8000, Protocol: 'tcp' },
        { URL: '', TargetPort: 9000, PublishedPort: 0, Protocol: 'udp' },
        { URL: '0.0.0.0', TargetPort: 5000, PublishedPort: 8000, Protocol: 'tcp' },
        { URL: '0.0.0.0', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' },
      ]),
    ).toBe('0.0.0.0:8080->80/tcp, 0.0.0.0:8000->5000/tcp, [::]:8000->5000/tcp, 9000/udp');
    expect(formatPorts([])).toBe('');
  });
});

describe('quoteCommand', () => {
  it('quotes, and cuts past 20 characters with an ellipsis', () => {
    expect(quoteCommand('nginx -g daemon off;')).toBe('"nginx -g daemon off;"');
    expect(quoteCommand('/docker-entrypoint.sh nginx')).toBe('"/docker-entrypoint.…"');
    expect(quoteCommand('')).toBe('""');
  });
});
