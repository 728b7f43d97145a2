import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import type { ServiceConfig } from '../model/types.js';
import { readServiceLabelFiles, resolveServiceEnvironment } from './environment.js';

const files: Record<string, string> = {
  '/p/a.label': 'FOO=foo_a\nBAR=bar_a\n# comment\nDOT.KEY=ok\n',
  '/p/b.label': 'BAR=bar_b\nREF=${FOO}-ref\n',
  '/p/app.env': 'E=from_file\n',
};
const readFile = (p: string) => files[p];

describe('label files', () => {
  it('reads label files in order, later files and service labels winning', () => {
    expect(readServiceLabelFiles(['/p/a.label', '/p/b.label'], { readFile })).toEqual({
      FOO: 'foo_a',
      BAR: 'bar_b',
      'DOT.KEY': 'ok',
      REF: 'foo_a-ref',
    });
    const svc: ServiceConfig = { name: 's', image: 'x', labels: { FOO: 'mine' }, label_file: ['/p/a.label'], env_file: [{ path: '/p/app.env', required: true }] };
    const out = resolveServiceEnvironment(svc, { projectEnv: {}, readFile });
    expect(out.labels).toEqual({ FOO: 'mine', BAR: 'bar_a', 'DOT.KEY': 'ok' });
    expect(out.environment).toEqual({ E: 'from_file' });
    expect(out.label_file).toBeUndefined();
    expect(resolveServiceEnvironment(svc, { projectEnv: {}, readFile, keepEnvFile: true }).label_file).toEqual(['/p/a.label']);
  });
  it('fails on a missing label file', () => {
    const svc: ServiceConfig = { name: 's', image: 'x', label_file: ['/p/missing.label'] };
    expect(() => resolveServiceEnvironment(svc, { projectEnv: {}, readFile })).toThrow(LoaderError);
    expect(() => resolveServiceEnvironment(svc, { projectEnv: {}, readFile })).toThrow(/label file \/p\/missing\.label not found/);
  });
  it('leaves a service without env or label files as it is', () => {
    const svc: ServiceConfig = { name: 's', image: 'x', labels: { a: 'b' } };
    expect(resolveServiceEnvironment(svc, { projectEnv: {}, readFile })).toBe(svc);
  });
});
