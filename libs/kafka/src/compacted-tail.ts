import { randomBytes } from 'node:crypto';
import type { TopicId, TopicMessage } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import type { BatchConsumer, TesseraKafka } from './types';

/** A compacted topic read whole into this process's memory, kept current. */
export interface CompactedTopicTail {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once the topic has been read up to where it stood at start (or was found empty). */
  ready(): boolean;
}

export interface CompactedTopicTailOptions<T extends TopicId> {
  kafka: TesseraKafka;
  logger: Logger;
  topic: T;
  /** Base consumer group; a random suffix is added so every instance reads every record. */
  groupId: string;
  /** A record (latest value for its key) or, with value null, a tombstone for `key`. */
  apply(key: string | null, value: TopicMessage<T> | null): void;
  /** Called once, when the tail first becomes ready (e.g. to log what was loaded). */
  onCaughtUp?(): void;
  /** Quiet period after the last batch that also counts as caught up (default 2 s). */
  settleMs?: number;
  /** With no batch at all for this long after joining, the topic counts as empty (default 3 s). */
  emptyTopicMs?: number;
}

/**
 * Tails a compacted topic from the beginning, one consumer group per instance (so each sees every
 * key; the group's committed offsets are never reused).
 *
 * Readiness ("caught up with the topic as it stood"): every partition delivered a chunk with no
 * lag behind the high watermark of its fetch. Partitions that deliver nothing are empty, so as
 * a fallback the tail is also ready when no batch came within `emptyTopicMs` of joining, or
 * none followed the last one for `settleMs` (longer than a fetch wait: a lagging consumer
 * fetches back to back; this also covers a compacted tail, where the last offset is a gap).
 */
export function createCompactedTopicTail<T extends TopicId>(
  opts: CompactedTopicTailOptions<T>,
): CompactedTopicTail {
  const settleMs = opts.settleMs ?? 2_000;
  const emptyTopicMs = opts.emptyTopicMs ?? 3_000;
  let caughtUp = false;
  let joinedAt: number | undefined;
  let lastBatchAt: number | undefined;
  let partitionCount = 1;
  const caughtUpPartitions = new Set<number>();
  let consumer: BatchConsumer | undefined;

  const settle = () => {
    if (caughtUp || joinedAt === undefined) return;
    const now = Date.now();
    const quiet = lastBatchAt === undefined ? now - joinedAt >= emptyTopicMs : now - lastBatchAt >= settleMs;
    if (caughtUpPartitions.size >= partitionCount || quiet) {
      caughtUp = true;
      opts.onCaughtUp?.();
    }
  };

  return {
    async start() {
      if (consumer) return;
      const admin = opts.kafka.admin();
      try {
        const [description] = await admin.describeTopics([opts.topic]);
        partitionCount = Math.max(1, description?.partitions ?? 1);
      } catch (err) {
        opts.logger.warn({ err, topic: opts.topic }, 'could not describe the topic; assuming one partition');
      } finally {
        // An open admin connection keeps a short-lived process (a CLI command) from exiting.
        await admin.disconnect().catch(() => undefined);
      }
      consumer = opts.kafka.consumer({
        groupId: `${opts.groupId}.${randomBytes(6).toString('hex')}`,
        topics: [opts.topic],
        fromBeginning: true,
        handle: async (messages, ctx) => {
          for (const message of messages) opts.apply(message.key, message.value);
          lastBatchAt = Date.now();
          if (ctx.lag === 0) caughtUpPartitions.add(ctx.partition);
          settle();
        },
      });
      await consumer.start();
      joinedAt = Date.now();
    },
    async stop() {
      const running = consumer;
      consumer = undefined;
      if (running) await running.stop();
    },
    ready() {
      settle();
      return caughtUp;
    },
  };
}
