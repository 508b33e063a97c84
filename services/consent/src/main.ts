import { hostname } from 'node:os';
import { createKeyDirectory } from '@tessera/access';
import { loadConfig } from '@tessera/config';
import { createPool, migrate } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import { createLogger, createMetricsRegistry, installShutdown } from '@tessera/observability';
import { buildApp } from './app';
import { ConsentConfigSchema } from './config';
import { createConsentCore } from './consent-core';
import { createConsentConsumers } from './consumers';
import { activationTopics, syncDestinations } from './features/activation/destinations';
import { startJobs } from './jobs';
import { migrations } from './migrations';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The only place that creates clients: Postgres, Kafka; then listens, consumes and schedules jobs. */
async function main(): Promise<void> {
  const config = loadConfig(ConsentConfigSchema);
  const logger = createLogger({ name: 'consent', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'consent' });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir, logger });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'consent',
    topicPrefix: config.TOPIC_PREFIX,
    logger,
    registry,
  });
  const producer = kafka.producer({ name: 'consent' });
  await producer.connect();
  const core = createConsentCore(config, { pool, producer, logger });
  await syncDestinations(pool, core.destinations);
  const admin = kafka.admin();
  // Idempotent: creates only what is missing (normally `tessera topics create` ran first).
  await admin.ensureTopics(
    [
      'eventsResolved',
      'identityChanges',
      'profileUpdates',
      'consentChanges',
      'privacyCommands',
      'privacyStatus',
      'suppression',
      'audit',
      'accessKeys',
      'deadLetter',
    ],
    activationTopics(core.destinations, config.TOPIC_PREFIX),
  );
  await admin.disconnect();
  const keys = createKeyDirectory({ kafka, logger, groupId: `consent-keys-${hostname()}` });
  await keys.start();

  const consumers = createConsentConsumers({
    kafka,
    pool,
    core,
    logger,
    groupId: config.CONSENT_CONSUMER_GROUP,
  });
  const app = await buildApp({
    logger,
    registry,
    pool,
    keys,
    core,
    readiness: { consumers: () => consumers.every((c) => c.isRunning()) },
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  for (const consumer of consumers) await consumer.start();
  const jobs = startJobs(
    [
      { name: 'dsr-resume', intervalMs: config.DSR_RESUME_INTERVAL_MS, run: () => core.dsr.resumeOpen() },
      { name: 'outbox-relay', intervalMs: 5_000, run: () => core.relay.flush() },
      {
        name: 'consent-expiry',
        intervalMs: config.CONSENT_SWEEP_INTERVAL_MS,
        run: async () => {
          if ((await core.sweepDue()) > 0) await core.relay.flush();
        },
      },
      {
        name: 'audit-retention',
        intervalMs: config.AUDIT_PURGE_INTERVAL_MS,
        run: () => core.audit.purgeBefore(new Date(Date.now() - config.AUDIT_RETENTION_DAYS * DAY_MS)),
      },
    ],
    logger,
  );
  logger.info(
    { port: config.PORT, destinations: core.destinations.map((d) => d.name) },
    'consent service started',
  );

  installShutdown(
    [
      ...consumers.map((c, i) => ({ name: `consumer ${i}`, run: () => c.stop() })),
      { name: 'jobs', run: () => jobs.stop() },
      { name: 'key directory', run: () => keys.stop() },
      { name: 'outbox', run: async () => void (await core.relay.flush()) },
      { name: 'producer', run: () => producer.disconnect() },
      { name: 'http', run: () => app.close() },
      { name: 'postgres', run: () => pool.end() },
    ],
    { logger },
  );
}

main().catch((err: unknown) => {
  console.error('consent service failed to start', err);
  process.exit(1);
});
