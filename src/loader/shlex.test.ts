import { describe, expect, it } from 'vitest';
import { shellSplit } from './shlex.js';

describe('shellSplit', () => {
  it('splits words and honours quotes and backslashes', () => {
    expect(shellSplit('bundle exec thin -p 3000')).toEqual(['bundle', 'exec', 'thin', '-p', '3000']);
    expect(shellSplit(`sh -c 'echo "hi there"'`)).toEqual(['sh', '-c', 'echo "hi there"']);
    expect(shellSplit(`echo "a \\"b\\" \\$HOME" c\\ d ''`)).toEqual(['echo', 'a "b" $HOME', 'c d', '']);
    expect(shellSplit('  a\tb\n c  ')).toEqual(['a', 'b', 'c']);
    expect(shellSplit('a # comment')).toEqual(['a']);
    expect(shellSplit('a#b')).toEqual(['a#b']);
  });
  it('rejects unterminated quotes', () => {
    expect(() => shellSplit(`echo 'oops`)).toThrow(/unterminated quote/);
    expect(() => shellSplit(`echo "oops`)).toThrow(/unterminated quote/);
  });
});
