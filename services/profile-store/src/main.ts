import { hostname } from 'node:os';
import { createKeyDirectory } from '@tessera/access';
import { loadConfig } from '@tessera/config';
import { createPool, migrate } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import { createLogger, createMetricsRegistry, installShutdown } from '@tessera/observability';
import { buildApp } from './app';
import { ProfileStoreConfigSchema } from './config';
import { createConsentChangesConsumer } from './consumers/consent-changes-consumer';
import { createEventsResolvedConsumer } from './consumers/events-resolved-consumer';
import { createIdentityChangesConsumer } from './consumers/identity-changes-consumer';
import { createPrivacyCommandsConsumer } from './consumers/privacy-commands-consumer';
import { createScheduler } from './features/computed/scheduled-jobs';
import { createOutboxRelay } from './features/outbox/outbox-relay';
import { createKafkaAuditSink } from './features/profiles/audit-sink';
import { normalizeForLookup } from './features/profiles/identifier-normalizer';
import { createProfileService } from './features/profiles/profile-service';
import { createProfileStoreMetrics } from './metrics';
import { migrations } from './migrations';
import { createProfileStoreCore } from './profile-store-core';

/** The only place that creates clients: Postgres and Kafka; then listens, consumes and relays. */
async function main(): Promise<void> {
  const config = loadConfig(ProfileStoreConfigSchema);
  const logger = createLogger({ name: 'profile-store', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'profile-store' });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir, logger });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'profile-store',
    topicPrefix: config.TOPIC_PREFIX,
    logger,
    registry,
  });
  const producer = kafka.producer({ name: 'profile-store' });
  await producer.connect();
  const keys = createKeyDirectory({ kafka, logger, groupId: `profile-store-keys-${hostname()}` });
  await keys.start();

  const core = createProfileStoreCore(config, pool);
  const metrics = createProfileStoreMetrics(registry);
  const groupId = config.PROFILE_STORE_CONSUMER_GROUP;
  const consumers = [
    createEventsResolvedConsumer(kafka, {
      ...core,
      metrics,
      logger,
      groupId,
      batchSize: config.PROFILE_STORE_BATCH_SIZE,
      concurrency: config.PROFILE_STORE_PARTITIONS_CONCURRENTLY,
    }),
    createIdentityChangesConsumer(kafka, { ...core, metrics, logger, groupId }),
    createConsentChangesConsumer(kafka, { pool, vault: core.vault, logger, groupId }),
    createPrivacyCommandsConsumer(kafka, { pool, logger, groupId, openedValues: core.openedValues }),
  ];
  const relay = createOutboxRelay({
    pool,
    publisher: producer,
    logger,
    idleMs: config.OUTBOX_POLL_MS,
    onRound: (published, pending) => metrics.observeRelay(published, pending),
  });
  const scheduler = createScheduler({
    ...core,
    logger,
    intervalMinutes: config.SCORING_INTERVAL_MINUTES,
    horizonWeeks: config.CLV_HORIZON_WEEKS,
  });
  const profiles = createProfileService({
    db: pool,
    vault: core.vault,
    hasher: core.hasher,
    audit: createKafkaAuditSink(producer),
    normalize: normalizeForLookup,
  });
  const app = await buildApp({
    logger,
    registry,
    pool,
    keys,
    profiles,
    readiness: { consumers: () => consumers.every((c) => c.isRunning()) },
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  relay.start();
  for (const c of consumers) await c.start();
  scheduler.start();
  logger.info({ port: config.PORT }, 'profile store started');

  installShutdown(
    [
      // Stopping a consumer finishes its in-flight batch and commits its offsets.
      ...consumers.map((c, i) => ({ name: `consumer ${i}`, run: () => c.stop() })),
      { name: 'scheduler', run: () => scheduler.stop() },
      // The relay drains after the consumers so their last outbox rows go out before we leave.
      {
        name: 'outbox relay',
        run: async () => {
          await relay.stop();
          await relay
            .relayOnce()
            .catch((err: unknown) =>
              logger.warn({ err }, 'final outbox drain failed; rows stay for the next start'),
            );
        },
      },
      { name: 'key directory', run: () => keys.stop() },
      { name: 'producer', run: () => producer.disconnect() },
      { name: 'http', run: () => app.close() },
      { name: 'postgres', run: () => pool.end() },
    ],
    { logger },
  );
}

main().catch((err: unknown) => {
  console.error('profile store failed to start', err);
  process.exit(1);
});
