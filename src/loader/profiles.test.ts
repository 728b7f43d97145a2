import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../model/types.js';
import { applyProfiles, isServiceEnabled, parseProfilesEnv } from './profiles.js';

describe('profiles', () => {
  it('enables services without profiles, or with an active one, or with *', () => {
    expect(isServiceEnabled({}, [])).toBe(true);
    expect(isServiceEnabled({ profiles: ['a'] }, [])).toBe(false);
    expect(isServiceEnabled({ profiles: ['a', 'b'] }, ['b'])).toBe(true);
    expect(isServiceEnabled({ profiles: ['a'] }, ['*'])).toBe(true);
  });
  it('splits services', () => {
    const s = (name: string, profiles?: string[]): ServiceConfig => ({ name, profiles });
    const { enabled, disabled } = applyProfiles({ a: s('a'), b: s('b', ['x']) }, []);
    expect(Object.keys(enabled)).toEqual(['a']);
    expect(Object.keys(disabled)).toEqual(['b']);
  });
  it('parses COMPOSE_PROFILES', () => {
    expect(parseProfilesEnv(' a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseProfilesEnv(undefined)).toEqual([]);
  });
});
