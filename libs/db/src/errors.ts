import { AppError } from '@tessera/contracts';

// Postgres SQLSTATE classes/codes worth retrying: connection exceptions (08), serialization
// failures and deadlocks (40001, 40P01), too many connections (53300), admin shutdown and
// "cannot connect now" during restarts (57P01..57P03).
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03']);
const CONFLICT_SQLSTATES = new Set(['40001', '40P01']);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** True for errors that go away by themselves: the database is restarting, unreachable or busy. */
export function isTransientDbError(err: unknown): boolean {
  if (err instanceof AppError) return err.retryable;
  const code = codeOf(err);
  if (
    code !== undefined &&
    (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))
  ) {
    return true;
  }
  if (err instanceof AggregateError) return err.errors.some(isTransientDbError);
  const message = err instanceof Error ? err.message : '';
  return TRANSIENT_MESSAGES.some((m) => message.includes(m));
}

/**
 * Wraps a transient database error as `AppError('UPSTREAM_UNAVAILABLE', 503, retryable)`, so
 * HTTP answers 503 and Kafka consumers retry instead of dead-lettering. Other errors pass
 * through unchanged (unique violations and the like stay matchable by their SQLSTATE). The
 * message tells a conflict between transactions from an outage, which call for different fixes.
 */
export function asRetryableDbError(err: unknown): unknown {
  if (err instanceof AppError || !isTransientDbError(err)) return err;
  const conflict = CONFLICT_SQLSTATES.has(codeOf(err) ?? '');
  const message = conflict
    ? 'transaction aborted by a conflict with a concurrent one (deadlock or serialization failure)'
    : 'database unavailable';
  return new AppError('UPSTREAM_UNAVAILABLE', message, {
    statusCode: 503,
    retryable: true,
    cause: err,
  });
}
