import { createStaticKeyDirectory, generateApiKey, type KeyDirectory } from '@tessera/access';
import type { TopicId } from '@tessera/contracts';
import { createIdentifierHasher, type IdentifierHasher } from '@tessera/crypto';
import { createPool, migrate } from '@tessera/db';
import type { TesseraKafka, TypedProducer } from '@tessera/kafka';
import { createMetricsRegistry, type Logger } from '@tessera/observability';
import {
  createTestDatabase,
  createTestKafka,
  createTestRedis,
  testLogger,
  waitFor,
  type TestKafka,
} from '@tessera/testkit';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { buildApp, createIngestPipeline, type IngestAppConfig } from '../app';
import { createSuppressionList, type SuppressionList } from '../features/privacy/suppression-list';
import { createSourceStore, type SourceStore } from '../features/sources/source-store';
import { createImportStore } from '../features/imports/import-store';
import type { IngestService } from '../features/tracking/ingest-service';
import { migrations } from '../migrations';

export const HASH_KEY = 'an-identifier-hash-key-for-tests-only-000';

export interface IngestHarness {
  app: FastifyInstance;
  ingest: IngestService;
  kafka: TesseraKafka;
  testKafka: TestKafka;
  producer: TypedProducer;
  keys: KeyDirectory;
  sources: SourceStore;
  suppression: SuppressionList;
  hasher: IdentifierHasher;
  pool: pg.Pool;
  config: IngestAppConfig;
  /** A write key for `sourceId` (registered or not). */
  writeKey(sourceId: string, scopes?: Array<'ingest:write' | 'profile:read'>): string;
  close(): Promise<void>;
}

const TOPICS: TopicId[] = ['eventsIngested', 'intake', 'suppression', 'deadLetter', 'accessKeys', 'audit'];

/** Ingest over real Postgres, Redis and Kafka (own database, key prefix and topic prefix). */
export async function startIngestHarness(
  opts: {
    logger?: Logger;
    config?: Partial<IngestAppConfig>;
    /** Publish accepted events through this client instead (e.g. a proxied broker for outage tests). */
    producerKafka?: TesseraKafka;
  } = {},
): Promise<IngestHarness> {
  const logger = opts.logger ?? testLogger('ingest');
  const [db, redis, testKafka] = await Promise.all([
    createTestDatabase(),
    createTestRedis(),
    createTestKafka({ topics: TOPICS }),
  ]);
  const pool = createPool({ connectionString: db.url, schema: migrations.schema, max: 4 });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
  const producer = (opts.producerKafka ?? testKafka.kafka).producer({ name: 'ingest-test' });
  await producer.connect();
  const suppression = createSuppressionList({
    kafka: testKafka.kafka,
    logger,
    groupId: 'ingest-suppression',
    emptyTopicMs: 500,
    settleMs: 500,
  });
  await suppression.start();
  const keys = createStaticKeyDirectory();
  const registry = createMetricsRegistry({ service: 'ingest-test', collectDefault: false });
  const hasher = createIdentifierHasher(HASH_KEY);
  const sources = createSourceStore(pool);
  const config: IngestAppConfig = {
    REDIS_KEY_PREFIX: redis.keyPrefix,
    INGEST_DEDUPE_WINDOW_SECONDS: 3600,
    INGEST_RATE_LIMIT_PER_SECOND: 100_000,
    INGEST_ALLOW_UNREGISTERED_SOURCES: true,
    INGEST_DEFAULT_CHANNEL: 'web',
    INGEST_DEFAULT_REGION: 'US',
    INGEST_SOURCE_CACHE_SECONDS: 0,
    ...opts.config,
  };
  const ingest = createIngestPipeline(config, {
    producer,
    redis: redis.redis,
    suppression,
    hasher,
    registry,
    logger,
  });
  const app = await buildApp(config, {
    logger,
    registry,
    keys,
    producer,
    redis: redis.redis,
    sources,
    imports: createImportStore(pool),
    suppression,
    hasher,
    ingest,
  });
  await app.ready();
  await waitFor(async () => suppression.ready(), {
    timeoutMs: 15_000,
    message: 'suppression list not ready',
  });
  return {
    app,
    ingest,
    kafka: testKafka.kafka,
    testKafka,
    producer,
    keys,
    sources,
    suppression,
    hasher,
    pool,
    config,
    writeKey(sourceId, scopes = ['ingest:write']) {
      const { token, record } = generateApiKey({ name: `test:${sourceId}`, scopes, sourceId });
      keys.upsert(record);
      return token;
    },
    async close() {
      await app.close();
      await suppression.stop();
      await producer.disconnect();
      await Promise.all([pool.end().then(() => db.drop()), redis.cleanup(), testKafka.cleanup()]);
    },
  };
}

/** Segment's convention: the write key as the Basic username with an empty password. */
export const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
