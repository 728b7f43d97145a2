import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { errorStyle, formatError } from './errors.js';

describe('formatError', () => {
  const err = new CapstanError('CONFLICT', 'container shop-web-1 could not start: port 8000 is already allocated', { hint: 'port 8000 is held by project "blog"' });

  it('one red line on a terminal, then the hint', () => {
    expect(formatError(err, false, { color: true }).text).toBe(
      '\x1b[31merror: container shop-web-1 could not start: port 8000 is already allocated\x1b[39m\n  hint: port 8000 is held by project "blog"\n',
    );
    expect(formatError(err, false, {}).text.startsWith('error: container')).toBe(true);
  });

  it('as one JSON object under --progress json', () => {
    const { text, exitCode } = formatError(err, false, { json: true });
    expect(JSON.parse(text)).toEqual({ error: true, message: err.message, hint: 'port 8000 is held by project "blog"' });
    expect(text.endsWith('}\n')).toBe(true);
    expect(exitCode).toBe(1);
    expect(formatError(new CapstanError('CANCELLED', 'x'), false, { json: true })).toEqual({ text: '', exitCode: 130 });
  });

  it('the style: json from the progress mode, color only on a terminal without --ansi never', () => {
    expect(errorStyle({ progress: 'json', ansi: 'auto' }, { isTTY: true })).toEqual({ json: true, color: !process.env.NO_COLOR });
    expect(errorStyle({ progress: 'plain', ansi: 'never' }, { isTTY: true }).color).toBe(false);
    expect(errorStyle({ progress: 'plain', ansi: 'always' }, { isTTY: false }).color).toBe(false);
  });
});
