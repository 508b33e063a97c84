import type { ConsentStatus, HashedIdentifier } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import type { DerivedStatus, LedgerEntry } from './consent-derivation';

export interface ConsentSubject {
  profileId?: string | undefined;
  identifier?: HashedIdentifier | undefined;
}

/** A record about to be appended. */
export interface NewConsentRecord {
  recordId: string;
  subject: ConsentSubject;
  purpose: string;
  status: ConsentStatus;
  source: string;
  reason?: string | undefined;
  legalBasis?: string | undefined;
  jurisdiction?: string | undefined;
  formId?: string | undefined;
  proofHash?: string | undefined;
  effectiveAt: Date;
  expiresAt?: Date | undefined;
  idempotencyKey?: string | undefined;
}

export interface StoredConsentRecord extends LedgerEntry {
  subjectKey: string;
  legalBasis: string | null;
  jurisdiction: string | null;
  formId: string | null;
  proofHash: string | null;
}

export interface StoredState {
  subjectKey: string;
  purpose: string;
  status: DerivedStatus;
}

/** The ledger's key for a subject: the profile id, else `type:hash`. */
export function subjectKeyOf(subject: ConsentSubject): string {
  if (subject.profileId !== undefined) return subject.profileId;
  if (subject.identifier !== undefined) return `${subject.identifier.type}:${subject.identifier.hash}`;
  throw new Error('a consent subject needs a profileId or an identifier');
}

/** The inverse of subjectKeyOf (for publishing changes). */
export function subjectOfKey(key: string): ConsentSubject {
  const colon = key.indexOf(':');
  if (colon < 0) return { profileId: key };
  return { identifier: { type: key.slice(0, colon), hash: key.slice(colon + 1) } };
}

interface RecordRow {
  record_id: string;
  subject_key: string;
  purpose: string;
  status: ConsentStatus;
  source: string;
  reason: string | null;
  legal_basis: string | null;
  jurisdiction: string | null;
  form_id: string | null;
  proof_hash: string | null;
  recorded_at: Date;
  effective_at: Date;
  expires_at: Date | null;
}

function toDomain(row: RecordRow): StoredConsentRecord {
  return {
    recordId: row.record_id,
    subjectKey: row.subject_key,
    purpose: row.purpose,
    status: row.status,
    source: row.source,
    reason: row.reason ?? undefined,
    legalBasis: row.legal_basis,
    jurisdiction: row.jurisdiction,
    formId: row.form_id,
    proofHash: row.proof_hash,
    recordedAt: row.recorded_at,
    effectiveAt: row.effective_at,
    expiresAt: row.expires_at ?? undefined,
  };
}

/** Appends records (one statement); returns those actually inserted (idempotency keys dedupe retries). */
export async function insertRecords(
  db: Queryable,
  records: readonly NewConsentRecord[],
): Promise<NewConsentRecord[]> {
  if (records.length === 0) return [];
  const values: unknown[] = [];
  const tuples: string[] = [];
  for (const r of records) {
    const base = values.length;
    tuples.push(`(${Array.from({ length: 16 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
    values.push(
      r.recordId,
      subjectKeyOf(r.subject),
      r.subject.profileId ?? null,
      r.subject.identifier?.type ?? null,
      r.subject.identifier?.hash ?? null,
      r.purpose,
      r.status,
      r.source,
      r.reason ?? null,
      r.legalBasis ?? null,
      r.jurisdiction ?? null,
      r.formId ?? null,
      r.proofHash ?? null,
      r.effectiveAt,
      r.expiresAt ?? null,
      r.idempotencyKey ?? null,
    );
  }
  const { rows } = await db.query<{ record_id: string }>(
    `INSERT INTO consent_records (record_id, subject_key, profile_id, identifier_type, identifier_hash, purpose, status,
       source, reason, legal_basis, jurisdiction, form_id, proof_hash, effective_at, expires_at, idempotency_key)
     VALUES ${tuples.join(', ')}
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING record_id`,
    values,
  );
  const inserted = new Set(rows.map((r) => r.record_id));
  return records.filter((r) => inserted.has(r.recordId));
}

export async function loadRecords(
  db: Queryable,
  subjectKeys: readonly string[],
): Promise<StoredConsentRecord[]> {
  if (subjectKeys.length === 0) return [];
  const { rows } = await db.query<RecordRow>(
    `SELECT record_id, subject_key, purpose, status, source, reason, legal_basis, jurisdiction, form_id, proof_hash,
            recorded_at, effective_at, expires_at
       FROM consent_records WHERE subject_key = ANY($1::text[]) ORDER BY effective_at, record_id`,
    [subjectKeys],
  );
  return rows.map(toDomain);
}

export async function loadStates(db: Queryable, subjectKeys: readonly string[]): Promise<StoredState[]> {
  if (subjectKeys.length === 0) return [];
  const { rows } = await db.query<{ subject_key: string; purpose: string; status: DerivedStatus }>(
    'SELECT subject_key, purpose, status FROM consent_state WHERE subject_key = ANY($1::text[])',
    [subjectKeys],
  );
  return rows.map((r) => ({ subjectKey: r.subject_key, purpose: r.purpose, status: r.status }));
}

export async function upsertStates(
  db: Queryable,
  states: ReadonlyArray<{
    subjectKey: string;
    purpose: string;
    status: DerivedStatus;
    recordId: string | null;
    effectiveAt: Date | null;
    nextTransitionAt: Date | null;
  }>,
): Promise<void> {
  if (states.length === 0) return;
  await db.query(
    `INSERT INTO consent_state (subject_key, purpose, status, record_id, effective_at, next_transition_at, updated_at)
     SELECT * , now() FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (subject_key, purpose) DO UPDATE SET status = EXCLUDED.status, record_id = EXCLUDED.record_id,
       effective_at = EXCLUDED.effective_at, next_transition_at = EXCLUDED.next_transition_at, updated_at = now()`,
    [
      states.map((s) => s.subjectKey),
      states.map((s) => s.purpose),
      states.map((s) => s.status),
      states.map((s) => s.recordId),
      states.map((s) => s.effectiveAt),
      states.map((s) => s.nextTransitionAt),
    ],
  );
}

/** Subject/purpose pairs whose derived state may have changed by `now` (an expiry or a scheduled record). */
export async function dueTransitions(
  db: Queryable,
  now: Date,
  limit: number,
): Promise<Array<{ subjectKey: string; purpose: string }>> {
  const { rows } = await db.query<{ subject_key: string; purpose: string }>(
    'SELECT subject_key, purpose FROM consent_state WHERE next_transition_at <= $1 ORDER BY next_transition_at LIMIT $2',
    [now, limit],
  );
  return rows.map((r) => ({ subjectKey: r.subject_key, purpose: r.purpose }));
}
