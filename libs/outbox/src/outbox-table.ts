import { quoteIdent } from '@tessera/db';

/**
 * Where a service's outbox lives. Each service keeps its own table in its own schema; the table
 * has the columns of `OUTBOX_COLUMNS` (see the services' migrations).
 */
export interface OutboxLocation {
  /** Table name (default `outbox`). */
  table?: string;
  /**
   * Schema of the table. Default: none, so the name resolves through the connection's
   * `search_path`, which `createPool({ schema })` sets to the service's own schema.
   */
  schema?: string;
}

/**
 * The columns both the writer and the relay rely on, for a service's migration:
 * `id` (bigint from a sequence; the relay publishes in id order), `topic` (catalogue `TopicId`),
 * `key`, `payload jsonb` (NULL = tombstone), `created_at`, `published_at` (NULL = pending),
 * `failed_reason` (set aside: the topic schema refused the message).
 */
export const OUTBOX_COLUMNS = [
  'id',
  'topic',
  'key',
  'payload',
  'created_at',
  'published_at',
  'failed_reason',
] as const;

/** The quoted relation name for SQL text; names are validated, never interpolated raw. */
export function outboxRelation(location: OutboxLocation = {}): string {
  const table = quoteIdent(location.table ?? 'outbox');
  return location.schema === undefined ? table : `${quoteIdent(location.schema)}.${table}`;
}
