import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { closestMatch, editDistance, unknownCommandError } from './suggest.js';

const COMMANDS = ['up', 'create', 'down', 'start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'rm', 'ps', 'logs', 'exec', 'top', 'port', 'images', 'volumes', 'ls', 'config', 'build', 'version'];

describe('closest-match suggestions', () => {
  it('counts insertions, deletions, substitutions and transpositions as one edit each', () => {
    expect(editDistance('stop', 'stop')).toBe(0);
    expect(editDistance('stpo', 'stop')).toBe(1);
    expect(editDistance('stp', 'stop')).toBe(1);
    expect(editDistance('stoop', 'stop')).toBe(1);
    expect(editDistance('sxop', 'stop')).toBe(1);
    expect(editDistance('', 'ab')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the nearest command within two edits, case ignored', () => {
    expect(closestMatch('stpo', COMMANDS)).toBe('stop');
    expect(closestMatch('STOP', COMMANDS)).toBe('stop');
    expect(closestMatch('strat', COMMANDS)).toBe('start');
    expect(closestMatch('imgaes', COMMANDS)).toBe('images');
    expect(closestMatch('lgos', COMMANDS)).toBe('logs');
  });

  it('suggests a command the typed text begins', () => {
    expect(closestMatch('vol', COMMANDS)).toBe('volumes');
    expect(closestMatch('conf', COMMANDS)).toBe('config');
  });

  it('suggests nothing for a word far from every command', () => {
    expect(closestMatch('install-plugin', COMMANDS)).toBeUndefined();
    expect(closestMatch('deploy', COMMANDS)).toBeUndefined();
  });

  it('makes the unknown-command usage error, with the suggestion as a hint', () => {
    const e = unknownCommandError('stpo', COMMANDS);
    expect(e).toBeInstanceOf(CapstanError);
    expect(e.message).toBe('unknown command "stpo"');
    expect(e.exitCode).toBe(1);
    expect(e.hint).toMatch(/did you mean "stop"\?/);
    expect(unknownCommandError('install-plugin', COMMANDS).hint).not.toMatch(/did you mean/);
  });
});
