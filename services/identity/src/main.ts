import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { createKeyDirectory } from '@tessera/access';
import { loadConfig } from '@tessera/config';
import { createPool, migrate } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import { createLogger, createMetricsRegistry, installShutdown } from '@tessera/observability';
import { buildApp } from './app';
import { IdentityConfigSchema } from './config';
import { createEventsIngestedConsumer } from './consumers/events-ingested-consumer';
import { createPrivacyCommandsConsumer } from './consumers/privacy-commands-consumer';
import { createIdentityCore } from './identity-core';
import { migrations } from './migrations';
import { createIdentityMetrics } from './metrics';

/** The only place that creates clients: Postgres, Redis, Kafka; then listens and consumes. */
async function main(): Promise<void> {
  const config = loadConfig(IdentityConfigSchema);
  const logger = createLogger({ name: 'identity', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'identity' });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir, logger });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: false });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'identity',
    topicPrefix: config.TOPIC_PREFIX,
    logger,
    registry,
  });
  const producer = kafka.producer({ name: 'identity' });
  await producer.connect();
  const keys = createKeyDirectory({ kafka, logger, groupId: `identity-keys-${hostname()}` });
  await keys.start();

  const core = createIdentityCore(config, { pool, redis, publisher: producer, logger });
  const events = createEventsIngestedConsumer({
    kafka,
    producer,
    resolver: core.resolver,
    quarantine: core.quarantine,
    logger,
    metrics: createIdentityMetrics(registry),
    groupId: config.IDENTITY_CONSUMER_GROUP,
    maxBatchSize: config.IDENTITY_BATCH_SIZE,
    partitionsConsumedConcurrently: config.IDENTITY_PARTITIONS_CONCURRENTLY,
  });
  const privacy = createPrivacyCommandsConsumer({
    kafka,
    erase: core.erase,
    groupId: `${config.IDENTITY_CONSUMER_GROUP}-privacy`,
  });
  const app = await buildApp({
    logger,
    registry,
    pool,
    redis,
    keys,
    unmerge: core.unmerge,
    readiness: { consumers: () => events.isRunning() && privacy.isRunning() },
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  await events.start();
  await privacy.start();
  logger.info(
    { port: config.PORT, graph: config.IDENTITY_GRAPH_NAME, buckets: config.IDENTITY_BUCKETS },
    'identity service started',
  );

  installShutdown(
    [
      // Stopping a consumer finishes its in-flight batch and commits its offsets.
      { name: 'events consumer', run: () => events.stop() },
      { name: 'privacy consumer', run: () => privacy.stop() },
      { name: 'key directory', run: () => keys.stop() },
      { name: 'producer', run: () => producer.disconnect() },
      { name: 'http', run: () => app.close() },
      { name: 'postgres', run: () => pool.end() },
      { name: 'redis', run: async () => void (await redis.quit()) },
    ],
    { logger },
  );
}

main().catch((err: unknown) => {
  console.error('identity service failed to start', err);
  process.exit(1);
});
