import type { AccessKeyV1 } from '@tessera/contracts';
import { constantTimeEqualHex, sha256Hex } from '@tessera/crypto';
import { parseApiKey, toVerifiedKey, type VerifiedKey } from './api-key';

/** Outcome of checking a token; `revoked` only when the secret matched (no oracle for ids). */
export type KeyCheck =
  { status: 'valid'; key: VerifiedKey } | { status: 'revoked'; keyId: string } | { status: 'unknown' };

/**
 * The in-memory view of the access-keys topic. Revocation is terminal: a later record for a
 * revoked key without `revokedAt` (a replayed create arriving after a local revoke) is ignored.
 * A `revokedAt` in the future is a scheduled revocation (rotation grace period).
 */
export class KeyTable {
  private readonly records = new Map<string, AccessKeyV1>();

  constructor(private readonly clock: () => number = Date.now) {}

  apply(record: AccessKeyV1): void {
    const existing = this.records.get(record.keyId);
    if (existing?.revokedAt !== undefined && record.revokedAt === undefined) return;
    if (
      existing?.revokedAt !== undefined &&
      record.revokedAt !== undefined &&
      existing.revokedAt < record.revokedAt
    ) {
      return; // the earliest revocation wins
    }
    this.records.set(record.keyId, record);
  }

  delete(keyId: string): void {
    this.records.delete(keyId);
  }

  get(keyId: string): AccessKeyV1 | undefined {
    return this.records.get(keyId);
  }

  list(): AccessKeyV1[] {
    return [...this.records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get size(): number {
    return this.records.size;
  }

  isRevoked(record: AccessKeyV1): boolean {
    return record.revokedAt !== undefined && Date.parse(record.revokedAt) <= this.clock();
  }

  check(token: string): KeyCheck {
    const parsed = parseApiKey(token);
    if (!parsed) return { status: 'unknown' };
    const record = this.records.get(parsed.keyId);
    if (!record || !constantTimeEqualHex(sha256Hex(parsed.secret), record.secretSha256))
      return { status: 'unknown' };
    if (this.isRevoked(record)) return { status: 'revoked', keyId: record.keyId };
    return { status: 'valid', key: toVerifiedKey(record) };
  }
}
