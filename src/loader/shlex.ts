/**
 * A small POSIX-ish shell word splitter for `command:` / `entrypoint:` strings
 * (compose-behaviour.md §2.2: "String (shell-split)").
 */
import { LoaderError } from '../errors.js';

/**
 * Split `text` into words like a POSIX shell would, without expansions: whitespace separates
 * words; `'…'` is literal; `"…"` allows `\"`, `\\`, `\$`, `` \` `` and line continuation; a
 * backslash outside quotes escapes the next character; `#` at the start of a word begins a comment.
 *
 * @throws {LoaderError} `unterminated quote in command line` (without position; callers add it).
 */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) {
        words.push(cur);
        cur = '';
        inWord = false;
      }
      i++;
    } else if (c === '#' && !inWord) {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new LoaderError(`unterminated quote in ${JSON.stringify(text)}`);
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = text[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') cur += text[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      if (!closed) throw new LoaderError(`unterminated quote in ${JSON.stringify(text)}`);
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < n) {
        if (text[i + 1] !== '\n') {
          cur += text[i + 1];
          inWord = true;
        }
        i += 2;
      } else {
        i++;
      }
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
