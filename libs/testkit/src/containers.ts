import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import type { Infra } from './infra';

/** Kafka 3.9 in KRaft mode, like production and the local script. */
const KAFKA_IMAGE = process.env.TESSERA_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.1';
const POSTGRES_IMAGE = process.env.TESSERA_POSTGRES_IMAGE ?? 'postgres:15-alpine';
const REDIS_IMAGE = process.env.TESSERA_REDIS_IMAGE ?? 'redis:7-alpine';
const KAFKA_CLIENT_PORT = 9093;

/**
 * Starts the three services once (testcontainers' reaper removes them when the process that
 * started them exits, i.e. at the end of the jest run).
 */
export async function startContainers(): Promise<Infra> {
  const [kafka, postgres, redis] = await Promise.all([
    new KafkaContainer(KAFKA_IMAGE)
      .withKraft()
      .withEnvironment({
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '12',
      })
      .start(),
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('postgres')
      .start(),
    new RedisContainer(REDIS_IMAGE).start(),
  ]);
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(KAFKA_CLIENT_PORT)}`],
    databaseUrl: postgres.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
  };
}
