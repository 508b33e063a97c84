import type pg from 'pg';
import type { PiiVault } from './pii-vault';

export interface ReencryptResult {
  identities: number;
  observations: number;
  profiles: number;
}

/**
 * Key rotation: re-wraps every sealed value whose data key is wrapped by a KEK other than the
 * primary (only the small wrapped key changes; ciphertexts stay). Runs in chunks so it can be
 * interrupted and resumed; once it reports zeros the old KEK can leave PII_KEYRING.
 */
export async function reencryptAll(
  pool: pg.Pool,
  vault: PiiVault,
  primaryKeyId: string,
  chunk = 500,
): Promise<ReencryptResult> {
  const result: ReencryptResult = { identities: 0, observations: 0, profiles: 0 };
  for (;;) {
    const { rows } = await pool.query<{ type: string; hash: string; raw_sealed: string }>(
      `SELECT type, hash, raw_sealed FROM identities WHERE raw_sealed IS NOT NULL AND split_part(raw_sealed, '.', 2) <> $1 LIMIT $2`,
      [primaryKeyId, chunk],
    );
    if (rows.length === 0) break;
    const next = await Promise.all(rows.map((r) => vault.rewrap(r.raw_sealed)));
    await pool.query(
      `UPDATE identities i SET raw_sealed = u.sealed FROM unnest($1::text[], $2::text[], $3::text[]) AS u(type, hash, sealed)
        WHERE i.type = u.type AND i.hash = u.hash`,
      [rows.map((r) => r.type), rows.map((r) => r.hash), next],
    );
    result.identities += rows.length;
  }
  for (;;) {
    const { rows } = await pool.query<{ id: string; value_sealed: string }>(
      `SELECT id, value_sealed FROM trait_observations WHERE value_sealed IS NOT NULL AND split_part(value_sealed, '.', 2) <> $1 LIMIT $2`,
      [primaryKeyId, chunk],
    );
    if (rows.length === 0) break;
    const next = await Promise.all(rows.map((r) => vault.rewrap(r.value_sealed)));
    await pool.query(
      'UPDATE trait_observations o SET value_sealed = u.sealed FROM unnest($1::bigint[], $2::text[]) AS u(id, sealed) WHERE o.id = u.id',
      [rows.map((r) => r.id), next],
    );
    result.observations += rows.length;
  }
  for (;;) {
    const { rows } = await pool.query<{ id: string; pii_traits: Record<string, string> }>(
      `SELECT id, pii_traits FROM profiles
        WHERE EXISTS (SELECT 1 FROM jsonb_each_text(pii_traits) e WHERE split_part(e.value, '.', 2) <> $1) LIMIT $2`,
      [primaryKeyId, chunk],
    );
    if (rows.length === 0) break;
    const next = await Promise.all(
      rows.map(async (r) =>
        Object.fromEntries(
          await Promise.all(
            Object.entries(r.pii_traits).map(async ([k, v]) => [k, await vault.rewrap(v)] as const),
          ),
        ),
      ),
    );
    // Sealed golden values are opaque; the version is not bumped because nothing a reader sees changed.
    await pool.query(
      'UPDATE profiles p SET pii_traits = u.pii FROM unnest($1::uuid[], $2::jsonb[]) AS u(id, pii) WHERE p.id = u.id',
      [rows.map((r) => r.id), next.map((n) => JSON.stringify(n))],
    );
    result.profiles += rows.length;
  }
  return result;
}
