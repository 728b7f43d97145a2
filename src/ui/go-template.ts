import { CapstanError } from '../errors.js';

/**
 * `--format` for every listing command (`ps`, `ls`, `images`, `volumes`, `stats`…), as the docker
 * CLI's formatter reads it (docker/cli `cli/command/formatter`, `Context.preFormat`/`postFormat`):
 *
 * - `table` (or no format): the command's default table template;
 * - `json`: `{{json .}}`, one JSON object per line;
 * - `table TEMPLATE`: a header row (each `{{.Field}}` replaced by that field's header), then one
 *   line per row, aligned on `\t` as Go's tabwriter does (columns at least 10 wide, 3 apart);
 * - any other `TEMPLATE`: one line per row, nothing aligned.
 *
 * Before parsing, spaces around the template are trimmed and the two-character sequences `\t` and
 * `\n` become a tab and a newline (so `--format '{{.Name}}\t{{.Status}}'` works from a shell).
 *
 * The template language is a subset of Go's text/template: literal text, `{{.Field}}`, `{{.}}`,
 * `{{json .}}`, `{{json .Field}}`, spaces inside the braces and the `{{-`/`-}}` trim markers.
 * Anything else (`range`, `if`, pipelines, other functions) is refused with a clear error rather
 * than printed wrong.
 *
 * Usage from a command (`rows` are plain objects keyed by docker's field names):
 * ```ts
 * process.stdout.write(renderFormat(flags.format, rows.map(toFields), {
 *   table: 'table {{.Name}}\t{{.Status}}',
 *   headers: { Name: 'NAME', Status: 'STATUS', ID: 'CONTAINER ID' },
 * }));
 * ```
 */

/** What a command tells {@link renderFormat} about its rows. */
export interface FormatSpec {
  /** The template plain `table` (and an empty format) stands for, `table ` prefix included. */
  table: string;
  /**
   * Every field a template may name, with its column header (`RunningFor` → `CREATED`). A
   * template naming a field not listed here is refused, even when there are no rows.
   */
  headers: Readonly<Record<string, string>>;
  /**
   * `{{json .}}` escapes `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`… in the row's JSON, as
   * docker's template contexts marshal themselves with Go's `json.Marshal` (`ps`, `volumes`:
   * `"Ports":"0.0.0.0:80-\u003e80/tcp"`). `{{json .Field}}` never escapes (docker's `json`
   * template function turns HTML escaping off).
   */
  escapeRowJson?: boolean;
  /** Go tabwriter geometry for `table` formats: minimum column width and padding (docker CLI: 10 and 3). */
  minWidth?: number;
  padding?: number;
}

/** One parsed piece of a template. */
type Node =
  | { kind: 'text'; text: string }
  /** `{{.Field}}`, or `{{.}}` when `field` is undefined. */
  | { kind: 'field'; field: string | undefined }
  /** `{{json .}}` / `{{json .Field}}`. */
  | { kind: 'json'; field: string | undefined };

/** A parsed `--format`: whether it is a table, and its nodes. */
export interface ParsedFormat {
  table: boolean;
  nodes: Node[];
}

/** The usage error for a bad template. */
function templateError(message: string, format: string): CapstanError {
  return new CapstanError('USAGE', `--format: ${message}`, { details: [`template: ${format}`] });
}

/**
 * Reads a `--format` value (see the module comment).
 * @param format the flag's value; `undefined`, `''` and `table` mean `spec.table`
 * @throws CapstanError USAGE for a template outside the supported subset or naming a field
 *   `spec.headers` lacks (the message names the field and lists the available ones)
 */
export function parseFormat(format: string | undefined, spec: FormatSpec): ParsedFormat {
  let source = !format || format === 'table' ? spec.table : format;
  const table = source.startsWith('table');
  if (table) source = source.slice('table'.length);
  else if (source === 'json') source = '{{json .}}';
  source = source.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const nodes: Node[] = [];
  const fields = Object.keys(spec.headers);
  let rest = source;
  while (rest.length) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      nodes.push({ kind: 'text', text: rest });
      break;
    }
    let text = rest.slice(0, open);
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw templateError('unclosed action: missing "}}"', format ?? '');
    let inner = rest.slice(open + 2, close);
    rest = rest.slice(close + 2);
    // trim markers: `{{- ` eats the spaces before, ` -}}` those after (Go needs the space)
    if (/^-[ \t\n\r]/.test(inner)) {
      text = text.replace(/[ \t\n\r]+$/, '');
      inner = inner.slice(1);
    }
    if (/[ \t\n\r]-$/.test(inner)) {
      rest = rest.replace(/^[ \t\n\r]+/, '');
      inner = inner.slice(0, -1);
    }
    if (text) nodes.push({ kind: 'text', text });
    nodes.push(parseAction(inner.trim(), fields, format ?? ''));
  }
  return { table, nodes };
}

