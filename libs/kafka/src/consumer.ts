import { topicName, type TopicId } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { backoffDelay, sleep } from './backoff';
import { createDeadLetterRecord, reasonFromError, type DeadLetterReason } from './dead-letter';
import { decodeRecord, headersToStrings } from './decode';
import { DeadLetterSink } from './dead-letter-sink';
import { ProcessingAborted, processWithPolicy } from './failure-policy';
import { LagMonitor } from './lag-monitor';
import type { KafkaMetrics } from './metrics';
import type {
  BatchConsumer,
  BatchConsumerOptions,
  BatchContext,
  ConsumedMessage,
  TypedProducer,
} from './types';

export interface ConsumerDeps {
  kafka: Kafka;
  topicPrefix: string;
  logger: Logger;
  metrics: KafkaMetrics;
  /** A producer for dead letters, owned (connected and disconnected) by the consumer. */
  createProducer(): TypedProducer;
}

const HEARTBEAT_SLICE_MS = 2_000;
const JOIN_WAIT_MS = 15_000;
const STOP_TIMEOUT_MS = 30_000;

function isKafkaError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

function lagAfter(highWatermark: string, offset: string): number {
  const lag = BigInt(highWatermark) - 1n - BigInt(offset);
  return lag > 0n ? Number(lag) : 0;
}

/** See `BatchConsumer`: validation, dead-lettering, failure policy, manual commits. */
export function createBatchConsumer<T extends TopicId>(
  deps: ConsumerDeps,
  opts: BatchConsumerOptions<T>,
): BatchConsumer {
  const groupId = `${deps.topicPrefix}${opts.groupId}`;
  const log = deps.logger.child({ module: 'kafka-consumer', group: groupId });
  const maxBatchSize = Math.max(1, opts.maxBatchSize ?? 500);
  const maxRetries = Math.max(0, opts.maxRetries ?? 5);
  const backoff = {
    initialMs: opts.retryBackoff?.initialMs ?? 100,
    maxMs: opts.retryBackoff?.maxMs ?? 10_000,
  };
  const topicIds = new Map<string, T>(opts.topics.map((id) => [topicName(id, deps.topicPrefix), id]));
  const { metrics } = deps;

  let consumer: Consumer | undefined;
  let sink: DeadLetterSink | undefined;
  let running = false;
  let stopping: AbortController | undefined;
  let lagMonitor: LagMonitor | undefined;

  /** Waits for a retry while keeping the group membership alive; returns early on stop. */
  const waitWithHeartbeat = async (retry: number, heartbeat: () => Promise<void>) => {
    let remaining = backoffDelay(retry, backoff);
    while (remaining > 0 && !stopping?.signal.aborted) {
      const slice = Math.min(remaining, HEARTBEAT_SLICE_MS);
      await sleep(slice, stopping?.signal);
      remaining -= slice;
      await heartbeat();
    }
  };

  const handleChunk = async (
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
    const shouldStop = () => !payload.isRunning() || payload.isStale() || stopping?.signal.aborted === true;
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
          consumerGroup: groupId,
          error: reason,
          attempts,
        });
      });
      await sink!.send(dlRecords, {
        shouldStop,
        wait: (retry) => waitWithHeartbeat(retry, payload.heartbeat),
      });
      for (const r of dlRecords) {
        metrics.deadLettered.inc({ group: groupId, topic: batch.topic, reason: r.error.code });
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
      maxRetries,
      shouldStop,
      isFatal: (err) => heartbeatFailure !== undefined && (err === heartbeatFailure || isKafkaError(err)),
      handle: (messages) => opts.handle(messages as Parameters<typeof opts.handle>[0], ctx),
      wait: (retry) => waitWithHeartbeat(retry, payload.heartbeat),
      onRetry: (kind, err, retry) => {
        metrics.retries.inc({ group: groupId, topic: batch.topic, kind });
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
    metrics.consumed.inc({ group: groupId, topic: batch.topic }, valid.length);
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const topicId = topicIds.get(batch.topic);
    if (topicId === undefined || batch.messages.length === 0) return;
    for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const records = batch.messages.slice(start, start + maxBatchSize);
      const endTimer = metrics.batchDuration.startTimer({ group: groupId, topic: batch.topic });
      try {
        await handleChunk(topicId, batch, records, payload);
      } catch (err) {
        if (err instanceof ProcessingAborted) return;
        throw err;
      } finally {
        endTimer();
      }
      const lastOffset = records[records.length - 1]!.offset;
      payload.resolveOffset(lastOffset);
      // Commit after every chunk so stop() or a crash never replays handled work needlessly.
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      metrics.consumerLag.set(
        { group: groupId, topic: batch.topic, partition: String(batch.partition) },
        lagAfter(batch.highWatermark, lastOffset),
      );
      await payload.heartbeat();
    }
  };

  return {
    groupId,
    isRunning: () => running,
    async start() {
      if (consumer) return;
      stopping = new AbortController();
      const c = deps.kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: opts.maxWaitTimeMs ?? 1_000,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: 3_000,
        retry: {
          restartOnFailure: async (err) => {
            log.warn({ err }, 'consumer crashed; restarting');
            return true;
          },
        },
      });
      consumer = c;
      sink = new DeadLetterSink(deps.createProducer(), deps.topicPrefix, groupId, log);
      const monitor = new LagMonitor({
        kafka: deps.kafka,
        groupId,
        metrics,
        log,
        intervalMs: opts.lagIntervalMs ?? 30_000,
      });
      lagMonitor = monitor;
      c.on(c.events.CRASH, (event) => {
        if (!event.payload.restart) {
          running = false;
          log.error({ err: event.payload.error }, 'consumer crashed and will not restart');
        }
      });
      const joined = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, JOIN_WAIT_MS);
        c.on(c.events.GROUP_JOIN, (event) => {
          clearTimeout(timer);
          monitor.setAssignment(event.payload.memberAssignment);
          log.debug({ assignment: event.payload.memberAssignment }, 'joined consumer group');
          resolve();
        });
      });
      try {
        await c.connect();
        await sink.connect();
        await c.subscribe({ topics: [...topicIds.keys()], fromBeginning: opts.fromBeginning ?? true });
        await c.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
          eachBatch,
        });
      } catch (err) {
        consumer = undefined;
        await c.disconnect().catch(() => undefined);
        await sink.disconnect().catch(() => undefined);
        throw err;
      }
      running = true;
      monitor.start();
      log.info({ topics: [...topicIds.keys()] }, 'consumer started');
      await joined;
    },
    async stop() {
      const c = consumer;
      if (!c) return;
      stopping?.abort();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
      });
      try {
        // KafkaJS's disconnect stops fetching, waits for the in-flight eachBatch (which commits
        // after every chunk), leaves the group and closes connections.
        const outcome = await Promise.race([c.disconnect().then(() => 'ok' as const), timeout]);
        if (outcome === 'timeout') log.warn({ timeoutMs: STOP_TIMEOUT_MS }, 'consumer did not stop in time');
      } finally {
        clearTimeout(timer);
        running = false;
        consumer = undefined;
        await lagMonitor?.stop();
        lagMonitor = undefined;
        await sink
          ?.disconnect()
          .catch((err: unknown) => log.warn({ err }, 'dead-letter producer disconnect failed'));
        sink = undefined;
      }
    },
  };
}
