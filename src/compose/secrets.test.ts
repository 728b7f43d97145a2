import { describe, expect, it } from 'vitest';
import { project } from '../../test/support/fixtures.js';
import { secretsAndConfigs, tarOf, type ContainerFile } from './secrets.js';
import type { Project, ServiceConfig } from '../model/types.js';

const resolve = (service: Partial<ServiceConfig>, extra: Partial<Project> = {}) => {
  const p = project('shop', { web: service }, {
    secrets: {
      pw: { name: 'shop_pw', file: '/p/pw.txt' },
      env: { name: 'shop_env', environment: 'PASS' },
      ext: { name: 'ext', external: true },
      drv: { name: 'drv', driver: 'vault' },
      tpl: { name: 'tpl', file: '/p/t', template_driver: 'golang' },
      empty: { name: 'empty' },
    },
    configs: { c: { name: 'shop_c', content: 'x=1' }, f: { name: 'shop_f', file: '/p/f.conf' } },
    environment: { PASS: 'hunter2' },
    ...extra,
  });
  return secretsAndConfigs(p, p.services.web!);
};

describe('secretsAndConfigs', () => {
  it('defaults targets: /run/secrets/<key> for secrets (relative targets under it), /<key> for configs', () => {
    const out = resolve({
      secrets: [{ source: 'pw' }, { source: 'pw', target: 'nested/pw2' }, { source: 'env', target: '/etc/pass' }],
      configs: [{ source: 'f' }, { source: 'c', target: 'etc/c.conf' }],
    });
    expect(out.mounts.map((m) => m.Target)).toEqual(['/run/secrets/pw', '/run/secrets/nested/pw2', '/f']);
    expect(out.mounts.every((m) => m.ReadOnly && m.Type === 'bind')).toBe(true);
    expect(out.files.map((f) => f.path)).toEqual(['/etc/pass', '/etc/c.conf']);
    expect(out.files[0]).toMatchObject({ content: 'hunter2', uid: 0, gid: 0, mode: 0o444 });
  });

  it('warns that uid/gid/mode do not apply to bind-mounted files', () => {
    expect(resolve({ secrets: [{ source: 'pw', mode: '0400' }] }).warnings).toEqual([
      'service "web": secret "pw": uid, gid and mode are ignored for file: sources (bind-mounted read-only)',
    ]);
  });

  it('rejects what needs Swarm, unset variables, bad IDs and read_only services with copied files', () => {
    expect(() => resolve({ secrets: [{ source: 'ext' }] })).toThrow('service "web": secret "ext" is external: external secrets and configs need Swarm');
    expect(() => resolve({ secrets: [{ source: 'drv' }] })).toThrow(/secret "drv" uses a driver/);
    expect(() => resolve({ secrets: [{ source: 'tpl' }] })).toThrow(/secret "tpl" uses template_driver/);
    expect(() => resolve({ secrets: [{ source: 'empty' }] })).toThrow(/has neither file: nor environment:/);
    expect(() => resolve({ secrets: [{ source: 'nope' }] })).toThrow('service "web" refers to undefined secret nope');
    expect(() => resolve({ secrets: [{ source: 'env' }] }, { environment: {} })).toThrow(/reads environment variable PASS, which is not set/);
    expect(() => resolve({ secrets: [{ source: 'env', uid: 'www' }] })).toThrow(/uid "www" must be a numeric ID/);
    expect(() => resolve({ read_only: true, configs: [{ source: 'c' }] })).toThrow(/config "c" must be copied into the container, which read_only: true forbids/);
    expect(() => resolve({ read_only: true, secrets: [{ source: 'pw' }] })).not.toThrow();
  });
});

/** Reads back a ustar archive: name (prefix/name), mode, uid, gid, content; checks checksums. */
function untar(buf: Buffer): { path: string; mode: number; uid: number; gid: number; content: string }[] {
  const out = [];
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const field = (start: number, len: number) => h.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const sum = h.reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0);
    expect(parseInt(field(148, 8), 8)).toBe(sum);
    const size = parseInt(field(124, 12), 8);
    const prefix = field(345, 155);
    out.push({
      path: prefix ? `${prefix}/${field(0, 100)}` : field(0, 100),
      mode: parseInt(field(100, 8), 8),
      uid: parseInt(field(108, 8), 8),
      gid: parseInt(field(116, 8), 8),
      content: buf.subarray(off + 512, off + 512 + size).toString('utf8'),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('tarOf', () => {
  it('writes one entry per file relative to /, with owner and mode, long paths in the prefix field', () => {
    const long = `/run/secrets/${'d'.repeat(60)}/${'f'.repeat(80)}`;
    const files: ContainerFile[] = [
      { path: '/run/secrets/token', content: 'abc', uid: 1000, gid: 1001, mode: 0o400 },
      { path: long, content: 'x'.repeat(600), uid: 0, gid: 0, mode: 0o444 },
      { path: '/empty', content: '', uid: 0, gid: 0, mode: 0o644 },
    ];
    const tar = tarOf(files);
    expect(tar.length % 512).toBe(0);
    expect(untar(tar)).toEqual([
      { path: 'run/secrets/token', mode: 0o400, uid: 1000, gid: 1001, content: 'abc' },
      { path: long.slice(1), mode: 0o444, uid: 0, gid: 0, content: 'x'.repeat(600) },
      { path: 'empty', mode: 0o644, uid: 0, gid: 0, content: '' },
    ]);
  });
});
