import { createHash, createHmac } from 'node:crypto';

/** prev_hash of the first entry of a chain that never had a purge. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash = sha256(prev_hash || canonical JSON of the entry), hex. */
export function chainHash(prevHash: string, entry: unknown): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(entry)).digest('hex');
}

export interface ChainRow {
  seq: number;
  entry: unknown;
  prevHash: string;
  hash: string;
}

/** Where verification starts: the genesis, or the signed checkpoint a purge left behind. */
export interface ChainAnchor {
  /** Sequence number of the last purged row (0 for genesis). */
  throughSeq: number;
  hash: string;
}

export type ChainBreak =
  | { seq: number; kind: 'gap'; expectedSeq: number }
  | { seq: number; kind: 'prev_hash_mismatch'; expected: string; actual: string }
  | { seq: number; kind: 'hash_mismatch'; expected: string; actual: string };

/**
 * Walks rows (ascending seq) from the anchor and returns the first broken link, or undefined.
 * Stateful so a store can feed pages without holding the whole log in memory.
 */
export function createChainVerifier(anchor: ChainAnchor): {
  next(row: ChainRow): ChainBreak | undefined;
  readonly verified: number;
  readonly lastHash: string;
} {
  let expectedSeq = anchor.throughSeq + 1;
  let prev = anchor.hash;
  let verified = 0;
  return {
    next(row) {
      if (row.seq !== expectedSeq) return { seq: row.seq, kind: 'gap', expectedSeq };
      if (row.prevHash !== prev)
        return { seq: row.seq, kind: 'prev_hash_mismatch', expected: prev, actual: row.prevHash };
      const recomputed = chainHash(row.prevHash, row.entry);
      if (recomputed !== row.hash)
        return { seq: row.seq, kind: 'hash_mismatch', expected: recomputed, actual: row.hash };
      prev = row.hash;
      expectedSeq += 1;
      verified += 1;
      return undefined;
    },
    get verified() {
      return verified;
    },
    get lastHash() {
      return prev;
    },
  };
}

/**
 * Signature over a purge checkpoint (HMAC-SHA256 with the audit signing key): the chain can only be
 * resumed from a checkpoint its key holder wrote, so deleting rows and forging a checkpoint is detected.
 */
export function signCheckpoint(key: Buffer, throughSeq: number, hash: string, purgedAt: string): string {
  return createHmac('sha256', key).update(`${throughSeq}|${hash}|${purgedAt}`).digest('hex');
}
