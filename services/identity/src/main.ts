import { Redis } from 'ioredis';
import { exitOnStartupFailure, startServiceRuntime } from '@tessera/runtime';
import { buildApp } from './app';
import { IdentityConfigSchema } from './config';
import { createEventsIngestedConsumer } from './consumers/events-ingested-consumer';
import { createPrivacyCommandsConsumer } from './consumers/privacy-commands-consumer';
import { createIdentityCore } from './identity-core';
import { migrations } from './migrations';
import { createIdentityMetrics } from './metrics';

/** The only place that creates clients: Postgres, Redis, Kafka; then relays, listens and consumes. */
async function main(): Promise<void> {
  const runtime = await startServiceRuntime({
    name: 'identity',
    configSchema: IdentityConfigSchema,
    migrations,
  });
  const { config, logger, registry, pool, kafka, producer, keys } = runtime;
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: false });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));

  const metrics = createIdentityMetrics(registry);
  const core = createIdentityCore(config, {
    pool,
    redis,
    publisher: producer,
    logger,
    outbox: {
      idleMs: config.IDENTITY_OUTBOX_POLL_MS,
      onPublished: (n) => metrics.observeOutboxPublished(n),
    },
  });
  metrics.watchOutbox(() => core.outbox.pending());
  const events = createEventsIngestedConsumer({
    kafka,
    producer,
    resolver: core.resolver,
    quarantine: core.quarantine,
    logger,
    metrics,
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
  // First: splits a previous run committed but did not publish go out before anything new.
  core.outbox.start();
  await app.listen({ host: config.HOST, port: config.PORT });
  await events.start();
  await privacy.start();
  logger.info(
    { port: config.PORT, graph: config.IDENTITY_GRAPH_NAME, buckets: config.IDENTITY_BUCKETS },
    'identity service started',
  );

  runtime.installShutdown({
    http: app,
    // Stopping a consumer finishes its in-flight batch and commits its offsets.
    drain: [
      { name: 'events consumer', run: () => events.stop() },
      { name: 'privacy consumer', run: () => privacy.stop() },
      // After HTTP and the consumers: their last unmerges (operator or quarantine) are in the
      // outbox by now. What this final round cannot send stays for the next start.
      {
        name: 'outbox relay',
        run: async () => {
          await core.outbox.stop();
          await core.outbox
            .relayOnce()
            .catch((err: unknown) =>
              logger.warn({ err }, 'final outbox drain failed; rows stay for the next start'),
            );
        },
      },
    ],
    close: [{ name: 'redis', run: async () => void (await redis.quit()) }],
  });
}

main().catch(exitOnStartupFailure('identity'));
