import { describe, expect, it } from 'vitest';
import { extractVariables } from './variables.js';

describe('extractVariables', () => {
  it('reports defaults, presence values and required flags, nested references included', () => {
    const vars = extractVariables({ a: '${A:-x}', b: ['${B?err}', '$$NOT', '${C:+yes}'], d: '${D:-$E}' });
    expect([...vars.keys()]).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(vars.get('A')).toEqual({ name: 'A', defaultValue: 'x', presenceValue: '', required: false });
    expect(vars.get('B')?.required).toBe(true);
    expect(vars.get('C')?.presenceValue).toBe('yes');
    expect(vars.get('D')?.defaultValue).toBe('$E');
  });
  it('finds the brace closing a nested ${…} default', () => {
    const vars = extractVariables({ a: '${A:-${B:-{x}}}-$C' });
    expect([...vars.keys()]).toEqual(['A', 'B', 'C']);
    expect(vars.get('A')?.defaultValue).toBe('${B:-{x}}');
  });
  it('ignores escaped dollars, keys and malformed templates', () => {
    expect(extractVariables({ '${KEY}': '$$x ${ unterminated' }).size).toBe(0);
  });
});
