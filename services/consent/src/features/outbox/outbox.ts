import type pg from 'pg';
import type { TopicId } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { withTransaction } from '@tessera/db';
import type { TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';

/** A message committed with the state that caused it; `topic` is a physical topic name. */
export interface OutboxMessage {
  topic: string;
  key: string;
  /** null = tombstone. */
  payload: unknown;
}

export async function enqueue(db: Queryable, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `INSERT INTO outbox (topic, key, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => (m.payload === null ? null : JSON.stringify(m.payload))),
    ],
  );
}

export interface OutboxRelay {
  /** Publishes what is pending (in id order, per batch) and deletes it; returns the count published. */
  flush(): Promise<number>;
}

/**
 * Publishes outbox rows. Rows are locked with SKIP LOCKED so replicas share the work; a row is
 * deleted only after the broker acknowledged it (at least once). Catalogue topics go through the
 * validating typed publish; activation feeds (not in the catalogue) are published raw.
 */
export function createOutboxRelay(deps: {
  pool: pg.Pool;
  producer: Pick<TypedProducer, 'publish' | 'publishRaw'>;
  topicIds: ReadonlyMap<string, TopicId>;
  logger: Logger;
  batchSize?: number;
}): OutboxRelay {
  const batchSize = deps.batchSize ?? 500;
  async function flushOnce(): Promise<number> {
    return withTransaction(deps.pool, async (client) => {
      const { rows } = await client.query<{ id: string; topic: string; key: string; payload: unknown }>(
        'SELECT id, topic, key, payload FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, typeof rows>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      for (const [topic, list] of byTopic) {
        const id = deps.topicIds.get(topic);
        if (id !== undefined && list.every((r) => r.payload !== null)) {
          // The catalogue's schema validates and keys every message.
          await deps.producer.publish(id, list.map((r) => r.payload) as never[]);
        } else {
          await deps.producer.publishRaw(
            topic,
            list.map((r) => ({ key: r.key, value: r.payload === null ? null : JSON.stringify(r.payload) })),
          );
        }
      }
      await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
  return {
    async flush() {
      let total = 0;
      for (;;) {
        const n = await flushOnce();
        total += n;
        if (n < batchSize) break;
      }
      if (total > 0) deps.logger.debug({ published: total }, 'outbox flushed');
      return total;
    },
  };
}
