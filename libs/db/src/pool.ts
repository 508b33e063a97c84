import type { Logger } from '@tessera/observability';
import pg from 'pg';
import { assertSchemaName } from './identifiers';

export interface CreatePoolOptions {
  connectionString: string;
  /** The service's own schema; first on every connection's search_path. */
  schema: string;
  max?: number;
  applicationName?: string;
  /** Idle-client errors (database restart, network drop) are logged here as warnings. */
  logger?: Logger;
  /** Server-side statement timeout in ms (default: none). */
  statementTimeoutMs?: number;
  /** How long to wait for a free or new connection before failing (default 10s). */
  connectionTimeoutMs?: number;
}

/** Anything that runs a query: a pool or a transaction's client. Stores take this. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * A pg pool whose connections all have `search_path=<schema>,public`, set as a startup option so
 * no query can run before it applies. Idle-client errors are handled (pg would otherwise crash
 * the process on a database restart); the pool replaces broken clients by itself.
 */
export function createPool(opts: CreatePoolOptions): pg.Pool {
  const schema = assertSchemaName(opts.schema);
  const startup = [`-c search_path=${schema},public`];
  if (opts.statementTimeoutMs !== undefined)
    startup.push(`-c statement_timeout=${Math.floor(opts.statementTimeoutMs)}`);
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? `tessera-${schema}`,
    options: startup.join(' '),
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => {
    opts.logger?.warn({ err, schema }, 'idle postgres client failed; it will be replaced');
  });
  return pool;
}

/** Readiness check (see `createReadiness`): the pool can hand out a connection that answers. */
export function postgresReadiness(db: Queryable): () => Promise<void> {
  return async () => {
    await db.query('SELECT 1');
  };
}
