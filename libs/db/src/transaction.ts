import type pg from 'pg';
import { asRetryableDbError } from './errors';

/**
 * Runs `fn` in a transaction on one client: COMMIT on success, ROLLBACK on error (the error is
 * rethrown, transient ones as retryable `AppError`s), the client always released. A client
 * whose ROLLBACK failed is destroyed rather than returned to the pool in an unknown state.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw asRetryableDbError(err);
  }
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed');
    }
    throw asRetryableDbError(err);
  } finally {
    client.release(broken);
  }
}
