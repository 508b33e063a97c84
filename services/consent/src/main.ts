import { startServiceRuntime, exitOnStartupFailure } from '@tessera/runtime';
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
  const runtime = await startServiceRuntime({
    name: 'consent',
    configSchema: ConsentConfigSchema,
    migrations,
    topics: [
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
  });
  const { config, logger, registry, pool, kafka, producer, keys } = runtime;
  const core = createConsentCore(config, { pool, producer, logger });
  await syncDestinations(pool, core.destinations);
  const admin = kafka.admin();
  // Destinations come from configuration, so their activation feeds may be new on this start.
  await admin.ensureTopics([], activationTopics(core.destinations, config.TOPIC_PREFIX));
  await admin.disconnect();

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

  runtime.installShutdown({
    http: app,
    drain: [
      ...consumers.map((c, i) => ({ name: `consumer ${i}`, run: () => c.stop() })),
      { name: 'jobs', run: () => jobs.stop() },
      { name: 'outbox', run: async () => void (await core.relay.flush()) },
    ],
  });
}

main().catch(exitOnStartupFailure('consent'));
