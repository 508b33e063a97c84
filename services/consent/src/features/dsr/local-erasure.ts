import type { Queryable } from '@tessera/db';
import type { DsrPlan } from './dsr-store';

export const subjectKeysOf = (plan: DsrPlan): string[] => [
  ...plan.profileIds,
  ...plan.identifiers.map((i) => `${i.type}:${i.hash}`),
];

/**
 * Removes the subject from this service's schema: ledger records and derived state (replaced by one
 * erasure record holding only the request id and counts), activation memberships, and the personal
 * data sealed on the subject's other requests. Idempotent.
 */
export async function eraseLocally(
  db: Queryable,
  requestId: string,
  plan: DsrPlan,
  at: Date,
): Promise<{ consentRecords: number; activationMembers: number }> {
  const keys = subjectKeysOf(plan);
  const records = await db.query('DELETE FROM consent_records WHERE subject_key = ANY($1::text[])', [keys]);
  await db.query('DELETE FROM consent_state WHERE subject_key = ANY($1::text[])', [keys]);
  const members = await db.query('DELETE FROM activation_members WHERE profile_id = ANY($1::uuid[])', [
    plan.profileIds,
  ]);
  // Earlier requests about the same subject (an old export bundle, a rectification's corrections).
  await db.query(
    `UPDATE privacy_requests SET subject_sealed = NULL, payload_sealed = NULL, bundle_sealed = NULL, updated_at = now()
      WHERE request_id <> $1 AND (subject_profile_id = ANY($2::uuid[]) OR plan -> 'profileIds' ?| $2::text[])`,
    [requestId, plan.profileIds],
  );
  await db.query(
    `INSERT INTO erasure_records (request_id, erased_at, profile_count, identifier_count, consent_records_removed)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (request_id) DO UPDATE SET consent_records_removed = erasure_records.consent_records_removed + EXCLUDED.consent_records_removed`,
    [requestId, at, plan.profileIds.length, plan.identifiers.length, records.rowCount ?? 0],
  );
  return { consentRecords: records.rowCount ?? 0, activationMembers: members.rowCount ?? 0 };
}

/** Rows in this schema still referencing the subject (the request's own plan excepted). */
export async function localResidue(db: Queryable, requestId: string, plan: DsrPlan): Promise<number> {
  const keys = subjectKeysOf(plan);
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM consent_records WHERE subject_key = ANY($1::text[]))
          + (SELECT count(*) FROM consent_state WHERE subject_key = ANY($1::text[]))
          + (SELECT count(*) FROM activation_members WHERE profile_id = ANY($2::uuid[]))
          + (SELECT count(*) FROM privacy_requests WHERE request_id <> $3
               AND (subject_profile_id = ANY($2::uuid[]) OR plan -> 'profileIds' ?| $2::text[])
               AND (subject_sealed IS NOT NULL OR payload_sealed IS NOT NULL OR bundle_sealed IS NOT NULL))
          + (SELECT count(*) FROM privacy_requests WHERE request_id = $3
               AND (subject_sealed IS NOT NULL OR payload_sealed IS NOT NULL OR bundle_sealed IS NOT NULL)) AS n`,
    [keys, plan.profileIds, requestId],
  );
  return Number(rows[0]!.n);
}
