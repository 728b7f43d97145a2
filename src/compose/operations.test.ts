import { describe, expect, it } from 'vitest';
import { CapstanError, EngineError } from '../errors.js';
import { explainStartFailure } from './operations.js';

describe('explainStartFailure', () => {
  it('names the port and hints when a published port is taken', () => {
    const daemon = new EngineError(500, 'driver failed programming external connectivity on endpoint p-web-1 (abc): Bind for 0.0.0.0:8000 failed: port is already allocated', 'start container p-web-1');
    const err = explainStartFailure('p-web-1', daemon) as CapstanError;
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('container p-web-1 could not start: port 8000 is already allocated');
    expect(err.hint).toMatch(/change the published port/);
    const inUse = new EngineError(500, 'Error starting userland proxy: listen tcp4 0.0.0.0:5432: bind: address already in use', 'start');
    expect((explainStartFailure('p-db-1', inUse) as CapstanError).message).toContain('port 5432 is already allocated');
  });

  it('passes other failures through unchanged', () => {
    const other = new EngineError(500, 'OCI runtime create failed', 'start container x');
    expect(explainStartFailure('x', other)).toBe(other);
  });
});
