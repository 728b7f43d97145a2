import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { shellSplit, splitCommand, splitCommandLine } from './shlex.js';

describe('shellSplit', () => {
  it('splits words and honours quotes and backslashes', () => {
    expect(shellSplit('bundle exec thin -p 3000')).toEqual(['bundle', 'exec', 'thin', '-p', '3000']);
    expect(shellSplit(`sh -c 'echo "hi there"'`)).toEqual(['sh', '-c', 'echo "hi there"']);
    expect(shellSplit(`echo "a \\"b\\" \\$HOME" c\\ d ''`)).toEqual(['echo', 'a "b" $HOME', 'c d', '']);
    expect(shellSplit('  a\tb\n c  ')).toEqual(['a', 'b', 'c']);
    expect(shellSplit('a#b')).toEqual(['a#b']);
  });
  it('has no comments: # is a plain character (go-shellwords)', () => {
    // changed: the POSIX splitter read `a # comment` as ['a']
    expect(shellSplit('a # comment')).toEqual(['a', '#', 'comment']);
  });
  it('rejects unterminated quotes', () => {
    expect(() => shellSplit(`echo 'oops`)).toThrow(/unterminated quote/);
    expect(() => shellSplit(`echo "oops`)).toThrow(/unterminated quote/);
  });
});

