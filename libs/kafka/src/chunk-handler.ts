import type { TopicId } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import type { Batch, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { backoffDelay, sleep } from './backoff';
import { createDeadLetterRecord, reasonFromError, type DeadLetterReason } from './dead-letter';
import type { DeadLetterSink } from './dead-letter-sink';
import { decodeRecord, headersToStrings } from './decode';
import { processWithPolicy } from './failure-policy';
import type { KafkaMetrics } from './metrics';
import type { BatchContext, BatchHandler, ConsumedMessage } from './types';

const HEARTBEAT_SLICE_MS = 2_000;

function isKafkaError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

/** Messages after `offset` that were in the partition when the batch was fetched. */
export function lagAfter(highWatermark: string, offset: string): number {
  const lag = BigInt(highWatermark) - 1n - BigInt(offset);
  return lag > 0n ? Number(lag) : 0;
}

export interface ChunkHandlerSettings<T extends TopicId> {
  groupId: string;
  log: Logger;
  metrics: KafkaMetrics;
  maxRetries: number;
  backoff: { initialMs: number; maxMs: number };
  handle: BatchHandler<T>;
  sink(): DeadLetterSink;
  /** Aborted when the consumer stops. */
  signal(): AbortSignal;
}

export type ChunkHandler<T extends TopicId> = (
  topicId: T,
  batch: Batch,
  records: KafkaMessage[],
  payload: EachBatchPayload,
) => Promise<void>;

/**
 * Processes one chunk of a fetched batch: decodes and validates every record, dead-letters the
 * invalid ones, and runs the handler on the rest under the failure policy. Throws
 * ProcessingAborted when the consumer stops mid-retry (the chunk then stays uncommitted).
 */
export function createChunkHandler<T extends TopicId>(settings: ChunkHandlerSettings<T>): ChunkHandler<T> {
  const { log, metrics } = settings;
  /** Waits for a retry while keeping the group membership alive; returns early on stop. */
  const waitWithHeartbeat = async (retry: number, heartbeat: () => Promise<void>) => {
    let remaining = backoffDelay(retry, settings.backoff);
    while (remaining > 0 && !settings.signal().aborted) {
      const slice = Math.min(remaining, HEARTBEAT_SLICE_MS);
      await sleep(slice, settings.signal());
      remaining -= slice;
      await heartbeat();
    }
  };

  return async (
    topicId: T,
    batch: Batch,
    records: KafkaMessage[],
    payload: EachBatchPayload,
  ): Promise<void> => {
    const { partition } = batch;
    const valid: Array<ConsumedMessage<unknown>> = [];
    const rawByOffset = new Map<string, KafkaMessage>();
    const invalid: Array<{ record: KafkaMessage; reason: DeadLetterReason }> = [];
    for (const record of records) {
      const decoded = decodeRecord(topicId, batch.topic, partition, record);
      if (decoded.ok) {
        valid.push(decoded.message);
        rawByOffset.set(record.offset, record);
      } else {
        invalid.push({ record, reason: decoded.reason });
      }
    }
    const shouldStop = () => !payload.isRunning() || payload.isStale() || settings.signal().aborted;
    const deadLetter = async (
      entries: Array<{ record: KafkaMessage; reason: DeadLetterReason; attempts: number }>,
    ) => {
      if (entries.length === 0) return;
      const dlRecords = entries.map(({ record, reason, attempts }) => {
        return createDeadLetterRecord({
          topic: batch.topic,
          partition,
          offset: record.offset,
          key: record.key === null ? null : record.key.toString('utf8'),
          value: record.value,
          headers: headersToStrings(record.headers),
          consumerGroup: settings.groupId,
          error: reason,
          attempts,
        });
      });
      await settings.sink().send(dlRecords, {
        shouldStop,
        wait: (retry) => waitWithHeartbeat(retry, payload.heartbeat),
      });
      for (const r of dlRecords) {
        metrics.deadLettered.inc({ group: settings.groupId, topic: batch.topic, reason: r.error.code });
        log.warn(
          {
            topic: batch.topic,
            partition,
            offset: r.offset,
            code: r.error.code,
            issues: r.error.issues?.length,
          },
          'message dead-lettered',
        );
      }
    };

    await deadLetter(invalid.map((i) => ({ ...i, attempts: 1 })));

    // A heartbeat failing inside the handler means the group is rebalancing (or this member was
    // fenced): the error must reach KafkaJS so it rejoins, not count as a poison message.
    let heartbeatFailure: unknown;
    const heartbeat = async () => {
      try {
        await payload.heartbeat();
      } catch (err) {
        heartbeatFailure ??= err;
        throw err;
      }
    };
    const last = records[records.length - 1]!;
    const ctx: BatchContext<T> = {
      topic: topicId,
      partition,
      heartbeat,
      highWatermark: batch.highWatermark,
      lag: lagAfter(batch.highWatermark, last.offset),
    };
    await processWithPolicy(valid, {
      maxRetries: settings.maxRetries,
      shouldStop,
      isFatal: (err) => heartbeatFailure !== undefined && (err === heartbeatFailure || isKafkaError(err)),
      handle: (messages) => settings.handle(messages as Parameters<BatchHandler<T>>[0], ctx),
      wait: (retry) => waitWithHeartbeat(retry, payload.heartbeat),
      onRetry: (kind, err, retry) => {
        metrics.retries.inc({ group: settings.groupId, topic: batch.topic, kind });
        // An outage retries for as long as it lasts: warn on the first and every tenth retry.
        const level = retry % 10 === 0 ? 'warn' : 'debug';
        log[level](
          { err, topic: batch.topic, partition, retry, kind, messages: valid.length },
          'handler failed; retrying',
        );
      },
      deadLetter: (messages, err, attempts) =>
        deadLetter(
          messages.map((m) => ({
            record: rawByOffset.get(m.offset)!,
            reason: reasonFromError(err),
            attempts,
          })),
        ),
    });
    metrics.consumed.inc({ group: settings.groupId, topic: batch.topic }, valid.length);
  };
}
