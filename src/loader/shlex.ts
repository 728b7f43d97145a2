/**
 * Splitting of string `command:` / `entrypoint:` values (and hook / `develop.watch[].exec`
 * commands) into an argv, as compose does (compose-behaviour.md §2.2: "String (shell-split)").
 *
 * compose-go decodes these strings with go-shellwords v1.0.12's `Parse`, with its defaults (no
 * `$VAR` expansion, no backtick or `$( … )` execution). That is NOT a POSIX shell: it stops at the
 * first unquoted `;`, `&`, `|`, `<` or `>` and silently drops the rest, and it refuses an unquoted
 * `(`. This module reproduces that behaviour exactly (facts learnt from go-shellwords' source and
 * tests; the code is our own) and reports the cut, so the loader can warn where compose is silent
 * (docker/docs#13265).
 */
import { LoaderError } from '../errors.js';

/** Where a string command was cut at a shell operator. */
export interface CommandCut {
  /** The operator as written there, e.g. `&&`, `|`, `;`, `>`, `2>`. */
  operator: string;
  /** Everything that was dropped, from the operator (or a redirect's fd word) on, trimmed. */
  dropped: string;
}

/** The outcome of {@link splitCommandLine}. */
export interface CommandSplit {
  /** The argv compose runs. */
  words: string[];
  /** Set when the text went on after an unquoted operator. */
  cut?: CommandCut;
}

const HINT = 'quote the character, or write the command as a list';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Split `text` into words exactly as go-shellwords v1.0.12 `Parse` does with its defaults:
 *
 * - space, tab, CR and LF separate words; `''` and `""` give an empty word;
 * - `'…'` is literal (a backslash too); in `"…"` and outside quotes a backslash makes the next
 *   character literal, whatever it is (`\a` → `a`, backslash-newline → a newline, `\t` → `t`);
 * - `$VAR`, `${VAR}`, `~` and `#` are plain characters;
 * - a backtick pair and `$( … )` are kept as written, their content literal (spaces, operators);
 *   outside quotes a bare `)` opens such a region too, and it must be closed by another `)`;
 * - an unquoted `;`, `&`, `|`, `<` or `>` ends the command: the rest is dropped and reported in
 *   `cut`; before `>`, a word starting with a digit (`2>`) is dropped with it.
 *
 * @throws {LoaderError} `invalid command line string …` (no position; the caller adds it) for an
 *   unquoted `(` that does not follow `$`, an unterminated quote, backquote or `$(`, or a
 *   trailing backslash.
 */
export function splitCommandLine(text: string): CommandSplit {
  const words: string[] = [];
  let buf = '';
  /** 0: no word yet; 1: a word with unquoted content; 2: a word ending with a closed quote. */
  let got: 0 | 1 | 2 = 0;
  let escaped = false;
  let single = false;
  let double = false;
  let backquote = false;
  let dollar = false;
  /** Index in `text` where the current word began, -1 between words. */
  let wordStart = -1;
  let cut: CommandCut | undefined;
  const fail = (why: string) =>
    new LoaderError(`invalid command line string ${JSON.stringify(text)}: ${why}`, {}, { hint: HINT });

  let index = 0;
  for (const c of text) {
    const at = index;
    index += c.length;
    if (wordStart < 0 && !isSpace(c)) wordStart = at;
    if (escaped) {
      buf += c;
      escaped = false;
      got = 1;
      continue;
    }
    if (c === '\\') {
      if (single) buf += c;
      else escaped = true;
      continue;
    }
    const quoted = single || double || backquote || dollar;
    if (isSpace(c)) {
      if (quoted) buf += c;
      else {
        if (got !== 0) {
          words.push(buf);
          buf = '';
          got = 0;
        }
        wordStart = -1;
      }
      continue;
    }
    if (c === '`') {
      if (!single && !double && !dollar) backquote = !backquote;
    } else if (c === ')') {
      if (!single && !double && !backquote) dollar = !dollar;
    } else if (c === '(') {
      if (!single && !double && !backquote) {
        if (dollar || !buf.endsWith('$')) {
          throw fail(`an unquoted "(" (at offset ${at}) is not allowed, only in "$("`);
        }
        dollar = true;
        buf += c;
        continue;
      }
    } else if (c === '"') {
      if (!single && !dollar) {
        if (double) got = 2;
        double = !double;
        continue;
      }
    } else if (c === "'") {
      if (!double && !dollar) {
        if (single) got = 2;
        single = !single;
        continue;
      }
    } else if (c === ';' || c === '&' || c === '|' || c === '<' || c === '>') {
      if (!quoted) {
        let from = at;
        // `2>file`: the fd word goes with the redirect
        if (c === '>' && buf !== '' && buf[0]! >= '0' && buf[0]! <= '9') {
          got = 0;
          from = wordStart;
        }
        const operator = /^\d*[;&|<>]+/.exec(text.slice(from))?.[0] ?? c;
        cut = { operator, dropped: text.slice(from).trim() };
        break;
      }
    }
    got = 1;
    buf += c;
  }
  if (got !== 0) words.push(buf);
  if (!cut) {
    if (escaped) throw fail('it ends with a backslash');
    if (single || double) throw fail('unterminated quote');
    if (backquote) throw fail('unterminated backquote');
    if (dollar) throw fail('a "$(" or ")" is not closed');
  }
  return cut ? { words, cut } : { words };
}

/**
 * The words of {@link splitCommandLine}, without the cut.
 *
 * @throws {LoaderError} as {@link splitCommandLine}.
 */
export function shellSplit(text: string): string[] {
  return splitCommandLine(text).words;
}

/**
 * Split a string command as compose does ({@link splitCommandLine}); when it was cut at an
 * operator, call `warn` with a message saying what runs, what is dropped, and how to write it
 * instead (the caller adds the file position and key path).
 *
 * @throws {LoaderError} as {@link splitCommandLine}.
 */
export function splitCommand(text: string, warn?: (message: string) => void): string[] {
  const { words, cut } = splitCommandLine(text);
  if (cut && warn) warn(cutWarning(text, words, cut));
  return words;
}

/** The warning for a string command cut at an operator. */
export function cutWarning(text: string, words: readonly string[], cut: CommandCut): string {
  return (
    `the string command stops at the unquoted "${cut.operator}": Compose runs ${JSON.stringify(words)} ` +
    `and drops ${JSON.stringify(cut.dropped)}; to run it in a shell write ${JSON.stringify(['sh', '-c', text.trim()])}, ` +
    `or write the command as a list`
  );
}
