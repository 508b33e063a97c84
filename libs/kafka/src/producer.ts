import {
  AppError,
  Topics,
  issuesFromZod,
  topicName,
  type ErrorIssue,
  type TopicId,
  type TopicMessage,
} from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { kafkaErrorType, NON_RETRYABLE_PRODUCE_ERRORS } from './kafka-errors';
import type { KafkaMetrics } from './metrics';
import { SendQueue, type QueuedRecord } from './send-queue';
import type { PublishOptions, RawMessage, TypedProducer } from './types';

export interface ProducerSettings {
  kafka: Kafka;
  topicPrefix: string;
  logger: Logger;
  metrics: KafkaMetrics;
  name: string;
  compression?: 'none' | 'gzip';
  /** Upper bound of one produce request (default 768 KiB, below the broker's 1 MiB limits). */
  maxRequestBytes?: number;
}

/** Errors after which KafkaJS's idempotent producer state is unusable; a new producer id fixes them. */
const FATAL_PRODUCER_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'DUPLICATE_SEQUENCE_NUMBER',
]);

function recordBytes(message: Message): number {
  const size = (v: unknown) =>
    typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 0;
  let bytes = 70 + size(message.key) + size(message.value);
  if (message.headers) for (const k in message.headers) bytes += k.length + size(message.headers[k]);
  return bytes;
}

/**
 * Validates a batch for a topic and turns it into Kafka records (JSON value, catalogue key).
 * Throws AppError EVENT_SCHEMA_INVALID naming every bad message's issues; nothing is sent then.
 * With `prevalidated` the schema parse is skipped (see `PublishOptions.prevalidated`).
 */
export function encodeMessages<T extends TopicId>(
  topic: T,
  messages: TopicMessage<T>[],
  headers: Record<string, string> | undefined,
  prevalidated = false,
): Message[] {
  const spec = Topics[topic];
  const key = spec.key as (m: TopicMessage<T>) => string;
  const issues: ErrorIssue[] = [];
  const records: Message[] = [];
  for (let index = 0; index < messages.length; index += 1) {
    let value = messages[index]!;
    if (!prevalidated) {
      const parsed = spec.schema.safeParse(value);
      if (!parsed.success) {
        issues.push(...issuesFromZod(parsed.error, [index]));
        continue;
      }
      value = parsed.data as TopicMessage<T>;
    }
    const record: Message = { key: key(value), value: JSON.stringify(value) };
    if (headers) record.headers = { ...headers };
    records.push(record);
  }
  if (issues.length > 0) {
    throw new AppError('EVENT_SCHEMA_INVALID', `refusing to publish invalid ${spec.name} message(s)`, {
      statusCode: 500,
      details: issues,
    });
  }
  return records;
}

/**
 * The record as it goes to KafkaJS: the value UTF-8 encoded once here, so neither the size
 * estimate nor KafkaJS's record encoder (which measures a string twice and then writes it)
 * scans the JSON again.
 */
function queued(topic: string, record: Message): QueuedRecord<Message> {
  if (typeof record.value === 'string') record.value = Buffer.from(record.value);
  return { topic, record, bytes: recordBytes(record) };
}

/** The typed, validating, idempotent producer (see `TypedProducer`). */
export function createTypedProducer(settings: ProducerSettings): TypedProducer {
  const log = settings.logger.child({ module: 'kafka-producer', producer: settings.name });
  const compression = settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  // Set by disconnect(): publishing during shutdown fails fast (503) instead of reconnecting.
  let closed = false;

  const newProducer = () =>
    settings.kafka.producer({
      idempotent: true,
      // KafkaJS does not keep sequence numbers straight with several requests in flight; the
      // send queue already keeps one request in flight, this makes the connection agree.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 like the Java client, so keys land where other clients put them.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    });

  const ensureConnected = async (): Promise<Producer> => {
    if (producer) return producer;
    connecting ??= (async () => {
      const p = newProducer();
      try {
        await p.connect();
      } catch (err) {
        connecting = undefined;
        throw err;
      }
      producer = p;
      connecting = undefined;
      return p;
    })();
    return connecting;
  };

  const reset = async (current: Producer) => {
    if (producer !== current) return;
    producer = undefined;
    await current
      .disconnect()
      .catch((err: unknown) => log.warn({ err }, 'disconnecting a broken producer failed'));
  };

  const queue = new SendQueue<Message>(
    async (byTopic) => {
      let current: Producer;
      try {
        current = await ensureConnected();
      } catch (err) {
        throw unavailable(err);
      }
      try {
        await current.sendBatch({
          acks: -1,
          compression,
          topicMessages: byTopic.map(({ topic, records }) => ({ topic, messages: records })),
        });
      } catch (err) {
        const type = kafkaErrorType(err);
        if (type && FATAL_PRODUCER_ERRORS.has(type)) {
          log.warn({ err, type }, 'idempotent producer state lost; starting a new producer session');
          await reset(current);
        }
        throw unavailable(err);
      }
      for (const { topic, records } of byTopic) settings.metrics.produced.inc({ topic }, records.length);
    },
    settings.maxRequestBytes ?? 768 * 1024,
  );

  const enqueue = (topic: string, records: Message[]) => {
    if (closed) {
      return Promise.reject(
        new AppError('UPSTREAM_UNAVAILABLE', 'event stream producer is closed', {
          statusCode: 503,
          retryable: true,
        }),
      );
    }
    return queue.enqueue(records.map((record) => queued(topic, record)));
  };

  return {
    async connect() {
      closed = false;
      try {
        await ensureConnected();
      } catch (err) {
        throw unavailable(err);
      }
    },
    async disconnect() {
      closed = true;
      await queue.idle();
      const current = producer ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      producer = undefined;
      if (current) await current.disconnect();
    },
    async publish(topic, messages, opts?: PublishOptions) {
      const records = encodeMessages(topic, messages, opts?.headers, opts?.prevalidated === true);
      await enqueue(topicName(topic, settings.topicPrefix), records);
    },
    async publishTombstone(topic, keys) {
      const spec = Topics[topic];
      if (!spec.tombstones) {
        throw new AppError('EVENT_SCHEMA_INVALID', `${spec.name} does not accept tombstones`, {
          statusCode: 500,
        });
      }
      const bad = keys.findIndex((key) => typeof key !== 'string' || key.length === 0);
      if (bad >= 0) {
        throw new AppError('EVENT_SCHEMA_INVALID', 'a tombstone needs a non-empty key', {
          statusCode: 500,
          details: [{ path: String(bad), message: 'expected a non-empty key' }],
        });
      }
      await enqueue(
        topicName(topic, settings.topicPrefix),
        keys.map((key) => ({ key, value: null })),
      );
    },
    async publishRaw(physicalTopic, messages: RawMessage[]) {
      await enqueue(
        physicalTopic,
        messages.map((m) => {
          const record: Message = { key: m.key, value: m.value };
          if (m.headers) record.headers = { ...m.headers };
          if (m.partition !== undefined) record.partition = m.partition;
          return record;
        }),
      );
    },
  };
}

/** Broker trouble as the retryable error HTTP answers with 503 and consumers back off on. */
export function unavailable(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const type = kafkaErrorType(err);
  if (type && NON_RETRYABLE_PRODUCE_ERRORS.has(type)) {
    return new AppError('INTERNAL', `kafka rejected the records (${type})`, { statusCode: 500, cause: err });
  }
  return new AppError('UPSTREAM_UNAVAILABLE', 'event stream unavailable', {
    statusCode: 503,
    retryable: true,
    cause: err,
    headers: { 'retry-after': '1' },
  });
}
