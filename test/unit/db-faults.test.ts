import { describe, expect, it } from 'vitest';
import { describeDbError, isDatabaseUnavailable } from '../../server/db/faults.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognizes a server shutting down, restarting or refusing connections', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001', '08P01']) {
      expect(isDatabaseUnavailable(withCode('x', code)), code).toBe(true);
    }
  });

  it('recognizes a socket that was refused, reset or timed out', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']) {
      expect(isDatabaseUnavailable(withCode(`connect ${code} 127.0.0.1:5432`, code)), code).toBe(true);
    }
  });

  it("recognizes node-postgres' and pg-pool's messages for a lost or unobtainable connection", () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
      'Client was closed and is not queryable',
    ]) {
      expect(isDatabaseUnavailable(new Error(message)), message).toBe(true);
    }
  });

  it('looks through a cause and through every error of an AggregateError (localhost: ::1 and 127.0.0.1)', () => {
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('refused', 'ECONNREFUSED') }))).toBe(true);
    const both = new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], '');
    expect(isDatabaseUnavailable(both)).toBe(true);
  });

  it('leaves query errors, bad input and everything else alone', () => {
    for (const code of ['22P02', '23505', '40001', '40P01', '42P01', '28P01', '3D000', 'ERR_ASSERTION']) {
      expect(isDatabaseUnavailable(withCode('x', code)), code).toBe(false);
    }
    expect(isDatabaseUnavailable(new Error('submit_ballot returned no row'))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('describeDbError', () => {
  it('keeps the code and message only', () => {
    const err = Object.assign(withCode('terminating connection due to administrator command', '57P01'), {
      client: { password: 'secret' },
      query: 'select 1',
    });
    expect(describeDbError(err)).toEqual({
      code: '57P01',
      message: 'terminating connection due to administrator command',
    });
    expect(describeDbError(new Error('Connection terminated unexpectedly'))).toEqual({
      message: 'Connection terminated unexpectedly',
    });
  });
});
