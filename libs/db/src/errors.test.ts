import { AppError } from '@tessera/contracts';
import { asRetryableDbError, isTransientDbError } from './errors';

const withCode = (code: string) => Object.assign(new Error('db error'), { code });

describe('isTransientDbError', () => {
  it('should treat connection failures, restarts, deadlocks and serialization failures as transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '08006', '57P01', '57P03', '40001', '40P01', '53300']) {
      expect(isTransientDbError(withCode(code))).toBe(true);
    }
    expect(isTransientDbError(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('should treat constraint violations and syntax errors as permanent', () => {
    for (const code of ['23505', '23503', '42601', '42P01'])
      expect(isTransientDbError(withCode(code))).toBe(false);
    expect(isTransientDbError(new Error('boom'))).toBe(false);
  });
});

describe('asRetryableDbError', () => {
  it('should wrap transient errors as retryable 503 AppErrors and pass others through', () => {
    const wrapped = asRetryableDbError(withCode('ECONNREFUSED'));
    expect(wrapped).toBeInstanceOf(AppError);
    expect(wrapped).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', statusCode: 503, retryable: true });
    const unique = withCode('23505');
    expect(asRetryableDbError(unique)).toBe(unique);
  });

  it('should say whether the database is away or the transaction lost a conflict', () => {
    expect(asRetryableDbError(withCode('57P01'))).toMatchObject({ message: 'database unavailable' });
    for (const code of ['40P01', '40001'])
      expect(asRetryableDbError(withCode(code))).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        message: expect.stringMatching(/conflict with a concurrent one/),
      });
  });
});
