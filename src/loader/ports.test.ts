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

describe('parsePortSpec, go-connections ParsePortSpec rules', () => {
  const one = (spec: string) => parsePortSpec(spec)[0];

  it('reads an empty host IP as no IP (an unset ${BIND:-}), like HOST:CONTAINER', () => {
    expect(parsePortSpec(':443:443')).toEqual(parsePortSpec('443:443'));
    expect(parsePortSpec(':443:443')).toEqual([{ mode: 'ingress', target: 443, published: '443', protocol: 'tcp' }]);
    expect(parsePortSpec('::443')).toEqual([{ mode: 'ingress', target: 443, protocol: 'tcp' }]);
    expect(parsePortSpec(':8000-8001:80-81/udp')).toHaveLength(2);
  });

  it('reads IPv6 host IPs with or without brackets', () => {
    expect(one('[2001:4860:0:2001::68]::333')).toEqual({ mode: 'ingress', host_ip: '2001:4860:0:2001::68', target: 333, protocol: 'tcp' });
    expect(one('2001:4860:0:2001::68::333')).toEqual({ mode: 'ingress', host_ip: '2001:4860:0:2001::68', target: 333, protocol: 'tcp' });
    expect(one('::1:80:80')).toEqual({ mode: 'ingress', host_ip: '::1', target: 80, published: '80', protocol: 'tcp' });
    expect(one('::::80')).toEqual({ mode: 'ingress', host_ip: '::', target: 80, protocol: 'tcp' });
    // brackets around an IPv4 address are stripped too (net.SplitHostPort)
    expect(one('[127.0.0.1]:80:80')).toMatchObject({ host_ip: '127.0.0.1', published: '80' });
    for (const bad of ['::443:443', '[::1]:80', '[::1:80:80', '[::1]x:80:80', '[fe80::1%eth0]:80:80', 'fe80::1%eth0:80:80']) {
      expect(() => parsePortSpec(bad), bad).toThrow(/is not a port mapping/);
    }
  });

  it('splits the protocol at the first slash; an empty one is tcp', () => {
    expect(parsePortSpec('1234/')).toEqual([{ mode: 'ingress', target: 1234, protocol: 'tcp' }]);
    expect(parsePortSpec('80-81/')).toHaveLength(2);
    expect(one('1234/UDP')).toMatchObject({ protocol: 'udp' });
    expect(one('0.0.0.0:1234-1235:3333/sctp')).toMatchObject({ host_ip: '0.0.0.0', published: '1234-1235', target: 3333, protocol: 'sctp' });
    for (const bad of ['/udp', '0.0.0.0:1234-1235:/tcp', '0.0.0.0:1234-1235:', '80/tcp/udp', '']) {
      expect(() => parsePortSpec(bad), bad).toThrow(/is not a port mapping/);
    }
  });

  it('reads port numbers as strconv.ParseInt does', () => {
    expect(one('+8080:+80')).toMatchObject({ published: '8080', target: 80 });
    expect(one('0080')).toMatchObject({ target: 80 });
    expect(one('80-80')).toEqual({ mode: 'ingress', target: 80, protocol: 'tcp' });
    for (const bad of ['-1', '80-', '80-81-82', '0x50', '65536', '8_0']) {
      expect(() => parsePortSpec(bad), bad).toThrow(/is not a port mapping/);
    }
  });

  it("orders a range's entries as compose-go does: sorted as PORT/PROTOCOL strings", () => {
    expect(parsePortSpec('98-101:98-101').map((p) => [p.target, p.published])).toEqual([
      [100, '100'],
      [101, '101'],
      [98, '98'],
      [99, '99'],
    ]);
    expect(parsePortSpec('0.0.0.0:1234-1235:3333-3334/tcp')).toEqual([
      { mode: 'ingress', host_ip: '0.0.0.0', target: 3333, published: '1234', protocol: 'tcp' },
      { mode: 'ingress', host_ip: '0.0.0.0', target: 3334, published: '1235', protocol: 'tcp' },
    ]);
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
