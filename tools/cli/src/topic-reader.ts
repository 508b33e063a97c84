import { randomBytes } from 'node:crypto';
import type { TopicId, TopicMessage } from '@tessera/contracts';
import type { ConsumedMessage, TesseraKafka } from '@tessera/kafka';
import { CliError, ExitCodes } from './cli-error';
import { pollUntil } from './poll';

export interface ReadTopicOptions {
  /** Base consumer group; a random suffix makes every read start from the beginning. */
  groupId: string;
  /** Quiet period after the last batch that counts as "read to the end". */
  settleMs?: number;
  /** No batch at all for this long after the consumer started: the topic is empty. */
  emptyTopicMs?: number;
  timeoutMs?: number;
}

/**
 * Reads a whole topic as it stands now (for operator commands over small topics such as the
 * dead-letter topic). A partition that delivered is caught up when its last chunk had no lag
 * behind it; partitions that are empty never deliver, so the read ends after a quiet period once
 * every delivering partition caught up (or after `emptyTopicMs` when nothing arrived at all).
 */
export async function readTopic<T extends TopicId>(
  kafka: TesseraKafka,
  topic: T,
  opts: ReadTopicOptions,
): Promise<Array<ConsumedMessage<TopicMessage<T> | null>>> {
  const settleMs = opts.settleMs ?? 1_000;
  const emptyTopicMs = opts.emptyTopicMs ?? 5_000;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const messages: Array<ConsumedMessage<TopicMessage<T> | null>> = [];
  let lastBatchAt: number | undefined;
  // Per partition: how many messages were already behind the last chunk when it was fetched.
  const lagByPartition = new Map<number, number>();
  const consumer = kafka.consumer({
    groupId: `${opts.groupId}.${randomBytes(6).toString('hex')}`,
    topics: [topic],
    fromBeginning: true,
    handle: async (batch, ctx) => {
      messages.push(...batch);
      lagByPartition.set(ctx.partition, ctx.lag);
      lastBatchAt = Date.now();
    },
  });
  const startedAt = Date.now();
  await consumer.start();
  try {
    const settled = await pollUntil(
      () =>
        lastBatchAt === undefined
          ? Date.now() - startedAt >= emptyTopicMs
          : [...lagByPartition.values()].every((lag) => lag === 0) && Date.now() - lastBatchAt >= settleMs,
      { timeoutMs, intervalMs: 100 },
    );
    if (!settled) {
      throw new CliError(
        `topic ${kafka.topic(topic)} was still delivering after ${timeoutMs / 1000}s`,
        ExitCodes.failure,
      );
    }
  } finally {
    await consumer.stop();
  }
  // Partitions arrive interleaved; order by time, then position, so output is stable.
  return messages.sort(
    (a, b) =>
      Number(a.timestamp) - Number(b.timestamp) ||
      a.partition - b.partition ||
      Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}
