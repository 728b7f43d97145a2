import { describe, expect, it } from 'vitest';
import type { Project } from '../model/types.js';
import { projectToModel } from './serialize.js';

describe('projectToModel', () => {
  it('orders keys canonically, escapes $ and drops internal fields', () => {
    const p: Project = {
      name: 'p',
      services: {
        z: { name: 'z', image: 'x', environment: { B: 'a$b', A: null } },
        a: { name: 'a', image: 'y', command: ['echo', '$HOME'], labels: undefined },
      },
      networks: { default: { name: 'p_default' } },
      volumes: {},
      secrets: {},
      configs: {},
      extensions: { 'x-b': 1, 'x-a': '$x' },
      workingDir: '/w',
      configFiles: [],
      envFiles: [],
      environment: {},
      disabledServices: {},
      profiles: [],
    };
    const m = projectToModel(p);
    expect(Object.keys(m)).toEqual(['name', 'services', 'networks', 'x-a', 'x-b']);
    expect(m.services).toEqual({
      a: { command: ['echo', '$$HOME'], image: 'y' },
      z: { environment: { A: null, B: 'a$$b' }, image: 'x' },
    });
    expect(Object.keys(m.services as object)).toEqual(['a', 'z']);
    expect(m['x-a']).toBe('$$x');
  });
});
