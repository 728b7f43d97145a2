import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { goPrint, renderFormat, tabwrite } from './go-template.js';

const spec = {
  table: 'table {{.Name}}\t{{.Status}}\t{{.Ports}}',
  headers: { Name: 'NAME', Status: 'STATUS', Ports: 'PORTS', Publishers: 'PUBLISHERS' },
};
const rows = [
  { Name: 'shop-web-1', Status: 'Up 2 minutes', Ports: '0.0.0.0:8080->80/tcp', Publishers: [{ URL: '0.0.0.0', TargetPort: 80 }] },
  { Name: 'shop-db-1', Status: 'Exited (0) 3 seconds ago', Ports: '', Publishers: [] },
];

describe('renderFormat', () => {
  it('prints the default table for no format and for `table`, aligned as Go tabwriter (min 10, padding 3)', () => {
    const expected =
      'NAME         STATUS                     PORTS\n' +
      'shop-web-1   Up 2 minutes               0.0.0.0:8080->80/tcp\n' +
      'shop-db-1    Exited (0) 3 seconds ago   \n';
    expect(renderFormat(undefined, rows, spec)).toBe(expected);
    expect(renderFormat('table', rows, spec)).toBe(expected);
    expect(renderFormat('', rows, spec)).toBe(expected);
  });

  it('pads short columns to the minimum width and prints only the header for no rows', () => {
    expect(renderFormat('table', [], spec)).toBe('NAME      STATUS    PORTS\n');
  });

  it('prints one JSON object per line for `json`', () => {
    expect(renderFormat('json', rows.slice(0, 1), spec)).toBe(`${JSON.stringify(rows[0])}\n`);
  });

  it('renders a custom template per row, with \\t and \\n escapes and literal text', () => {
    expect(renderFormat('{{.Name}}: {{.Status}}', rows, spec)).toBe('shop-web-1: Up 2 minutes\nshop-db-1: Exited (0) 3 seconds ago\n');
    expect(renderFormat('{{.Name}}\\t{{ .Status }}\\n', rows.slice(0, 1), spec)).toBe('shop-web-1\tUp 2 minutes\n\n');
    expect(renderFormat('  {{.Name}}  ', rows.slice(0, 1), spec)).toBe('shop-web-1\n');
  });

  it('escapes <, > and & in {{json .}} of rows that marshal themselves as Go does, never in {{json .Field}}', () => {
    const escaping = { ...spec, escapeRowJson: true };
    expect(renderFormat('json', rows.slice(0, 1), escaping)).toContain('"Ports":"0.0.0.0:8080-\\u003e80/tcp"');
    expect(renderFormat('{{json .Ports}}', rows.slice(0, 1), escaping)).toBe('"0.0.0.0:8080->80/tcp"\n');
    expect(JSON.parse(renderFormat('json', rows.slice(0, 1), escaping))).toEqual(rows[0]);
    expect(renderFormat('json', rows.slice(0, 1), spec)).toContain('"Ports":"0.0.0.0:8080->80/tcp"');
  });

  it('renders {{json .Field}} and Go values for structured fields', () => {
    expect(renderFormat('{{json .Publishers}}', rows.slice(0, 1), spec)).toBe('[{"URL":"0.0.0.0","TargetPort":80}]\n');
    expect(renderFormat('{{.Publishers}}', rows, spec)).toBe('[{0.0.0.0 80}]\n[]\n');
    expect(goPrint(null)).toBe('<nil>');
  });

  it('honours the {{- and -}} trim markers', () => {
    expect(renderFormat('a  {{- .Name -}}  b', rows.slice(0, 1), spec)).toBe('ashop-web-1b\n');
  });

  it('prints a header row for a custom table template; {{json .Field}} shows the header too', () => {
    expect(renderFormat('table {{.Status}}\\t{{json .Name}}', rows.slice(0, 1), spec)).toBe(
      'STATUS         NAME\nUp 2 minutes   "shop-web-1"\n',
    );
  });

  it('refuses an unknown field naming it and the fields available, even with no rows', () => {
    const bad = (): string => renderFormat('{{.Nmae}}', [], spec);
    expect(bad).toThrow(CapstanError);
    expect(bad).toThrow(/unknown field "Nmae"/);
    try {
      renderFormat('table {{.name}}', rows, spec);
    } catch (err) {
      expect(err).toBeInstanceOf(CapstanError);
      const e = err as CapstanError;
      expect(e.code).toBe('USAGE');
      expect(e.exitCode).toBe(1);
      expect(e.details).toEqual(['available fields: Name, Status, Ports, Publishers']);
      expect(e.hint).toBe('did you mean {{.Name}}?');
    }
  });

  it('refuses actions outside the subset and unclosed actions', () => {
    expect(() => renderFormat('{{range .}}x{{end}}', rows, spec)).toThrow(/unsupported template action/);
    expect(() => renderFormat('{{.Name', rows, spec)).toThrow(/unclosed action/);
    expect(() => renderFormat('{{upper .Name}}', rows, spec)).toThrow(/unsupported template action/);
  });
});

describe('tabwrite', () => {
  it('aligns column blocks as Go text/tabwriter: a shorter line ends a block, the last cell is not padded', () => {
    expect(tabwrite('a\tb\tc\nlonger\tx\ny\n', 0, 2)).toBe('a       b  c\nlonger  x\ny\n');
    // top's geometry (min 4, padding 2), from docker compose's top tests
    expect(tabwrite('SERVICE\t#\tCMD\nmultiple\t1\t/entrypoint\n', 4, 2)).toBe('SERVICE   #   CMD\nmultiple  1   /entrypoint\n');
  });

  it('counts runes, not UTF-16 units', () => {
    expect(tabwrite('"a…"\tb\nxxxxx\tc\n', 0, 1)).toBe('"a…"  b\nxxxxx c\n');
  });
});
