import { describe, expect, it } from 'vitest';
import { ErrorCodes, SluiceError, TaskMigratedError, TopologyError, describeError } from '../src/index.js';

describe('SluiceError', () => {
  it('carries a code, retriability, context and cause', () => {
    const cause = new Error('boom');
    const err = new TopologyError('sink to nothing', { cause, context: { node: 'KSTREAM-SINK-0000000002' } });
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.name).toBe('TopologyError');
    expect(err.code).toBe(ErrorCodes.TOPOLOGY_INVALID);
    expect(err.retriable).toBe(false);
    expect(err.cause).toBe(cause);
    expect(err.context).toEqual({ node: 'KSTREAM-SINK-0000000002' });
    expect(new TaskMigratedError('moved').retriable).toBe(true);
  });

  it('describes anything thrown on one line', () => {
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError('text')).toBe('text');
    expect(describeError({ a: 1 })).toBe('{"a":1}');
  });
});
