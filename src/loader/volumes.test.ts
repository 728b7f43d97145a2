import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
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
    for (const bad of ['/a:/b:ro:x', ':/x', 'db:relative', '/foo:']) {
      expect(() => parseVolumeSpec(bad, ctx), bad).toThrow(/^invalid spec: /);
    }
  });
});

describe('parseVolumeSpec, compose-go ParseVolume rules', () => {
  const raw = { workingDir: '/', keepRelative: true };
  const msg = (spec: string) => {
    try {
      parseVolumeSpec(spec, raw);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };

  it('an empty spec is an error; a one-section spec is an anonymous volume', () => {
    expect(msg('')).toBe('invalid empty volume spec');
    expect(() => parseVolumeSpec('', raw)).toThrow(LoaderError);
    expect(parseVolumeSpec('/data', raw)).toEqual({ type: 'volume', target: '/data', volume: {} });
  });

  it('reports an empty section between colons', () => {
    expect(msg(':foo')).toBe('invalid spec: :foo: empty section between colons');
    expect(msg('/foo::ro')).toBe('invalid spec: /foo::ro: empty section between colons');
    expect(parseVolumeSpec('/foo:/bar', raw)).toMatchObject({ source: '/foo', target: '/bar' });
  });

  it('reports more than three sections as too many colons', () => {
    expect(msg('/foo:/foo:ro:foo')).toBe('invalid spec: /foo:/foo:ro:foo: too many colons');
    // an empty third section is reported as such, before the count
    expect(msg('/foo:/foo::foo')).toBe('invalid spec: /foo:/foo::foo: empty section between colons');
    expect(parseVolumeSpec('/foo:/foo:ro', raw)).toMatchObject({ read_only: true });
  });

  it('keeps colons inside ${…} expressions, nested braces included', () => {
    expect(parseVolumeSpec('/tmp:/tmp/${TIME:-12:30:45}/path', raw)).toEqual({
      type: 'bind',
      source: '/tmp',
      target: '/tmp/${TIME:-12:30:45}/path',
      bind: { create_host_path: true },
    });
    expect(parseVolumeSpec('/src/${S:-a}:/dst/${V:-{x:y}}/p:slave,ro', raw)).toEqual({
      type: 'bind',
      source: '/src/${S:-a}',
      target: '/dst/${V:-{x:y}}/p',
      read_only: true,
      bind: { create_host_path: true, propagation: 'slave' },
    });
    expect(parseVolumeSpec('vol:/data/${VAR:-d}', raw)).toMatchObject({ type: 'volume', source: 'vol' });
  });

  it('still splits on colons outside ${…}', () => {
    expect(msg('/a:/b/${X:-1}/c:/d:ro')).toBe('invalid spec: /a:/b/${X:-1}/c:/d:ro: too many colons');
    expect(parseVolumeSpec('/a:/b/${X}:ro', raw)).toMatchObject({ target: '/b/${X}', read_only: true });
  });

  it('ignores unknown options', () => {
    expect(parseVolumeSpec('name:/target:bogus', raw)).toEqual({ type: 'volume', source: 'name', target: '/target', volume: {} });
    expect(parseVolumeSpec('name:/target:RW,,ro', raw)).toMatchObject({ read_only: true });
  });

  it('keeps options that do not fit the mount type, as compose-go does (compose warns at create)', () => {
    // bind options on a named volume: a bind mapping, with compose-go's create_host_path default
    expect(parseVolumeSpec('db:/data:Z', raw)).toEqual({
      type: 'volume',
      source: 'db',
      target: '/data',
      volume: {},
      bind: { selinux: 'Z', create_host_path: true },
    });
    expect(parseVolumeSpec('name:/target:rshared', raw)).toEqual({
      type: 'volume',
      source: 'name',
      target: '/target',
      volume: {},
      bind: { propagation: 'rshared', create_host_path: true },
    });
    expect(parseVolumeSpec('name:/t:z,rprivate,ro', raw)).toEqual({
      type: 'volume',
      source: 'name',
      target: '/t',
      read_only: true,
      volume: {},
      bind: { selinux: 'z', propagation: 'rprivate', create_host_path: true },
    });
    // nocopy on a bind: a volume mapping next to the bind one
    expect(parseVolumeSpec('./a:/x:nocopy', raw)).toEqual({
      type: 'bind',
      source: './a',
      target: '/x',
      bind: { create_host_path: true },
      volume: { nocopy: true },
    });
    expect(parseVolumeSpec('/h:/x:nocopy,Z', raw)).toEqual({
      type: 'bind',
      source: '/h',
      target: '/x',
      bind: { create_host_path: true, selinux: 'Z' },
      volume: { nocopy: true },
    });
  });

  it('reads a single letter followed by a colon as a drive, not a separator', () => {
    expect(parseVolumeSpec('name:D:', raw)).toMatchObject({ source: 'name', target: 'D:' });
    expect(parseVolumeSpec('d:', raw)).toEqual({ type: 'volume', target: 'd:', volume: {} });
    // two letters are a volume name
    expect(parseVolumeSpec('ab:/x', raw)).toEqual({ type: 'volume', source: 'ab', target: '/x', volume: {} });
  });
});

describe('normalizeVolumeEntry', () => {
  it('moves x-* keys of a long-form entry into extensions', () => {
    expect(normalizeVolumeEntry({ type: 'volume', source: 'db', target: '/data', 'x-note': 'keep' }, ctx)).toEqual({
      type: 'volume',
      source: 'db',
      target: '/data',
      extensions: { 'x-note': 'keep' },
    });
  });
  it('resolves long-form bind sources and cleans targets', () => {
    expect(normalizeVolumeEntry({ type: 'bind', source: 'src', target: '/a/../b/', read_only: 'true' }, ctx)).toEqual({
      type: 'bind',
      source: '/proj/src',
      target: '/b',
      read_only: true,
    });
    expect(() => normalizeVolumeEntry({ type: 'nope', target: '/x' }, ctx)).toThrow(/invalid volume type/);
  });
  it('requires a bind source, with compose-go\'s message', () => {
    for (const source of [undefined, '']) {
      expect(() => normalizeVolumeEntry({ type: 'bind', source, target: '/app' }, ctx)).toThrow(
        'invalid mount config for type "bind": field Source must not be empty',
      );
    }
    expect(normalizeVolumeEntry({ type: 'bind', source: '/h', target: '/app' }, ctx)).toEqual({ type: 'bind', source: '/h', target: '/app' });
  });
  it('defaults bind.create_host_path to true when a bind mapping is given', () => {
    expect(normalizeVolumeEntry({ type: 'bind', source: '/h', target: '/c', bind: {} }, ctx).bind).toEqual({ create_host_path: true });
    expect(normalizeVolumeEntry({ type: 'bind', source: '/h', target: '/c', bind: { propagation: 'shared' } }, ctx).bind).toEqual({
      propagation: 'shared',
      create_host_path: true,
    });
    expect(normalizeVolumeEntry({ type: 'bind', source: '/h', target: '/c', bind: { create_host_path: false } }, ctx).bind).toEqual({
      create_host_path: false,
    });
    expect(normalizeVolumeEntry({ type: 'bind', source: '/h', target: '/c' }, ctx).bind).toBeUndefined();
  });
  it('accepts a bind mapping on another mount type, with the same default (compose-go)', () => {
    expect(normalizeVolumeEntry({ type: 'volume', source: 'db', target: '/c', bind: { selinux: 'z' } }, ctx)).toEqual({
      type: 'volume',
      source: 'db',
      target: '/c',
      bind: { selinux: 'z', create_host_path: true },
    });
    expect(normalizeVolumeEntry({ type: 'bind', source: '/h', target: '/c', volume: { nocopy: true } }, ctx)).toEqual({
      type: 'bind',
      source: '/h',
      target: '/c',
      volume: { nocopy: true },
    });
  });
  it('reads tmpfs.size as bytes', () => {
    const tmpfs = (size: unknown) => normalizeVolumeEntry({ type: 'tmpfs', target: '/app', tmpfs: { size } }, ctx).tmpfs;
    expect(tmpfs('1kb')).toEqual({ size: 1024 });
    expect(tmpfs('10M')).toEqual({ size: 10 * 1024 * 1024 });
    expect(tmpfs(1024)).toEqual({ size: 1024 });
    expect(() => tmpfs('lots')).toThrow("invalid size: 'lots'");
    expect(() => tmpfs({ gb: 1 })).toThrow(LoaderError);
  });
  it('unifies by target, later wins', () => {
    const a = parseVolumeSpec('va:/x', ctx);
    const b = parseVolumeSpec('vb:/x', ctx);
    const c = parseVolumeSpec('vc:/y', ctx);
    expect(uniqueVolumes([a, c, b])).toEqual([b, c]);
  });
});