describe('splitCommandLine, go-shellwords v1.0.12 Parse', () => {
  // go-shellwords' own table (shellwords_test.go, TestSimple)
  const cases: [string, string[]][] = [
    ['', []],
    ['""', ['']],
    ["''", ['']],
    ['var --bar=baz', ['var', '--bar=baz']],
    ['var --bar="baz"', ['var', '--bar=baz']],
    ['var "--bar=baz"', ['var', '--bar=baz']],
    [`var "--bar='baz'"`, ['var', "--bar='baz'"]],
    ['var --bar=`baz`', ['var', '--bar=`baz`']],
    [`var "--bar=\\"baz'"`, ['var', `--bar="baz'`]],
    [`var "--bar=\\'baz\\'"`, ['var', "--bar='baz'"]],
    [`var --bar='\\'`, ['var', '--bar=\\']],
    ['var "--bar baz"', ['var', '--bar baz']],
    ['var --"bar baz"', ['var', '--bar baz']],
    ['var  --"bar baz"', ['var', '--bar baz']],
    ['a "b"', ['a', 'b']],
    ['a " b "', ['a', ' b ']],
    ['a "   "', ['a', '   ']],
    ["a 'b'", ['a', 'b']],
    ["a ' b '", ['a', ' b ']],
    ["a '   '", ['a', '   ']],
    ['foo bar\\  ', ['foo', 'bar ']],
    [`foo "" bar ''`, ['foo', '', 'bar', '']],
    ['foo \\\\', ['foo', '\\']],
    ['foo \\& bar', ['foo', '&', 'bar']],
  ];
  it.each(cases)('%j', (line, expected) => {
    expect(splitCommandLine(line)).toEqual({ words: expected });
  });

  it('keeps $VAR, ${VAR}, ~, backticks and $( … ) as written (no expansion, no execution)', () => {
    expect(shellSplit('echo $HOME ${USER} ~/x')).toEqual(['echo', '$HOME', '${USER}', '~/x']);
    expect(shellSplit('echo $(echo "foo")')).toEqual(['echo', '$(echo "foo")']);
    expect(shellSplit('echo $(`echo1)')).toEqual(['echo', '$(`echo1)']);
    expect(shellSplit('echo `a b; c`')).toEqual(['echo', '`a b; c`']);
    expect(shellSplit('echo $(a && b) c')).toEqual(['echo', '$(a && b)', 'c']);
  });

  it('reads a backslash as go-shellwords v1.0.12 does', () => {
    expect(shellSplit('a\\\nb')).toEqual(['a\nb']); // backslash-newline is a newline, not a continuation
    expect(shellSplit('"C:\\dir\\tmp"')).toEqual(['C:dirtmp']); // any escaped character, even in "…"
    expect(shellSplit("'C:\\dir'")).toEqual(['C:\\dir']);
    expect(shellSplit('a\\tb \\n')).toEqual(['atb', 'n']);
  });

  it('stops at the first unquoted ; & | < >, and reports what was dropped', () => {
    expect(splitCommandLine('a b && c d')).toEqual({ words: ['a', 'b'], cut: { operator: '&&', dropped: '&& c d' } });
    expect(splitCommandLine('a b&&c')).toEqual({ words: ['a', 'b'], cut: { operator: '&&', dropped: '&&c' } });
    expect(splitCommandLine('echo 🍺; seq 1 10')).toEqual({ words: ['echo', '🍺'], cut: { operator: ';', dropped: '; seq 1 10' } });
    expect(splitCommandLine('cat x | grep y')).toEqual({ words: ['cat', 'x'], cut: { operator: '|', dropped: '| grep y' } });
    expect(splitCommandLine('run < in')).toEqual({ words: ['run'], cut: { operator: '<', dropped: '< in' } });
    expect(splitCommandLine('run > out')).toEqual({ words: ['run'], cut: { operator: '>', dropped: '> out' } });
    expect(splitCommandLine('&& x')).toEqual({ words: [], cut: { operator: '&&', dropped: '&& x' } });
    // quoted or escaped operators are plain characters
    expect(splitCommandLine(`sh -c "a && b" 'c | d' e\\;f`)).toEqual({ words: ['sh', '-c', 'a && b', 'c | d', 'e;f'] });
    // nothing is checked after the cut
    expect(splitCommandLine(`a; b ( 'c`)).toEqual({ words: ['a'], cut: { operator: ';', dropped: `; b ( 'c` } });
  });

  it('drops a word starting with a digit before > with the redirect', () => {
    expect(splitCommandLine('ls -la 2>foo')).toEqual({ words: ['ls', '-la'], cut: { operator: '2>', dropped: '2>foo' } });
    expect(splitCommandLine('ls 12x>foo').words).toEqual(['ls']);
    expect(splitCommandLine('ls a2>foo').words).toEqual(['ls', 'a2']);
    expect(splitCommandLine('ls 2|x').words).toEqual(['ls', '2']);
    expect(splitCommandLine('ls 2 >x').words).toEqual(['ls', '2']);
  });

  it('rejects an unquoted ( and unbalanced quotes, backquotes, $( and )', () => {
    const msg = (line: string) => {
      try {
        splitCommandLine(line);
      } catch (err) {
        expect(err).toBeInstanceOf(LoaderError);
        return (err as LoaderError).message;
      }
      return 'no error';
    };
    expect(msg('echo (echo1')).toBe('invalid command line string "echo (echo1": an unquoted "(" (at offset 5) is not allowed, only in "$("');
    expect(msg('echo $ (echo1')).toMatch(/unquoted "\("/);
    expect(msg('f() { x; }')).toMatch(/unquoted "\("/);
    expect(msg('echo $(a (b))')).toMatch(/unquoted "\("/);
    expect(shellSplit('echo "(x)" \'(y)\' \\(z\\)')).toEqual(['echo', '(x)', '(y)', '(z)']);
    expect(msg("foo '")).toMatch(/unterminated quote$/);
    expect(msg('foo "')).toMatch(/unterminated quote$/);
    expect(msg('foo `')).toMatch(/unterminated backquote$/);
    expect(msg('foo \\')).toMatch(/ends with a backslash$/);
    expect(msg('echo $(echo1')).toMatch(/"\$\(" or "\)" is not closed$/);
    expect(msg('echo )echo1')).toMatch(/"\$\(" or "\)" is not closed$/);
  });

  it('reads a bare ) as v1.0.12 does: it opens a region a second ) closes', () => {
    expect(shellSplit('a ) b ) c')).toEqual(['a', ') b )', 'c']);
  });
});

describe('splitCommand', () => {
  it('warns when the command was cut, naming what runs, what is dropped and the fixes', () => {
    const warnings: string[] = [];
    expect(splitCommand('a b && c d', (m) => warnings.push(m))).toEqual(['a', 'b']);
    expect(warnings).toEqual([
      'the string command stops at the unquoted "&&": Compose runs ["a","b"] and drops "&& c d"; ' +
        'to run it in a shell write ["sh","-c","a b && c d"], or write the command as a list',
    ]);
    expect(splitCommand('a "b && c"', (m) => warnings.push(m))).toEqual(['a', 'b && c']);
    expect(warnings).toHaveLength(1);
  });
});
