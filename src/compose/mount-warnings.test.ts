import { describe, expect, it } from 'vitest';
import { mountWarnings } from './mount-warnings.js';
import type { ServiceVolumeConfig } from '../model/types.js';

const warnings = (...volumes: ServiceVolumeConfig[]) => mountWarnings({ volumes });

describe('mountWarnings', () => {
  it('says nothing when every option fits its mount type', () => {
    expect(mountWarnings({})).toEqual([]);
    expect(
      warnings(
        { type: 'bind', source: '/h', target: '/a', bind: { create_host_path: true, selinux: 'z' } },
        { type: 'volume', source: 'db', target: '/b', volume: { nocopy: true } },
        { type: 'tmpfs', target: '/c', tmpfs: { size: 1024 } },
        { type: 'image', source: 'alpine', target: '/d', image: { subpath: 'x' } },
        { type: 'volume', target: '/e', volume: {} },
      ),
    ).toEqual([]);
  });

  it("gives compose's text for a bind option on a named volume (db:/data:Z)", () => {
    expect(warnings({ type: 'volume', source: 'db', target: '/data', volume: {}, bind: { selinux: 'Z', create_host_path: true } })).toEqual([
      'mount of type `volume` should not define `bind` option',
    ]);
  });

  it('gives one warning per misplaced mapping, in compose order, each text once', () => {
    expect(warnings({ type: 'bind', source: '/h', target: '/x', bind: { create_host_path: true }, volume: { nocopy: true } })).toEqual([
      'mount of type `bind` should not define `volume` option',
    ]);
    expect(
      warnings(
        { type: 'tmpfs', target: '/t', bind: {}, volume: {}, tmpfs: {}, image: {} },
        { type: 'volume', source: 'a', target: '/a', bind: { selinux: 'z' } },
        { type: 'volume', source: 'b', target: '/b', bind: { propagation: 'rprivate' } },
      ),
    ).toEqual([
      'mount of type `tmpfs` should not define `bind` option',
      'mount of type `tmpfs` should not define `volume` option',
      'mount of type `tmpfs` should not define `image` option',
      'mount of type `volume` should not define `bind` option',
    ]);
  });
});
