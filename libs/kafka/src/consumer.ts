import { topicName, type TopicId } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { createChunkHandler, lagAfter } from './chunk-handler';
import { DeadLetterSink } from './dead-letter-sink';
import { ProcessingAborted } from './failure-policy';
import { LagMonitor } from './lag-monitor';
import type { KafkaMetrics } from './metrics';
import type { BatchConsumer, BatchConsumerOptions, TypedProducer } from './types';

export interface ConsumerDeps {
  kafka: Kafka;
  topicPrefix: string;
  logger: Logger;
  metrics: KafkaMetrics;
  /** A producer for dead letters, owned (connected and disconnected) by the consumer. */
  createProducer(): TypedProducer;
}

const JOIN_WAIT_MS = 15_000;
const STOP_TIMEOUT_MS = 30_000;

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

  const handleChunk = createChunkHandler<T>({
    groupId,
    log,
    metrics,
    maxRetries,
    backoff,
    handle: opts.handle,
    sink: () => sink!,
    signal: () => stopping!.signal,
  });

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
        // Bounded: start() must not hang on a slow rebalance, and stop() must not wait for it.
        const timer = setTimeout(resolve, JOIN_WAIT_MS);
        stopping?.signal.addEventListener('abort', () => resolve(), { once: true });
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
