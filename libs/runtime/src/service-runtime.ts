import { hostname } from 'node:os';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { TopicId } from '@tessera/contracts';
import { createKeyDirectory, type KeyDirectory } from '@tessera/access';
import { loadConfig, type databaseEnv, type kafkaEnv, type logEnv } from '@tessera/config';
import { createPool, createStatisticsKeeper, migrate } from '@tessera/db';
import { createKafka, type TesseraKafka, type TypedProducer } from '@tessera/kafka';
import {
  createLogger,
  createMetricsRegistry,
  installShutdown,
  type Logger,
  type ShutdownStep,
} from '@tessera/observability';

type EnvShape<T extends z.ZodRawShape> = z.output<z.ZodObject<T>>;

/** The settings every service has (see the env fragments in @tessera/config). */
export type BaseServiceConfig = EnvShape<typeof kafkaEnv> &
  EnvShape<typeof databaseEnv> &
  EnvShape<typeof logEnv>;

export interface ServiceRuntimeOptions<C extends BaseServiceConfig> {
  /** Service name: logger name, metrics label, default Kafka client id, key-directory group. */
  name: string;
  configSchema: z.ZodType<C>;
  migrations: { schema: string; dir: string };
  /**
   * Catalogue topics created if missing before anything consumes (normally `tessera topics
   * create` ran first); a service that starts first on an empty cluster still finds its keys.
   */
  topics?: TopicId[];
}

export interface ServiceShutdownPlan {
  /** Closed first, so in-flight requests finish while the producer and pool still work. */
  http: { close(): Promise<unknown> };
  /** Consumers, jobs, relays: each finishes its in-flight batch and commits. */
  drain?: ShutdownStep[];
  /** Other clients to close after the producer (e.g. Redis), before the pool. */
  close?: ShutdownStep[];
}

export interface ServiceRuntime<C> {
  config: C;
  logger: Logger;
  registry: Registry;
  /** Migrated before it is returned. */
  pool: pg.Pool;
  kafka: TesseraKafka;
  /** Connected; idempotent, acks=all. */
  producer: TypedProducer;
  /** Started: API keys and revocations follow the access-keys topic. */
  keys: KeyDirectory;
  /** Installs SIGTERM/SIGINT handling that runs the plan, then the runtime's own clients. */
  installShutdown(plan: ServiceShutdownPlan): void;
}

/**
 * What every service's main.ts starts with, in the order that fails fastest: configuration
 * (exits 78 with every bad variable named), logger and metrics, Postgres migrated to the current
 * schema (and its statistics kept while autovacuum is off, see statistics-keeper.ts), Kafka
 * producer connected, API key directory caught up. Only main.ts calls this: it is
 * the one place that creates clients.
 */
export async function startServiceRuntime<C extends BaseServiceConfig>(
  opts: ServiceRuntimeOptions<C>,
): Promise<ServiceRuntime<C>> {
  const config = loadConfig(opts.configSchema);
  const logger = createLogger({ name: opts.name, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: opts.name });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: opts.migrations.schema,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  await migrate(pool, { schema: opts.migrations.schema, migrationsDir: opts.migrations.dir, logger });
  const statistics = createStatisticsKeeper({
    pool,
    schema: opts.migrations.schema,
    logger,
    intervalMs: config.DATABASE_ANALYZE_INTERVAL_MS,
  });
  if (config.DATABASE_ANALYZE_INTERVAL_MS > 0) statistics.start();
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? opts.name,
    topicPrefix: config.TOPIC_PREFIX,
    logger,
    registry,
  });
  if (opts.topics && opts.topics.length > 0) {
    const admin = kafka.admin();
    try {
      await admin.ensureTopics(opts.topics);
    } finally {
      await admin.disconnect();
    }
  }
  const producer = kafka.producer({ name: opts.name });
  await producer.connect();
  // Per host: every replica must read the whole key topic, so none may share a group.
  const keys = createKeyDirectory({ kafka, logger, groupId: `${opts.name}-keys-${hostname()}` });
  await keys.start();

  return {
    config,
    logger,
    registry,
    pool,
    kafka,
    producer,
    keys,
    installShutdown(plan) {
      installShutdown(
        [
          { name: 'http', run: async () => void (await plan.http.close()) },
          ...(plan.drain ?? []),
          { name: 'key directory', run: () => keys.stop() },
          { name: 'producer', run: () => producer.disconnect() },
          ...(plan.close ?? []),
          { name: 'statistics keeper', run: () => statistics.stop() },
          { name: 'postgres', run: () => pool.end() },
        ],
        { logger },
      );
    },
  };
}

/** For main.ts: log a start-up failure plainly and exit non-zero. */
export function exitOnStartupFailure(service: string): (err: unknown) => never {
  return (err) => {
    console.error(`${service} service failed to start`, err);
    process.exit(1);
  };
}
