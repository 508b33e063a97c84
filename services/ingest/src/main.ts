import { hostname } from 'node:os';
import { createIdentifierHasher } from '@tessera/crypto';
import { postgresReadiness } from '@tessera/db';
import { exitOnStartupFailure, startServiceRuntime } from '@tessera/runtime';
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
  const runtime = await startServiceRuntime({ name: 'ingest', configSchema: IngestConfigSchema, migrations });
  const { config, logger, registry, pool, kafka, producer, keys } = runtime;
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const suppression = createSuppressionList({ kafka, logger, groupId: `ingest-suppression-${hostname()}` });
  await suppression.start();

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
      postgres: postgresReadiness(pool),
      // Until the list is loaded an erased subject's events could slip through.
      suppression: () => suppression.ready(),
      ...(intake ? { intake: () => intake.isRunning() } : {}),
    },
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  if (intake) await intake.start();
  logger.info({ port: config.PORT }, 'ingest started');

  runtime.installShutdown({
    // close() stops accepting connections and waits for in-flight requests, whose publishes
    // complete (acked) before their 200 is written.
    http: app,
    drain: [
      ...(intake ? [{ name: 'intake consumer', run: () => intake.stop() }] : []),
      { name: 'suppression list', run: () => suppression.stop() },
    ],
    close: [{ name: 'redis', run: async () => void (await redis.quit()) }],
  });
}

main().catch(exitOnStartupFailure('ingest'));
