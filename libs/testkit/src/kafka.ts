import type { TopicId, TopicMessage } from '@tessera/contracts';
import { Topics } from '@tessera/contracts';
import { createKafka, type ConsumedMessage, type TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { Registry } from 'prom-client';
import { getInfra } from './infra';
import { testLogger } from './logging';
import { uniqueName } from './wait-for';

export interface TestKafka {
  kafka: TesseraKafka;
  /** Random topic and group prefix, like `t1a2b3c4d5e.`. */
  prefix: string;
  brokers: string[];
  /** Deletes the prefix's topics and consumer groups and disconnects the admin client. */
  cleanup(): Promise<void>;
}

export interface TestKafkaOptions {
  /** Catalogue topics to create (default: all). The dead-letter topic is always created. */
  topics?: TopicId[];
  /** Partitions per topic at most (default 3; topics with fewer keep theirs). */
  partitions?: number;
  logger?: Logger;
  registry?: Registry;
}

/** A Kafka client on a fresh random topic prefix with the requested topics provisioned. */
export async function createTestKafka(opts: TestKafkaOptions = {}): Promise<TestKafka> {
  const { kafkaBrokers } = await getInfra();
  const prefix = `${uniqueName('t')}.`;
  const kafka = createKafka({
    brokers: kafkaBrokers,
    clientId: 'tessera-test',
    topicPrefix: prefix,
    logger: opts.logger ?? testLogger('kafka'),
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  const ids = new Set<TopicId>(opts.topics ?? (Object.keys(Topics) as TopicId[]));
  ids.add('deadLetter');
  const admin = kafka.admin();
  await admin.ensureTopics([...ids], [], { partitions: opts.partitions ?? 3 });
  return {
    kafka,
    prefix,
    brokers: kafkaBrokers,
    async cleanup() {
      try {
        await admin.deleteGroupsByPrefix(prefix);
        await admin.deleteTopicsByPrefix(prefix);
      } finally {
        await admin.disconnect();
      }
    },
  };
}

export interface CollectOptions<T extends TopicId> {
  until: (messages: Array<ConsumedMessage<TopicMessage<T> | null>>) => boolean;
  /** Default 15 s. */
  timeoutMs?: number;
}

/**
 * Reads `topic` from the beginning with a throwaway consumer group until `until` holds for the
 * messages seen so far, then returns them (ordered per partition, partitions interleaved).
 */
export async function collectMessages<T extends TopicId>(
  kafka: TesseraKafka,
  topic: T,
  opts: CollectOptions<T>,
): Promise<Array<ConsumedMessage<TopicMessage<T> | null>>> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const seen: Array<ConsumedMessage<TopicMessage<T> | null>> = [];
  let done: () => void = () => undefined;
  const satisfied = new Promise<void>((resolve) => {
    done = resolve;
  });
  const consumer = kafka.consumer({
    groupId: uniqueName('collect-'),
    topics: [topic],
    fromBeginning: true,
    maxRetries: 0,
    handle: async (messages) => {
      seen.push(...messages);
      if (opts.until(seen)) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    await consumer.start();
    const outcome = await Promise.race([satisfied.then(() => 'ok' as const), timedOut]);
    if (outcome === 'timeout') {
      throw new Error(
        `collectMessages(${topic}): condition not met within ${timeoutMs} ms (${seen.length} messages seen)`,
      );
    }
    return [...seen];
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
}
