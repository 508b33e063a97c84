import type { Redis } from 'ioredis';

/** Remembers accepted `(sourceId, messageId)` pairs for a window. */
export interface Deduplicator {
  /** Which of these message ids were already accepted within the window. */
  seen(sourceId: string, messageIds: string[]): Promise<Set<string>>;
  /** Records accepted ids; call only after Kafka acknowledged them. */
  mark(sourceId: string, messageIds: string[]): Promise<void>;
}

/**
 * Redis-backed deduplication: check before publishing, mark (`SET NX EX window`) after Kafka
 * acknowledged. Marking after the publish means a crash between the two lets a retried duplicate
 * through (at-least-once): downstream is idempotent on `(sourceId, messageId)`. Reserving before
 * the publish would instead risk dropping an event whose publish then failed.
 */
export function createRedisDeduplicator(
  redis: Redis,
  opts: { keyPrefix: string; windowSeconds: number },
): Deduplicator {
  const key = (sourceId: string, messageId: string) =>
    `${opts.keyPrefix}ingest:dedupe:${sourceId}:${messageId}`;
  return {
    async seen(sourceId, messageIds) {
      if (messageIds.length === 0) return new Set();
      const values = await redis.mget(messageIds.map((id) => key(sourceId, id)));
      return new Set(messageIds.filter((_, i) => values[i] !== null));
    },
    async mark(sourceId, messageIds) {
      if (messageIds.length === 0) return;
      const pipeline = redis.pipeline();
      for (const id of messageIds) pipeline.set(key(sourceId, id), '1', 'EX', opts.windowSeconds, 'NX');
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err !== null);
      if (failed) throw failed[0];
    },
  };
}
