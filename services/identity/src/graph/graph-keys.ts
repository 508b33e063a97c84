import { createHash, randomBytes } from 'node:crypto';

/**
 * Key naming for one identity graph. Every key begins with `<prefix>{<graph>}`, so the braces make
 * Redis Cluster hash all of them to one slot and each script may touch any of them atomically.
 */
export interface GraphKeys {
  readonly base: string;
  readonly buckets: number;
  /** KEYS passed to every script: seq, types, pending, meta. */
  readonly scriptKeys: [string, string, string, string];
  bucketOf(hash: Buffer): number;
  identifierKey(bucket: number): string;
  profileKey(bucket: number): string;
  quarantineKey(bucket: number): string;
}

export function graphKeys(opts: { keyPrefix: string; graphName: string; buckets: number }): GraphKeys {
  if (!/^[A-Za-z0-9_.:-]+$/.test(opts.graphName)) throw new Error('graph name must be [A-Za-z0-9_.:-]+');
  if (!Number.isInteger(opts.buckets) || opts.buckets < 1)
    throw new Error('bucket count must be a positive integer');
  const base = `${opts.keyPrefix}{${opts.graphName}}`;
  return {
    base,
    buckets: opts.buckets,
    scriptKeys: [`${base}:seq`, `${base}:types`, `${base}:pending`, `${base}:meta`],
    bucketOf: (hash) => hash.readUInt32BE(0) % opts.buckets,
    identifierKey: (bucket) => `${base}:i:${bucket}`,
    profileKey: (bucket) => `${base}:p:${bucket}`,
    quarantineKey: (bucket) => `${base}:q:${bucket}`,
  };
}

/** The 16 raw bytes behind a base64url identifier hash. */
export function hashBytes(hash: string): Buffer {
  const bytes = Buffer.from(hash, 'base64url');
  if (bytes.length < 16) throw new Error('identifier hash is too short');
  return bytes;
}

/**
 * Where an identifier lives: bytes 0..3 choose the bucket, bytes 4..15 are the field. The bucket
 * bits are implied by the key, so 12 stored bytes still distinguish ~2^(96 + log2 buckets) values.
 */
export function identifierSlot(
  keys: Pick<GraphKeys, 'bucketOf'>,
  hash: string,
): { bucket: number; field: Buffer } {
  const bytes = hashBytes(hash);
  return { bucket: keys.bucketOf(bytes), field: bytes.subarray(4, 16) };
}

/** A 4-byte fingerprint of a strong identifier, for quarantine fan-in sets. */
export function fingerprint(hash: string): Buffer {
  return hashBytes(hash).subarray(12, 16);
}

export const uuidToBytes = (uuid: string): Buffer => Buffer.from(uuid.replace(/-/g, ''), 'hex');

export function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A UUID (version 8, RFC 9562 "custom") derived from its inputs, for ids that must be the same
 * every time the same fact is processed (merge change ids, the profile of an unattributable event).
 */
export function deterministicUuid(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}

/** `count` UUIDv7s from one random read (a syscall per id is measurable at batch rates). */
export function uuidv7Batch(count: number, nowMs: number): string[] {
  const random = randomBytes(16 * count);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const b = random.subarray(i * 16, i * 16 + 16);
    b.writeUIntBE(nowMs, 0, 6);
    b[6] = (b[6]! & 0x0f) | 0x70;
    b[8] = (b[8]! & 0x3f) | 0x80;
    out.push(bytesToUuid(b));
  }
  return out;
}
