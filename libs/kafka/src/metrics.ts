import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The kafka lib's metrics; shared by every producer and consumer on the same registry. */
export interface KafkaMetrics {
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  consumed: Counter<'group' | 'topic'>;
  deadLettered: Counter<'group' | 'topic' | 'reason'>;
  batchDuration: Histogram<'group' | 'topic'>;
  produced: Counter<'topic'>;
  retries: Counter<'group' | 'topic' | 'kind'>;
}

function getOrCreate<M>(
  registry: Registry | undefined,
  name: string,
  create: (registers: Registry[]) => M,
): M {
  const existing = registry?.getSingleMetric(name);
  if (existing) return existing as M;
  return create(registry ? [registry] : []);
}

/** Metrics registered once per registry (several clients may share one); unregistered without one. */
export function kafkaMetrics(registry?: Registry): KafkaMetrics {
  return {
    consumerLag: getOrCreate(
      registry,
      'tessera_kafka_consumer_lag',
      (registers) =>
        new Gauge({
          name: 'tessera_kafka_consumer_lag',
          help: 'Messages in the partition after the last one this group handled',
          labelNames: ['group', 'topic', 'partition'] as const,
          registers,
        }),
    ),
    consumed: getOrCreate(
      registry,
      'tessera_kafka_messages_consumed_total',
      (registers) =>
        new Counter({
          name: 'tessera_kafka_messages_consumed_total',
          help: 'Messages handled successfully by consumers',
          labelNames: ['group', 'topic'] as const,
          registers,
        }),
    ),
    deadLettered: getOrCreate(
      registry,
      'tessera_kafka_dead_lettered_total',
      (registers) =>
        new Counter({
          name: 'tessera_kafka_dead_lettered_total',
          help: 'Messages sent to the dead-letter topic, by reason code',
          labelNames: ['group', 'topic', 'reason'] as const,
          registers,
        }),
    ),
    batchDuration: getOrCreate(
      registry,
      'tessera_kafka_batch_duration_seconds',
      (registers) =>
        new Histogram({
          name: 'tessera_kafka_batch_duration_seconds',
          help: 'Time to handle one chunk of a fetched batch, retries included',
          labelNames: ['group', 'topic'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
    produced: getOrCreate(
      registry,
      'tessera_kafka_messages_produced_total',
      (registers) =>
        new Counter({
          name: 'tessera_kafka_messages_produced_total',
          help: 'Messages acknowledged by the broker',
          labelNames: ['topic'] as const,
          registers,
        }),
    ),
    retries: getOrCreate(
      registry,
      'tessera_kafka_handler_retries_total',
      (registers) =>
        new Counter({
          name: 'tessera_kafka_handler_retries_total',
          help: 'Handler failures that led to a retry (kind: retryable or failure)',
          labelNames: ['group', 'topic', 'kind'] as const,
          registers,
        }),
    ),
  };
}
