/**
 * Variable extraction (`capstan config --variables`, compose-go's `ExtractVariables`): every
 * `$VAR` / `${VAR…}` referenced by the string values of a tree, with its default value
 * (`:-`, `-`), presence value (`:+`, `+`) and whether it is required (`:?`, `?`). Defaults and
 * other arguments are reported as written and scanned for nested references too.
 */
import { findClosingBrace } from './interpolate.js';

/** One referenced variable. */
export interface VariableInfo {
  name: string;
  defaultValue: string;
  presenceValue: string;
  required: boolean;
}

const NAME = /^[_A-Za-z][_A-Za-z0-9]*/;

/** Add the variables referenced by one template string to `out` (first occurrence wins). */
export function extractFromString(template: string, out: Map<string, VariableInfo>): void {
  const add = (v: VariableInfo) => {
    if (!out.has(v.name)) out.set(v.name, v);
  };
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) return;
    const next = template[d + 1];
    if (next === '$') {
      i = d + 2;
      continue;
    }
    if (next === '{') {
      const end = findClosingBrace(template, d + 2);
      if (end < 0) return;
      const body = template.slice(d + 2, end);
      const m = NAME.exec(body);
      if (m) {
        const rest = body.slice(m[0].length);
        const op = /^(:-|:\?|:\+|-|\?|\+)/.exec(rest)?.[0] ?? '';
        const arg = rest.slice(op.length);
        add({
          name: m[0],
          defaultValue: op === ':-' || op === '-' ? arg : '',
          presenceValue: op === ':+' || op === '+' ? arg : '',
          required: op === ':?' || op === '?',
        });
        if (arg) extractFromString(arg, out);
      }
      i = end + 1;
      continue;
    }
    const m = NAME.exec(template.slice(d + 1));
    if (m) add({ name: m[0], defaultValue: '', presenceValue: '', required: false });
    i = d + 1 + (m ? m[0].length : 0);
  }
}

/**
 * Every variable referenced by the string values of `tree` (keys are never templates).
 *
 * @returns a map from variable name to {@link VariableInfo}, in first-reference order.
 */
export function extractVariables(tree: unknown): Map<string, VariableInfo> {
  const out = new Map<string, VariableInfo>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') extractFromString(node, out);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') for (const v of Object.values(node)) walk(v);
  };
  walk(tree);
  return out;
}
