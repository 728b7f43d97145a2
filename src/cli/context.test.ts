import { describe, expect, it } from 'vitest';
import { project } from '../../test/support/fixtures.js';
import { orphanOptions } from './context.js';

describe('orphanOptions', () => {
  const withEnv = (environment: Record<string, string>) => ({ ...project('p', { web: {} }), environment });

  it('reads COMPOSE_REMOVE_ORPHANS and COMPOSE_IGNORE_ORPHANS from the project environment (.env included)', () => {
    expect(orphanOptions(withEnv({}), undefined)).toEqual({ removeOrphans: false, ignoreOrphans: false });
    expect(orphanOptions(withEnv({ COMPOSE_REMOVE_ORPHANS: 'true' }), undefined)).toEqual({ removeOrphans: true, ignoreOrphans: false });
    expect(orphanOptions(withEnv({ COMPOSE_IGNORE_ORPHANS: '1' }), undefined)).toEqual({ removeOrphans: false, ignoreOrphans: true });
  });

  it('refuses COMPOSE_IGNORE_ORPHANS with --remove-orphans', () => {
    expect(() => orphanOptions(withEnv({ COMPOSE_IGNORE_ORPHANS: '1' }), true)).toThrow('COMPOSE_IGNORE_ORPHANS and --remove-orphans cannot be combined');
  });
});
