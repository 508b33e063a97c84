import { Redis } from 'ioredis';
import { getInfra } from './infra';
import { uniqueName } from './wait-for';

export interface TestRedis {
  /** A plain client (no automatic prefix): code under test gets `keyPrefix` and applies it. */
  redis: Redis;
  /** Random prefix like `t1a2b3c4d5e:`; everything under it is deleted on cleanup. */
  keyPrefix: string;
  url: string;
  cleanup(): Promise<void>;
}

/** Deletes every key starting with `prefix` (SCAN, never KEYS). */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix.length === 0) throw new Error('refusing to delete keys with an empty prefix');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** A Redis client and a random key prefix for one test file. */
export async function createTestRedis(): Promise<TestRedis> {
  const { redisUrl } = await getInfra();
  const keyPrefix = `${uniqueName('t')}:`;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  return {
    redis,
    keyPrefix,
    url: redisUrl,
    async cleanup() {
      try {
        await deleteKeysByPrefix(redis, keyPrefix);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}
