import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { normalizePorts, parsePortSpec, PORT_HINT } from './ports.js';

describe('parsePortSpec', () => {
  it('parses the short forms', () => {
    expect(parsePortSpec('80')).toEqual([{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
    expect(parsePortSpec(80)).toEqual([{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('8000:80')).toEqual([{ mode: 'ingress', target: 80, published: '8000', protocol: 'tcp' }]);
    expect(parsePortSpec('127.0.0.1:8000:80')).toEqual([
      { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8000', protocol: 'tcp' },
    ]);
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('53:53/udp')).toEqual([{ mode: 'ingress', target: 53, published: '53', protocol: 'udp' }]);
    expect(parsePortSpec('[::1]:8080:80')).toEqual([{ mode: 'ingress', host_ip: '::1', target: 80, published: '8080', protocol: 'tcp' }]);
    expect(parsePortSpec('::1:8080:80')[0]).toMatchObject({ host_ip: '::1', published: '8080', target: 80 });
  });
  it('expands ranges one entry per container port', () => {
    expect(parsePortSpec('8000-8002:80-82')).toEqual([
      { mode: 'ingress', target: 80, published: '8000', protocol: 'tcp' },
      { mode: 'ingress', target: 81, published: '8001', protocol: 'tcp' },
      { mode: 'ingress', target: 82, published: '8002', protocol: 'tcp' },
    ]);
    expect(parsePortSpec('3000-3001')).toHaveLength(2);
    expect(parsePortSpec('9090-9091:8080')).toEqual([{ mode: 'ingress', target: 8080, published: '9090-9091', protocol: 'tcp' }]);
  });
  it('rejects malformed mappings with a hint', () => {
    let err: unknown;
    try {
      parsePortSpec('80:80:80');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).message).toBe('"80:80:80" is not a port mapping');
    expect((err as LoaderError).hint).toBe(PORT_HINT);
    for (const bad of ['abc', '80:', '70000', '8000-8001:80-82', '8000:80-82', '80/foo', '1.2.3.4:1:2:3', '82-80']) {
      expect(() => parsePortSpec(bad), bad).toThrow(/is not a port mapping/);
    }
  });
});

describe('normalizePorts', () => {
  it('normalises the long form and unifies duplicates', () => {
    expect(
      normalizePorts([{ target: '80', published: 8080 }, '8080:80', { target: 53, protocol: 'udp', mode: 'host' }]),
    ).toEqual([
      { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
      { mode: 'host', target: 53, protocol: 'udp' },
    ]);
    expect(() => normalizePorts([{ published: 80 }])).toThrow(/invalid target port/);
  });
});
