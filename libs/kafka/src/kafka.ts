import { topicName, type TopicId } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createTopicAdmin } from './admin';
import { createBatchConsumer } from './consumer';
import { createLogBridge, kafkaLevelFor } from './log-bridge';
import { kafkaMetrics } from './metrics';
import { createTypedProducer } from './producer';
import { PATCHED_KAFKAJS_VERSION, patchRequestQueueIdleLoop } from './request-queue-idle-loop';
import type { BatchConsumerOptions, TesseraKafka, TopicAdmin } from './types';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prefix of every topic and consumer group name (tests use a random one; production ''). */
  topicPrefix?: string;
  logger: Logger;
  /** Where the kafka metrics go; without one they are kept but not exported. */
  registry?: Registry;
  /** Replication factor for topics created by `admin().ensureTopics` (default 1). */
  replicationFactor?: number;
  /**
   * Producer compression. Default none: measured on the single-node broker with ~750-byte JSON
   * events in batches of 500, gzip gave no throughput gain and cost up to 1.5x client CPU; turn it
   * on where network or disk is the bottleneck.
   */
  compression?: 'none' | 'gzip';
  /** TCP connect timeout per broker (default 3 s). */
  connectionTimeoutMs?: number;
}

/**
 * The platform's Kafka client: typed, validating producers and batch consumers over the topic
 * catalogue, and topic administration. The only module that talks to KafkaJS.
 */
export function createKafka(settings: KafkaSettings): TesseraKafka {
  const topicPrefix = settings.topicPrefix ?? '';
  const logger = settings.logger;
  if (patchRequestQueueIdleLoop() === 'skipped') {
    logger.warn(
      { expected: PATCHED_KAFKAJS_VERSION },
      'KafkaJS is not the release request-queue-idle-loop.ts patches: idle connections poll every millisecond',
    );
  }
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs ?? 3_000,
    logLevel: kafkaLevelFor(logger),
    logCreator: createLogBridge(logger),
  });
  const metrics = kafkaMetrics(settings.registry);
  let producers = 0;
  let sharedAdmin: TopicAdmin | undefined;

  const producer = (opts?: { name?: string }) => {
    producers += 1;
    return createTypedProducer({
      kafka,
      topicPrefix,
      logger,
      metrics,
      name: opts?.name ?? `producer-${producers}`,
      compression: settings.compression ?? 'none',
    });
  };

  return {
    topicPrefix,
    topic: (id: TopicId) => topicName(id, topicPrefix),
    producer,
    consumer: <T extends TopicId>(opts: BatchConsumerOptions<T>) =>
      createBatchConsumer(
        {
          kafka,
          topicPrefix,
          logger,
          metrics,
          createProducer: () => producer({ name: `dead-letter:${opts.groupId}` }),
        },
        opts,
      ),
    admin: () => {
      sharedAdmin ??= createTopicAdmin({
        kafka,
        topicPrefix,
        logger,
        replicationFactor: settings.replicationFactor ?? 1,
      });
      return sharedAdmin;
    },
  };
}
