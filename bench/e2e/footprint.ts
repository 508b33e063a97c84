/**
 * How big the platform's state is at a scale point: golden records, Postgres per schema, and the
 * identity graph's own Redis keys (the Redis instance is shared with other users, so its
 * `used_memory` alone would count their keys too).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';

export interface Footprint {
  profiles: number;
  /** The bench database, all schemas. */
  pgMb: number;
  /** Per schema (identity, profile_store, consent, ingest…), tables with their indexes and TOAST. */
  pgSchemaMb: Record<string, number>;
  /** The instance's `used_memory` (includes other users of the server). */
  redisMb: number;
  /** MEMORY USAGE summed over the platform's key prefix. */
  redisPlatformMb: number;
  redisKeys: number;
}

const MB = 1024 * 1024;

export async function countProfiles(db: pg.Client): Promise<number> {
  const r = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM profile_store.profiles');
  return Number(r.rows[0]!.n);
}

/** Change-feed messages profile-store has committed but its outbox relay has not yet published. */
export async function pendingOutbox(db: pg.Client): Promise<number> {
  const r = await db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM profile_store.outbox WHERE published_at IS NULL AND failed_reason IS NULL',
  );
  return Number(r.rows[0]!.n);
}

async function platformRedisBytes(redis: Redis, prefix: string): Promise<{ bytes: number; keys: number }> {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  do {
    const [nextCursor, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const results = (await pipeline.exec()) ?? [];
    for (const [err, value] of results) if (!err && typeof value === 'number') bytes += value;
    keys += batch.length;
  } while (cursor !== '0');
  return { bytes, keys };
}

export async function measureFootprint(db: pg.Client, redis: Redis, redisPrefix: string): Promise<Footprint> {
  const size = await db.query<{ b: string }>('SELECT pg_database_size(current_database())::text AS b');
  const schemas = await db.query<{ nspname: string; b: string }>(
    `SELECT n.nspname, sum(pg_total_relation_size(c.oid))::text AS b
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      GROUP BY n.nspname`,
  );
  const used = /used_memory:(\d+)/.exec(await redis.info('memory'));
  const own = await platformRedisBytes(redis, redisPrefix);
  return {
    profiles: await countProfiles(db),
    pgMb: Number(size.rows[0]!.b) / MB,
    pgSchemaMb: Object.fromEntries(schemas.rows.map((r) => [r.nspname, Number(r.b) / MB])),
    redisMb: used ? Number(used[1]) / MB : Number.NaN,
    redisPlatformMb: own.bytes / MB,
    redisKeys: own.keys,
  };
}
