import { AppError, Topics, issuesFromZod, type TopicId, type TopicMessage } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { outboxRelation, type OutboxLocation } from './outbox-table';

/**
 * One message for the relay. `key` defaults to the catalogue's key of the payload; a tombstone
 * (`payload: null`) names its key.
 */
export type OutboxMessage<T extends TopicId = TopicId> =
  { topic: T; payload: TopicMessage<T>; key?: string } | { topic: T; payload: null; key: string };

/**
 * Appends messages to the outbox in the caller's transaction (one statement for any number of
 * rows), so they exist if and only if that transaction commits.
 *
 * Each payload is validated against its topic's catalogue schema here, before the commit: a
 * message the topic would refuse fails the change that produced it (AppError
 * `EVENT_SCHEMA_INVALID`) instead of committing something the relay can only set aside.
 */
export async function enqueueOutbox(
  db: Queryable,
  messages: readonly OutboxMessage[],
  location: OutboxLocation = {},
): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map((m, index) => {
    const spec = Topics[m.topic];
    if (m.payload === null) {
      if (!spec.tombstones)
        throw new AppError('EVENT_SCHEMA_INVALID', `${spec.name} does not accept tombstones`, {
          statusCode: 500,
        });
      return { topic: m.topic, key: m.key, payload: null };
    }
    const parsed = spec.schema.safeParse(m.payload);
    if (!parsed.success) {
      throw new AppError('EVENT_SCHEMA_INVALID', `refusing to enqueue an invalid ${spec.name} message`, {
        statusCode: 500,
        details: issuesFromZod(parsed.error, [index]),
      });
    }
    const keyOf = spec.key as (message: unknown) => string;
    return { topic: m.topic, key: m.key ?? keyOf(parsed.data), payload: parsed.data };
  });
  await insertOutboxRows(db, rows, location);
}

/** An outbox row as stored: the topic, its resolved key, and the payload (`null`: a tombstone). */
export interface OutboxRow {
  topic: TopicId;
  key: string;
  payload: unknown;
}

/**
 * Appends rows without validating them, for hot paths whose payloads are built by typed code:
 * profile-store's ingestion writes a profile update per changed profile, up to a thousand per
 * batch. Nothing invalid is published either way: the relay checks every payload against the
 * catalogue before sending and sets aside what fails. Prefer `enqueueOutbox`, which refuses an
 * invalid message before the commit.
 */
export async function insertOutboxRows(
  db: Queryable,
  rows: readonly OutboxRow[],
  location: OutboxLocation = {},
): Promise<void> {
  if (rows.length === 0) return;
  const relation = outboxRelation(location);
  await db.query({
    // Named: Postgres parses and plans it once per connection, not once per transaction.
    name: `outbox.insert_rows:${relation}`,
    // A JSON null payload becomes SQL NULL (a tombstone) through NULLIF.
    text: `INSERT INTO ${relation} (topic, key, payload)
     SELECT e->>'topic', e->>'key', NULLIF(e->'payload', 'null'::jsonb) FROM jsonb_array_elements($1::jsonb) AS e`,
    values: [JSON.stringify(rows)],
  });
}
