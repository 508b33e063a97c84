import type { Redis } from 'ioredis';
import { redisScript } from './redis-script';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Per-source event budget. */
export interface RateLimiter {
  take(sourceId: string, events: number, limitPerSecond: number): Promise<RateDecision>;
}

// Fixed one-second window per source, counted in events (a batch of 100 costs 100). A request
// that would exceed the budget is refused whole and not counted, so a rejected sender does not
// starve itself further. Returns -1 when allowed, else the window's remaining milliseconds.
const TAKE = redisScript(`
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if current + n > limit and current > 0 then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then ttl = 1000 end
  return ttl
end
local after = redis.call('INCRBY', KEYS[1], n)
if after == n then redis.call('PEXPIRE', KEYS[1], 1000) end
return -1
`);

/**
 * Redis fixed-window limiter shared by every ingest replica. A single request larger than the
 * whole budget is still admitted into an empty window (otherwise a source with a small limit
 * could never send a full batch); it then blocks the rest of that second.
 */
export function createRedisRateLimiter(redis: Redis, opts: { keyPrefix: string }): RateLimiter {
  return {
    async take(sourceId, events, limitPerSecond) {
      const result = (await TAKE(
        redis,
        [`${opts.keyPrefix}ingest:rate:${sourceId}`],
        [events, limitPerSecond],
      )) as number;
      if (result < 0) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(result / 1000)) };
    },
  };
}
