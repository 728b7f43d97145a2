/**
 * `.env` / `env_file` parser (compose-behaviour.md §3.4, ecosystem.md §4). Own implementation of
 * compose's dotenv dialect; the `dotenv` npm package differs on comments, quotes and `$$`.
 *
 * Statements: `[export ]KEY=VALUE`, `KEY: VALUE`, or a bare `KEY` (inherits from the lookup, omitted
 * when unset). Values: unquoted (to end of line, ` #` starts a comment, trimmed, interpolated),
 * `'single'` (literal, may span lines, `\'` escapes the quote), `"double"` (may span lines,
 * escapes `\a \b \f \n \r \t \v \\ \" \$ \0NNN`, then interpolated).
 */
import { LoaderError } from '../errors.js';
import { interpolate, TemplateError, type Lookup } from './interpolate.js';

/** Options of {@link parseDotenv}. */
export interface DotenvOptions {
  /** File name for error messages. */
  file?: string;
  /**
   * Lookup consulted first for bare `KEY` lines and `${VAR}` references (the OS environment).
   * Keys defined earlier in this file, then `defined`, are consulted after it.
   */
  lookup?: Lookup;
  /** Values defined by earlier files (for `${VAR}` references); not part of the result. */
  defined?: Record<string, string>;
  /** `false` disables interpolation (values kept as written). Default true. */
  interpolate?: boolean;
}

const KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;

/**
 * Parse dotenv text into an ordered map of key → value.
 *
 * @throws {LoaderError} for a malformed line: position `file:line` when `file` is given (reason
 *   without the line), else a reason prefixed `line N: ` (compose's own message form), e.g.
 *   `line 7: key cannot contain a space`, `line 1: unterminated quoted value`.
 */
export function parseDotenv(source: string, options: DotenvOptions = {}): Record<string, string> {
  const src = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const result: Record<string, string> = {};
  const lookup: Lookup = (name) => {
    const v = options.lookup?.(name);
    if (v !== undefined) return v;
    if (Object.hasOwn(result, name)) return result[name];
    if (options.defined && Object.hasOwn(options.defined, name)) return options.defined[name];
    return undefined;
  };
  const fail = (line: number, reason: string): never => {
    if (options.file) throw new LoaderError(reason, { file: options.file, line });
    throw new LoaderError(`line ${line}: ${reason}`);
  };
  const expand = (value: string, line: number): string => {
    if (options.interpolate === false) return value;
    try {
      return interpolate(value, lookup);
    } catch (err) {
      if (err instanceof TemplateError) return fail(line, err.message);
      throw err;
    }
  };

  let i = 0;
  let line = 1;
  const n = src.length;
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

  while (i < n) {
    // Skip blank lines, leading whitespace and full-line comments.
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (isBlank(c) || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const stmtLine = line;
    if (src.startsWith('export', i) && isBlank(src[i + 6])) {
      i += 6;
      while (isBlank(src[i])) i++;
    }
    // Key: up to '=' or ':' or end of line.
    let j = i;
    while (j < n && src[j] !== '=' && src[j] !== ':' && src[j] !== '\n') j++;
    const rawKey = src.slice(i, j).replace(/[ \t]+$/, '');
    for (const ch of rawKey) {
      if (ch === ' ' || ch === '\t') fail(stmtLine, 'key cannot contain a space');
      if (!KEY_CHAR.test(ch)) {
        const eol = src.indexOf('\n', i);
        const text = src.slice(i, eol < 0 ? n : eol);
        fail(stmtLine, `unexpected character ${JSON.stringify(ch)} in variable name ${JSON.stringify(text)}`);
      }
    }
    // Keys starting with a digit are not variable names: compose parses and drops them.
    const keep = !/^\p{N}/u.test(rawKey);
    if (j >= n || src[j] === '\n') {
      // Bare KEY: inherit from the lookup, omit when unset.
      if (rawKey !== '' && keep) {
        const v = options.lookup?.(rawKey);
        if (v !== undefined) result[rawKey] = v;
      }
      i = j;
      continue;
    }
    i = j + 1;
    const hadSpace = isBlank(src[i]);
    while (isBlank(src[i])) i++;
    const q = src[i];
    let value: string;
    if (q === "'" || q === '"') {
      let k = i + 1;
      let raw = '';
      let closed = false;
      while (k < n) {
        const ch = src[k]!;
        if (ch === '\\' && (src[k + 1] === q || (q === '"' && src[k + 1] === '\\'))) {
          raw += ch + src[k + 1];
          k += 2;
          continue;
        }
        if (ch === q) {
          closed = true;
          break;
        }
        if (ch === '\n') line++;
        raw += ch;
        k++;
      }
      if (!closed) fail(stmtLine, 'unterminated quoted value');
      i = k + 1;
      value = q === "'" ? raw.replace(/\\'/g, "'") : expand(unescapeDouble(raw), stmtLine);
      // After the closing quote: whitespace and an optional comment; anything else is the next statement.
      while (isBlank(src[i])) i++;
      if (src[i] === '#') while (i < n && src[i] !== '\n') i++;
    } else {
      let k = i;
      while (k < n && src[k] !== '\n') k++;
      let raw = src.slice(i, k);
      if (raw.startsWith('#') && hadSpace) raw = '';
      const comment = raw.search(/[ \t]#/);
      if (comment >= 0) raw = raw.slice(0, comment);
      raw = raw.replace(/[ \t]+$/, '');
      value = expand(raw, stmtLine);
      i = k;
    }
    if (keep) result[rawKey] = value;
  }
  return result;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/**
 * Expand double-quote escapes. `\$` becomes `$$` so interpolation yields a literal `$`; a literal
 * `$` produced by other escapes is escaped likewise. Unknown escapes are kept verbatim.
 */
function unescapeDouble(raw: string): string {
  let out = '';
  for (let k = 0; k < raw.length; k++) {
    const ch = raw[k]!;
    if (ch !== '\\' || k + 1 >= raw.length) {
      out += ch;
      continue;
    }
    const e = raw[k + 1]!;
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      k++;
    } else if (e === '$') {
      out += '$$';
      k++;
    } else if (e === '0') {
      const m = /^[0-7]{1,3}/.exec(raw.slice(k + 2));
      const digits = m ? m[0] : '';
      const c = String.fromCharCode(parseInt(digits || '0', 8));
      out += c === '$' ? '$$' : c;
      k += 1 + digits.length;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Parse several env files in order: later files win, and each file may reference keys of the
 * earlier ones. `lookup` (the OS environment) is consulted first for every reference.
 *
 * @param files `{ file, source }` pairs in precedence order (lowest first).
 * @throws {LoaderError} as {@link parseDotenv}.
 */
export function parseDotenvFiles(
  files: readonly { file: string; source: string }[],
  lookup?: Lookup,
): Record<string, string> {
  const acc: Record<string, string> = {};
  for (const { file, source } of files) {
    Object.assign(acc, parseDotenv(source, { file, lookup, defined: { ...acc } }));
  }
  return acc;
}
