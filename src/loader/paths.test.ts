import { describe, expect, it } from 'vitest';
import { rebaseModel, rebaseService, resolveVolumeDevice } from './paths.js';

const o = { fromDir: '/p/lib', toDir: '/p', absolute: true };

describe('rebaseService', () => {
  it('rebases build context, additional contexts, ssh keys and watch paths', () => {
    const svc = rebaseService(
      {
        build: { context: './ctx', additional_contexts: { a: '../a', img: 'docker-image://x', svc: 'service:db' }, ssh: ['default', 'key=./id_rsa'] },
        develop: { watch: [{ path: './src', action: 'sync' }] },
      },
      o,
    );
    expect(svc).toEqual({
      build: { context: '/p/lib/ctx', additional_contexts: { a: '/p/a', img: 'docker-image://x', svc: 'service:db' }, ssh: ['default', 'key=/p/lib/id_rsa'] },
      develop: { watch: [{ path: '/p/lib/src', action: 'sync' }] },
    });
  });
  it('leaves an absent build context absent (it defaults to the project directory later)', () => {
    expect(rebaseService({ build: { target: 'dev' } }, o)).toEqual({ build: { target: 'dev' } });
    expect(rebaseService({ build: { context: 'https://github.com/x/y.git' } }, o)).toEqual({ build: { context: 'https://github.com/x/y.git' } });
  });
});

describe('rebaseModel', () => {
  it('gives an included build without context the included project directory', () => {
    const m = rebaseModel({ services: { a: { build: { dockerfile_inline: 'FROM x' } }, b: { image: 'b' } } }, { fromDir: '/p/sub', toDir: '/p', absolute: true });
    expect(m.services).toEqual({ a: { build: { dockerfile_inline: 'FROM x', context: '/p/sub' } }, b: { image: 'b' } });
  });
  it('rebases the device of local bind volumes only', () => {
    const m = rebaseModel(
      {
        volumes: {
          data: { driver: 'local', driver_opts: { type: 'none', o: 'bind', device: './data' } },
          nfs: { driver_opts: { type: 'nfs', o: 'addr=1.2.3.4,rw', device: ':/export' } },
        },
      },
      { fromDir: '/p/sub', toDir: '/p' },
    );
    expect(m.volumes).toEqual({
      data: { driver: 'local', driver_opts: { type: 'none', o: 'bind', device: 'sub/data' } },
      nfs: { driver_opts: { type: 'nfs', o: 'addr=1.2.3.4,rw', device: ':/export' } },
    });
  });
});

describe('resolveVolumeDevice', () => {
  it('makes a relative bind device absolute', () => {
    expect(resolveVolumeDevice({ driver: 'local', driver_opts: { o: 'bind', device: './data' } }, '/p')).toEqual({
      driver: 'local',
      driver_opts: { o: 'bind', device: '/p/data' },
    });
    expect(resolveVolumeDevice({ driver_opts: { o: 'rbind,ro', device: 'd' } }, '/p')).toEqual({ driver_opts: { o: 'rbind,ro', device: '/p/d' } });
  });
  it('leaves other drivers, non-bind options and absolute devices alone', () => {
    const other = { driver: 'rexray', driver_opts: { o: 'bind', device: './data' } };
    expect(resolveVolumeDevice(other, '/p')).toBe(other);
    const tmpfs = { driver: 'local', driver_opts: { type: 'tmpfs', o: 'size=100m', device: 'tmpfs' } };
    expect(resolveVolumeDevice(tmpfs, '/p')).toBe(tmpfs);
    expect(resolveVolumeDevice({ driver_opts: { o: 'bind', device: '/abs' } }, '/p')).toEqual({ driver_opts: { o: 'bind', device: '/abs' } });
    expect(resolveVolumeDevice(null, '/p')).toBeNull();
  });
});
