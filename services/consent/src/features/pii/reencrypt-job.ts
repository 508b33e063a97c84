import { FieldEncryptor } from '@tessera/crypto';
import type { Queryable } from '@tessera/db';

const SEALED_COLUMNS = ['subject_sealed', 'requester_sealed', 'payload_sealed', 'bundle_sealed'] as const;

export interface ReencryptResult {
  scanned: number;
  rewrapped: number;
}

/**
 * Re-wraps every sealed column not yet under the keyring's primary key (after a rotation put a new
 * key first). Only the wrapped data key changes; ciphertexts stay, so this is cheap and restartable:
 * rows already on the primary are skipped. Run until it reports 0, then drop the old key.
 */
export async function reencryptPii(
  db: Queryable,
  encryptor: FieldEncryptor,
  primaryKeyId: string,
  opts: { batchSize?: number } = {},
): Promise<ReencryptResult> {
  const batchSize = opts.batchSize ?? 500;
  const result: ReencryptResult = { scanned: 0, rewrapped: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.query<Record<(typeof SEALED_COLUMNS)[number] | 'request_id', string | null>>(
      `SELECT request_id, ${SEALED_COLUMNS.join(', ')} FROM privacy_requests
        WHERE request_id > $1 ORDER BY request_id LIMIT $2`,
      [after, batchSize],
    );
    if (rows.length === 0) return result;
    for (const row of rows) {
      result.scanned += 1;
      const updates: Record<string, string> = {};
      for (const column of SEALED_COLUMNS) {
        const sealed = row[column];
        if (sealed && FieldEncryptor.keyIdOf(sealed) !== primaryKeyId)
          updates[column] = await encryptor.rewrap(sealed);
      }
      const columns = Object.keys(updates);
      if (columns.length > 0) {
        // Compare-and-set on the old values: a concurrent writer's newer value is never overwritten.
        const set = columns.map((c, i) => `${c} = $${i + 2}`).join(', ');
        const guard = columns.map((c, i) => `${c} = $${i + 2 + columns.length}`).join(' AND ');
        const { rowCount } = await db.query(
          `UPDATE privacy_requests SET ${set} WHERE request_id = $1 AND ${guard}`,
          [
            row.request_id,
            ...columns.map((c) => updates[c]),
            ...columns.map((c) => row[c as (typeof SEALED_COLUMNS)[number]]),
          ],
        );
        if (rowCount === 1) result.rewrapped += 1;
      }
      after = row.request_id!;
    }
  }
}
