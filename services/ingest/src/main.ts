import { hostname } from 'node:os';
import { createKeyDirectory } from '@tessera/access';
import { loadConfig } from '@tessera/config';
import { createIdentifierHasher } from '@tessera/crypto';
import { createPool, migrate } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import { createLogger, createMetricsRegistry, installShutdown } from '@tessera/observability';
import { Redis } from 'ioredis';
import { buildApp, createIngestPipeline, createSources } from './app';
import { IngestConfigSchema } from './config';
import { createIntakeConsumer } from './consumers/intake-consumer';
import { createSuppressionList } from './features/privacy/suppression-list';
import { createSourceStore } from './features/sources/source-store';
import { createImportStore } from './features/imports/import-store';
import { migrations } from './migrations';

/** The only place that creates clients (Postgres, Redis, Kafka); then listens and consumes intake. */
async function main(): Promise<void> {
  const config = loadConfig(IngestConfigSchema);
  const logger = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'ingest' });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir, logger });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'ingest',
    topicPrefix: config.TOPIC_PREFIX,
    logger,
    registry,
  });
  const producer = kafka.producer({ name: 'ingest' });
  await producer.connect();
  const keys = createKeyDirectory({ kafka, logger, groupId: `ingest-keys-${hostname()}` });
  const suppression = createSuppressionList({ kafka, logger, groupId: `ingest-suppression-${hostname()}` });
  await Promise.all([keys.start(), suppression.start()]);

  const hasher = createIdentifierHasher(config.IDENTIFIER_HASH_KEY);
  const store = createSourceStore(pool);
  const ingest = createIngestPipeline(config, { producer, redis, suppression, hasher, registry, logger });
  const intake = config.INGEST_INTAKE_ENABLED
    ? createIntakeConsumer({
        kafka,
        producer,
        ingest,
        sources: createSources(config, store),
        logger,
        groupId: config.INGEST_INTAKE_CONSUMER_GROUP,
      })
    : undefined;
  const app = await buildApp(config, {
    logger,
    registry,
    keys,
    producer,
    redis,
    sources: store,
    imports: createImportStore(pool),
    suppression,
    hasher,
    ingest,
    readiness: {
      postgres: async () => {
        await pool.query('SELECT 1');
      },
      // Until the list is loaded an erased subject's events could slip through.
      suppression: () => suppression.ready(),
      ...(intake ? { intake: () => intake.isRunning() } : {}),
    },
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  if (intake) await intake.start();
  logger.info({ port: config.PORT }, 'ingest started');

  installShutdown(
    [
      // close() stops accepting connections and waits for in-flight requests, whose publishes
      // complete (acked) before their 200 is written.
      { name: 'http', run: () => app.close() },
      ...(intake ? [{ name: 'intake consumer', run: () => intake.stop() }] : []),
      { name: 'suppression list', run: () => suppression.stop() },
      { name: 'key directory', run: () => keys.stop() },
      { name: 'producer', run: () => producer.disconnect() },
      { name: 'redis', run: async () => void (await redis.quit()) },
      { name: 'postgres', run: () => pool.end() },
    ],
    { logger },
  );
}

main().catch((err: unknown) => {
  console.error('ingest failed to start', err);
  process.exit(1);
});
