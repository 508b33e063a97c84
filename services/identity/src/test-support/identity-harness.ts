import type pg from 'pg';
import type { TopicId, TopicMessage } from '@tessera/contracts';
import { createPool, migrate } from '@tessera/db';
import { createTestDatabase, createTestRedis, testLogger } from '@tessera/testkit';
import type { TestDatabase, TestRedis } from '@tessera/testkit';
import type { Publisher } from '../features/publisher';
import type { ResolvedBatch } from '../features/resolution/resolver';
import { createIdentityCore } from '../identity-core';
import type { IdentityCore } from '../identity-core';
import { migrations } from '../migrations';
import type { CompiledRules } from '../rules/identity-rules';
import { TEST_HASH_KEY, testHasher } from './fixtures';

/** Records what would go to Kafka; for tests whose subject is the graph and its durable copy. */
export class RecordingPublisher implements Publisher {
  readonly sent: Array<{ topic: TopicId; message: unknown }> = [];
  async publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[]): Promise<void> {
    for (const message of messages) this.sent.push({ topic, message });
  }
  async publishTombstone(topic: TopicId, keys: string[]): Promise<void> {
    for (const key of keys) this.sent.push({ topic, message: { tombstone: key } });
  }
  messages<T extends TopicId>(topic: T): TopicMessage<T>[] {
    return this.sent.filter((s) => s.topic === topic).map((s) => s.message as TopicMessage<T>);
  }
}

export interface IdentityHarness {
  pool: pg.Pool;
  databaseUrl: string;
  redis: TestRedis;
  core: IdentityCore;
  publisher: RecordingPublisher;
  /** Resolve, split what quarantine caught, acknowledge: what the consumer does minus Kafka. */
  resolve(
    ...events: Parameters<IdentityCore['resolver']['resolveBatch']>[0][number][]
  ): Promise<ResolvedBatch>;
  profileOf(type: string, value: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Real Postgres (own database, migrated) and Redis (own prefix) behind the identity core. */
export async function createIdentityHarness(
  opts: { rules?: CompiledRules; publisher?: Publisher } = {},
): Promise<IdentityHarness> {
  const database: TestDatabase = await createTestDatabase();
  const pool = createPool({ connectionString: database.url, schema: migrations.schema, max: 4 });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
  const redis = await createTestRedis();
  const publisher = new RecordingPublisher();
  const core = createIdentityCore(
    {
      IDENTIFIER_HASH_KEY: TEST_HASH_KEY,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      IDENTITY_GRAPH_NAME: 'graph',
      IDENTITY_BUCKETS: 64,
    },
    {
      pool,
      redis: redis.redis,
      publisher: opts.publisher ?? publisher,
      logger: testLogger('identity'),
      ...(opts.rules ? { rules: opts.rules } : {}),
    },
  );
  return {
    pool,
    databaseUrl: database.url,
    redis,
    core,
    publisher,
    async resolve(...events) {
      const batch = await core.resolver.resolveBatch(events);
      await core.quarantine.split(batch);
      await core.resolver.acknowledge(batch);
      return batch;
    },
    async profileOf(type, value) {
      return (await core.graph.lookup([testHasher(type, value)]))[0];
    },
    async close() {
      await pool.end();
      await redis.cleanup();
      await database.drop();
    },
  };
}

/**
 * One harness for a whole suite: created before its first test, closed after its last. Call it at
 * the top of a test file; the getter it returns is valid inside the tests.
 */
export function useIdentityHarness(): () => IdentityHarness {
  let harness: IdentityHarness | undefined;
  beforeAll(async () => {
    harness = await createIdentityHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the identity harness is created in beforeAll');
    return harness;
  };
}
