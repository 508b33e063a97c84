import { createPool } from '@tessera/db';
import { exitOnStartupFailure, startServiceRuntime } from '@tessera/runtime';
import { createOutboxRelay } from '@tessera/outbox';
import { buildApp } from './app';
import { ProfileStoreConfigSchema } from './config';
import { createConsentChangesConsumer } from './consumers/consent-changes-consumer';
import { createEventsResolvedConsumer } from './consumers/events-resolved-consumer';
import { createIdentityChangesConsumer } from './consumers/identity-changes-consumer';
import { createPrivacyCommandsConsumer } from './consumers/privacy-commands-consumer';
import { createScheduler } from './features/computed/scheduled-jobs';
import { createOutboxAuditSink } from './features/profiles/audit-sink';
import { normalizeForLookup } from './features/profiles/identifier-normalizer';
import { createProfileService } from './features/profiles/profile-service';
import { createProfileStoreMetrics } from './metrics';
import { migrations } from './migrations';
import { createProfileStoreCore } from './profile-store-core';

/** The only place that creates clients: Postgres and Kafka; then listens, consumes and relays. */
async function main(): Promise<void> {
  const runtime = await startServiceRuntime({
    name: 'profile-store',
    configSchema: ProfileStoreConfigSchema,
    migrations,
  });
  const { config, logger, registry, pool, kafka, producer, keys } = runtime;

  const core = createProfileStoreCore(config, pool);
  const metrics = createProfileStoreMetrics(registry);
  const groupId = config.PROFILE_STORE_CONSUMER_GROUP;
  const relay = createOutboxRelay({
    pool,
    publisher: producer,
    logger,
    idleMs: config.OUTBOX_POLL_MS,
    onRound: (published, pending) => metrics.observeRelay(published, pending),
  });
  const consumers = [
    createEventsResolvedConsumer(kafka, {
      ...core,
      metrics,
      logger,
      groupId,
      batchSize: config.PROFILE_STORE_BATCH_SIZE,
      concurrency: config.PROFILE_STORE_PARTITIONS_CONCURRENTLY,
      onOutboxWritten: () => relay.nudge(),
    }),
    createIdentityChangesConsumer(kafka, { ...core, metrics, logger, groupId }),
    createConsentChangesConsumer(kafka, { pool, vault: core.vault, logger, groupId }),
    createPrivacyCommandsConsumer(kafka, { pool, logger, groupId, openedValues: core.openedValues }),
  ];
  const scheduler = createScheduler({
    ...core,
    logger,
    intervalMinutes: config.SCORING_INTERVAL_MINUTES,
    horizonWeeks: config.CLV_HORIZON_WEEKS,
  });
  // The API gets connections of its own: ingestion runs up to PROFILE_STORE_PARTITIONS_CONCURRENTLY
  // batch transactions, which can hold every connection of the main pool for a batch's duration,
  // and a read (or an audited read's commit) must not queue behind them.
  const apiPool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: config.PROFILE_STORE_API_POOL_SIZE,
    logger,
  });
  const profiles = createProfileService({
    db: apiPool,
    vault: core.vault,
    hasher: core.hasher,
    // pii.read events are committed to the outbox before the answer; the relay publishes them.
    audit: createOutboxAuditSink(apiPool),
    normalize: normalizeForLookup,
    onReadBatch: (by, size) => metrics.observeReadBatch(by, size),
  });
  const app = await buildApp({
    logger,
    registry,
    pool: apiPool,
    keys,
    profiles,
    readiness: { consumers: () => consumers.every((c) => c.isRunning()) },
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  relay.start();
  for (const c of consumers) await c.start();
  scheduler.start();
  logger.info({ port: config.PORT }, 'profile store started');

  runtime.installShutdown({
    http: app,
    drain: [
      { name: 'api postgres pool', run: () => apiPool.end() },
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
    ],
  });
}

main().catch(exitOnStartupFailure('profile-store'));
