import { afterEach, describe, expect, it, vi } from 'vitest';
import { project } from '../../test/support/fixtures.js';
import { downOrphanOptions, orphanOptions } from './context.js';

describe('orphanOptions', () => {
  const withEnv = (environment: Record<string, string>) => ({ ...project('p', { web: {} }), environment });

  it('reads COMPOSE_REMOVE_ORPHANS and COMPOSE_IGNORE_ORPHANS from the project environment (.env included)', () => {
    expect(orphanOptions(withEnv({}), undefined)).toEqual({ removeOrphans: false, ignoreOrphans: false });
    expect(orphanOptions(withEnv({ COMPOSE_REMOVE_ORPHANS: 'true' }), undefined)).toEqual({ removeOrphans: true, ignoreOrphans: false });
    expect(orphanOptions(withEnv({ COMPOSE_IGNORE_ORPHANS: '1' }), undefined)).toEqual({ removeOrphans: false, ignoreOrphans: true });
  });

  it('refuses COMPOSE_IGNORE_ORPHANS with --remove-orphans', () => {
    expect(() => orphanOptions(withEnv({ COMPOSE_IGNORE_ORPHANS: '1' }), true)).toThrow('cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans');
  });
});

describe('downOrphanOptions', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('accepts COMPOSE_IGNORE_ORPHANS with --remove-orphans (compose down has no such check)', () => {
    vi.stubEnv('COMPOSE_IGNORE_ORPHANS', '1');
    expect(downOrphanOptions(true)).toEqual({ removeOrphans: true });
  });

  it('takes the --remove-orphans default from COMPOSE_REMOVE_ORPHANS in the OS environment, not .env', () => {
    vi.stubEnv('COMPOSE_REMOVE_ORPHANS', '');
    expect(downOrphanOptions(undefined).removeOrphans).toBe(false); // .env's COMPOSE_REMOVE_ORPHANS is not read
    vi.stubEnv('COMPOSE_REMOVE_ORPHANS', 'true');
    expect(downOrphanOptions(undefined).removeOrphans).toBe(true);
  });
});
