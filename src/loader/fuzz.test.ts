/**
 * Property tests (fast-check): no input makes the interpolation or `.env` parsers throw anything
 * but a Capstan error (or, for bare `interpolate`, its documented TemplateError).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapstanError } from '../errors.js';
import { parseDotenv } from './dotenv.js';
import { interpolate, interpolateTree, TemplateError } from './interpolate.js';

const templateChars = fc.constantFrom('$', '{', '}', ':', '-', '?', '+', 'A', 'b', '_', '1', ' ', '"', "'", '\\', '\n', '#', '=', 'é');
const template = fc.array(templateChars, { maxLength: 40 }).map((a) => a.join(''));
const envChars = fc.constantFrom('A', 'b', '_', '1', '=', ':', ' ', '\t', '#', '"', "'", '\\', '$', '{', '}', '\n', '\r', 'export ', '\uFEFF', '.', '-', '[', ']', 'é');
const envText = fc.array(envChars, { maxLength: 60 }).map((a) => a.join(''));
const lookup = (k: string) => (k === 'A' ? 'a' : k === 'b' ? '' : undefined);

describe('fuzz: interpolation', () => {
  it('interpolate returns a string or throws TemplateError', () => {
    fc.assert(
      fc.property(fc.oneof(template, fc.string()), (t) => {
        try {
          expect(typeof interpolate(t, lookup)).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(TemplateError);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('interpolateTree throws only CapstanError', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(template, fc.array(template))), (tree) => {
        try {
          interpolateTree({ services: { s: tree } }, lookup);
        } catch (err) {
          expect(err).toBeInstanceOf(CapstanError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzz: .env parser', () => {
  it('parseDotenv returns a string map or throws CapstanError', () => {
    fc.assert(
      fc.property(fc.oneof(envText, fc.string(), fc.string({ unit: 'grapheme' })), (text) => {
        try {
          const out = parseDotenv(text, { lookup });
          for (const v of Object.values(out)) expect(typeof v).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(CapstanError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
