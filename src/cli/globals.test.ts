import { afterEach, describe, expect, it, vi } from 'vitest';
import { settleGlobals } from './globals.js';

describe('settleGlobals', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('maps --progress none to quiet and auto with --ansi never to plain', () => {
    vi.stubEnv('NO_COLOR', '');
    expect(settleGlobals({ progress: 'none', ansi: 'auto' })).toMatchObject({ progress: 'quiet', ansi: 'auto' });
    expect(settleGlobals({ ansi: 'never' })).toMatchObject({ progress: 'plain', ansi: 'never' });
    expect(settleGlobals({ progress: 'json', ansi: 'never' })).toMatchObject({ progress: 'json' });
  });

  it("refuses tty with --ansi never and plain with --ansi always (compose's messages)", () => {
    expect(() => settleGlobals({ progress: 'tty', ansi: 'never' })).toThrow("can't use --progress tty while ANSI support is disabled");
    expect(() => settleGlobals({ progress: 'plain', ansi: 'always' })).toThrow("can't use --progress plain while ANSI support is forced");
  });

  it('NO_COLOR forces --ansi never after the progress mode is chosen', () => {
    vi.stubEnv('NO_COLOR', '1');
    expect(settleGlobals({ progress: 'tty', ansi: 'always' })).toMatchObject({ progress: 'tty', ansi: 'never' });
    expect(settleGlobals({ ansi: 'auto' })).toMatchObject({ progress: 'auto', ansi: 'never' });
  });
});
