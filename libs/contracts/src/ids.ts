import { randomFillSync } from 'node:crypto';

// Ids are minted per event on the ingest hot path: randomness comes from a pooled buffer (one
// randomFillSync per 256 ids instead of one randomBytes call per id) and the string is written
// straight from the pool with a byte-to-hex table, without BigInt or an intermediate Buffer
// (each of those showed up in ingest's CPU profile).
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolOffset = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const TWO_POW_32 = 2 ** 32;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, 74 random bits (variant 10), so ids
 * sort by creation and index well in Postgres. Used for event ids, profile ids, change ids and
 * request ids. Not monotonic within a millisecond (RFC 9562 allows that; nothing relies on it).
 */
export function uuidv7(now: number = Date.now()): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += 16;
  // 48-bit timestamp as a 16-bit high part and a 32-bit low part (exact for any ms up to 2^48).
  const high = Math.floor(now / TWO_POW_32) & 0xffff;
  const low = (now % TWO_POW_32) >>> 0;
  return (
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[low >>> 24]! +
    HEX[(low >>> 16) & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[(pool[r + 6]! & 0x0f) | 0x70]! +
    HEX[pool[r + 7]!]! +
    '-' +
    HEX[(pool[r + 8]! & 0x3f) | 0x80]! +
    HEX[pool[r + 9]!]! +
    '-' +
    HEX[pool[r + 10]!]! +
    HEX[pool[r + 11]!]! +
    HEX[pool[r + 12]!]! +
    HEX[pool[r + 13]!]! +
    HEX[pool[r + 14]!]! +
    HEX[pool[r + 15]!]!
  );
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
