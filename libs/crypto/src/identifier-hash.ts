import { createHmac, createSecretKey } from 'node:crypto';

/** Bytes of HMAC-SHA256 kept: 128 bits keeps collisions negligible and Redis keys short. */
const HASH_BYTES = 16;

export type IdentifierHasher = (type: string, value: string) => string;

/**
 * A keyed hash (HMAC-SHA256, truncated to 128 bits, base64url) of `type:value`. Used as the
 * blind index for identifiers everywhere they are stored or looked up (Redis graph keys, Postgres
 * lookup columns, the suppression list), so raw emails and phones never become keys. Every service
 * must be configured with the same `IDENTIFIER_HASH_KEY` for hashes to agree.
 */
export function createIdentifierHasher(key: string | Buffer): IdentifierHasher {
  const keyBytes = typeof key === 'string' ? decodeSecret(key) : key;
  if (keyBytes.length < 16) throw new Error('identifier hash key must be at least 16 bytes');
  // A KeyObject made once and one update of the joined string: the same bytes are hashed, and
  // this is on every hot path (ingest's suppression check, identity's resolution), where it
  // measured 20-25 % cheaper per hash than passing the raw key and three updates.
  const secret = createSecretKey(keyBytes);
  return (type, value) =>
    createHmac('sha256', secret)
      .update(`${type}:${value}`)
      .digest()
      .subarray(0, HASH_BYTES)
      .toString('base64url');
}

/** Secrets in env are base64 or hex; anything else is taken as UTF-8 bytes. */
export function decodeSecret(secret: string): Buffer {
  if (/^[0-9a-fA-F]+$/.test(secret) && secret.length % 2 === 0 && secret.length >= 32)
    return Buffer.from(secret, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(secret) && secret.length >= 43) {
    const bytes = Buffer.from(secret, secret.includes('-') || secret.includes('_') ? 'base64url' : 'base64');
    if (bytes.length >= 32) return bytes;
  }
  return Buffer.from(secret, 'utf8');
}