/** One `{{…}}` action's content. */
function parseAction(action: string, fields: readonly string[], format: string): Node {
  const words = action.split(/\s+/).filter(Boolean);
  const fieldOf = (word: string): string | undefined => {
    if (word === '.') return undefined;
    const m = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (!m) throw templateError(`unsupported template action "{{${action}}}": only {{.Field}}, {{json .}} and {{json .Field}} are supported`, format);
    const field = m[1]!;
    if (!fields.includes(field)) {
      const near = fields.find((f) => f.toLowerCase() === field.toLowerCase());
      throw new CapstanError('USAGE', `--format: unknown field "${field}" in template`, {
        details: [`available fields: ${fields.join(', ')}`],
        ...(near ? { hint: `did you mean {{.${near}}}?` } : {}),
      });
    }
    return field;
  };
  if (words.length === 1) return { kind: 'field', field: fieldOf(words[0]!) };
  if (words.length === 2 && words[0] === 'json') return { kind: 'json', field: fieldOf(words[1]!) };
  throw templateError(`unsupported template action "{{${action}}}": only {{.Field}}, {{json .}} and {{json .Field}} are supported`, format);
}

/**
 * A value as Go's `fmt` prints it with `%v` inside a template: strings as they are, slices as
 * `[a b]`, structs as `{v1 v2}`, nil as `<nil>`.
 */
export function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`;
  if (typeof value === 'object') return `{${Object.values(value).map(goPrint).join(' ')}}`;
  return String(value);
}

/** JSON as Go's `json.Marshal` writes it, HTML-sensitive characters escaped (they occur only inside strings). */
export function goJsonEscaped(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A row's text for one template (no trailing newline). */
function execute(nodes: readonly Node[], row: Readonly<Record<string, unknown>>, escapeRowJson: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'field') out += goPrint(n.field === undefined ? row : row[n.field]);
    else if (n.field === undefined) out += escapeRowJson ? goJsonEscaped(JSON.stringify(row)) : JSON.stringify(row);
    else out += JSON.stringify(row[n.field] ?? null);
  }
  return out;
}

/**
 * The header line of a table template: each field's header; `json .Field` also prints the
 * header, `{{json .}}` stops the line there (docker's header functions fail on it, and Go keeps
 * what was written before the failure).
 */
function executeHeader(nodes: readonly Node[], headers: Readonly<Record<string, string>>): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.field === undefined) break;
    else out += headers[n.field] ?? '';
  }
  return out;
}

/**
 * Renders `rows` with a `--format` value (see the module comment for what it accepts).
 * @param format the flag's value; `undefined`, `''` and `table` mean `spec.table`
 * @param rows one object per item, keyed by the field names of `spec.headers`
 * @returns the whole output, every line (header included) ending in `\n`
 * @throws CapstanError USAGE (exit 1) for an unsupported template or an unknown field
 */
export function renderFormat(format: string | undefined, rows: readonly Readonly<Record<string, unknown>>[], spec: FormatSpec): string {
  const parsed = parseFormat(format, spec);
  const lines = rows.map((r) => `${execute(parsed.nodes, r, spec.escapeRowJson ?? false)}\n`);
  if (!parsed.table) return lines.join('');
  const text = `${executeHeader(parsed.nodes, spec.headers)}\n${lines.join('')}`;
  return tabwrite(text, spec.minWidth ?? 10, spec.padding ?? 3);
}

/** Display width of a cell: runes, as Go's tabwriter counts them. */
const runeWidth = (s: string): number => [...s].length;

/**
 * Aligns tab-separated cells as Go's `text/tabwriter` with flags 0 and a space pad character:
 * a column block is a run of consecutive lines that have a tab-terminated cell in that column;
 * its width is its widest cell plus `padding`, at least `minWidth`; tab-terminated cells (empty
 * ones too) are padded to it, the text after a line's last tab is not. Lines end in `\n`.
 */
export function tabwrite(text: string, minWidth: number, padding: number): string {
  const lines = text.split('\n');
  const endsInNewline = lines[lines.length - 1] === '';
  if (endsInNewline) lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = cells[i]!;
      out.push(line.map((c, j) => (j < widths.length && j < line.length - 1 ? c + ' '.repeat(Math.max(0, widths[j]! - runeWidth(c))) : c)).join(''));
    }
  };
  const format = (start: number, end: number): void => {
    let line0 = start;
    const column = widths.length;
    for (let t = start; t < end; t++) {
      if (column >= cells[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = minWidth;
      for (; t < end; t++) {
        const line = cells[t]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, runeWidth(line[column]!) + padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, end);
  };
  format(0, cells.length);
  return out.map((l) => `${l}\n`).join('').slice(0, endsInNewline ? undefined : -1);
}
