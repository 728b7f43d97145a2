import { describe, expect, it } from 'vitest';
import { normalizeVolumeEntry, parseVolumeSpec, uniqueVolumes } from './volumes.js';

const ctx = { workingDir: '/proj', home: '/home/u' };

describe('parseVolumeSpec', () => {
  it('path-like sources are binds with absolute paths', () => {
    expect(parseVolumeSpec('./data:/data', ctx)).toEqual({
      type: 'bind',
      source: '/proj/data',
      target: '/data',
      bind: { create_host_path: true },
    });
    expect(parseVolumeSpec('~/cfg:/etc/cfg:ro', ctx)).toEqual({
      type: 'bind',
      source: '/home/u/cfg',
      target: '/etc/cfg',
      read_only: true,
      bind: { create_host_path: true },
    });
    expect(parseVolumeSpec('/var/run/docker.sock:/var/run/docker.sock:rw,z', ctx)).toEqual({
      type: 'bind',
      source: '/var/run/docker.sock',
      target: '/var/run/docker.sock',
      bind: { create_host_path: true, selinux: 'z' },
    });
    expect(parseVolumeSpec('.:/code:rshared,cached', ctx)).toMatchObject({
      source: '/proj',
      bind: { propagation: 'rshared' },
      consistency: 'cached',
    });
  });
  it('other sources are named volumes; no source is anonymous', () => {
    expect(parseVolumeSpec('db:/var/lib/db:nocopy', ctx)).toEqual({
      type: 'volume',
      source: 'db',
      target: '/var/lib/db',
      volume: { nocopy: true },
    });
    expect(parseVolumeSpec('/var/lib/x/', ctx)).toEqual({ type: 'volume', target: '/var/lib/x', volume: {} });
  });
  it('rejects malformed specs', () => {
    for (const bad of ['a:b:c:d', 'db:/x:bogus', ':/x', 'db:relative', 'db:/x:z', './a:/x:nocopy']) {
      expect(() => parseVolumeSpec(bad, ctx), bad).toThrow(/invalid volume specification/);
    }
  });
});

describe('normalizeVolumeEntry', () => {
  it('resolves long-form bind sources and cleans targets', () => {
    expect(normalizeVolumeEntry({ type: 'bind', source: 'src', target: '/a/../b/', read_only: 'true' }, ctx)).toEqual({
      type: 'bind',
      source: '/proj/src',
      target: '/b',
      read_only: true,
    });
    expect(() => normalizeVolumeEntry({ type: 'nope', target: '/x' }, ctx)).toThrow(/invalid volume type/);
  });
  it('unifies by target, later wins', () => {
    const a = parseVolumeSpec('va:/x', ctx);
    const b = parseVolumeSpec('vb:/x', ctx);
    const c = parseVolumeSpec('vc:/y', ctx);
    expect(uniqueVolumes([a, c, b])).toEqual([b, c]);
  });
});
