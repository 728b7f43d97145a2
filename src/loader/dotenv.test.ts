import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { parseDotenv, parseDotenvFiles } from './dotenv.js';

describe('parseDotenv', () => {
  it('parses KEY=VALUE, KEY: VALUE and export', () => {
    expect(parseDotenv('A=1\nB: 2\nexport C=3\n  D = 4 \nexportE=5\n')).toEqual({ A: '1', B: '2', C: '3', D: '4', exportE: '5' });
  });
  it('skips comments and handles inline comments', () => {
    expect(parseDotenv('# c\nA=x # comment\nB=x#not\nC="q#q" # c\nD=\n')).toEqual({ A: 'x', B: 'x#not', C: 'q#q', D: '' });
  });
  it('bare KEY inherits from the lookup or is omitted', () => {
    expect(parseDotenv('HOME\nNOPE\n', { lookup: (k) => (k === 'HOME' ? '/h' : undefined) })).toEqual({ HOME: '/h' });
  });
  it('single quotes are literal, double quotes expand escapes and span lines', () => {
    const out = parseDotenv(`A='$X \\n'\nB="a\\tb\\n\\$X \\0123"\nC="l1\nl2"\nD='it\\'s'\n`);
    expect(out).toEqual({ A: '$X \\n', B: 'a\tb\n$X S', C: 'l1\nl2', D: "it's" });
  });
  it('interpolates from the lookup first, then earlier keys', () => {
    const out = parseDotenv('A=1\nB=${A}\nC=$$lit\nD=${MISSING:-dflt}', { lookup: (k) => (k === 'A' ? 'os' : undefined) });
    expect(out).toEqual({ A: '1', B: 'os', C: '$lit', D: 'dflt' });
  });
  it('later files see and override earlier ones', () => {
    const out = parseDotenvFiles([
      { file: 'a.env', source: 'H=localhost\nU=http://${H}' },
      { file: 'b.env', source: 'H=dev\nV=${U}/x' },
    ]);
    expect(out).toEqual({ H: 'dev', U: 'http://localhost', V: 'http://localhost/x' });
  });
  it('reports a key with a space with file and line', () => {
    let err: unknown;
    try {
      parseDotenv('A=1\nB="x\ny"\nBAD KEY=1\n', { file: '.env' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).line).toBe(4);
    expect((err as LoaderError).message).toBe('.env:4: key cannot contain a space');
  });
  it('reports unterminated quotes and bad characters', () => {
    expect(() => parseDotenv('A="x')).toThrow('line 1: unterminated quoted value');
    expect(() => parseDotenv("\nA='x")).toThrow('line 2: unterminated quoted value');
    expect(() => parseDotenv('lol$wut')).toThrow(/line 1: unexpected character/);
    expect(() => parseDotenv('A=${B:?need B}')).toThrow('line 1: required variable B is missing a value: need B');
  });
});
