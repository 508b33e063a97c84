import type { HashedIdentifier } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import type { Jurisdiction } from './deadlines';
import type { DsrKind, DsrStatus, ServiceReport } from './dsr-state-machine';

/** What erasure and rectification act on: pseudonymous ids only (no raw identifiers). */
export interface DsrPlan {
  profileIds: string[];
  identifiers: HashedIdentifier[];
}

export interface DsrRequest {
  requestId: string;
  kind: DsrKind;
  jurisdiction: Jurisdiction;
  status: DsrStatus;
  subjectProfileId: string | null;
  subjectHashes: HashedIdentifier[];
  subjectSealed: string | null;
  requesterSealed: string | null;
  payloadSealed: string | null;
  plan: DsrPlan | null;
  result: Record<string, unknown> | null;
  bundleSealed: string | null;
  actor: string;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
  dueAt: Date;
  dispatchedAt: Date | null;
  completedAt: Date | null;
}

interface Row {
  request_id: string;
  kind: DsrKind;
  jurisdiction: Jurisdiction;
  status: DsrStatus;
  subject_profile_id: string | null;
  subject_hashes: HashedIdentifier[];
  subject_sealed: string | null;
  requester_sealed: string | null;
  payload_sealed: string | null;
  plan: DsrPlan | null;
  result: Record<string, unknown> | null;
  bundle_sealed: string | null;
  actor: string;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  due_at: Date;
  dispatched_at: Date | null;
  completed_at: Date | null;
}

function toDomain(r: Row): DsrRequest {
  return {
    requestId: r.request_id,
    kind: r.kind,
    jurisdiction: r.jurisdiction,
    status: r.status,
    subjectProfileId: r.subject_profile_id,
    subjectHashes: r.subject_hashes,
    subjectSealed: r.subject_sealed,
    requesterSealed: r.requester_sealed,
    payloadSealed: r.payload_sealed,
    plan: r.plan,
    result: r.result,
    bundleSealed: r.bundle_sealed,
    actor: r.actor,
    attempts: r.attempts,
    lastError: r.last_error,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    dispatchedAt: r.dispatched_at,
    completedAt: r.completed_at,
  };
}

export async function insertRequest(
  db: Queryable,
  r: Pick<
    DsrRequest,
    | 'requestId'
    | 'kind'
    | 'jurisdiction'
    | 'subjectProfileId'
    | 'subjectHashes'
    | 'subjectSealed'
    | 'requesterSealed'
    | 'payloadSealed'
    | 'actor'
    | 'receivedAt'
    | 'dueAt'
  >,
): Promise<void> {
  await db.query(
    `INSERT INTO privacy_requests (request_id, kind, jurisdiction, status, subject_profile_id, subject_hashes, subject_sealed,
       requester_sealed, payload_sealed, actor, received_at, due_at)
     VALUES ($1, $2, $3, 'received', $4, $5::jsonb, $6, $7, $8, $9, $10, $11)`,
    [
      r.requestId,
      r.kind,
      r.jurisdiction,
      r.subjectProfileId,
      JSON.stringify(r.subjectHashes),
      r.subjectSealed,
      r.requesterSealed,
      r.payloadSealed,
      r.actor,
      r.receivedAt,
      r.dueAt,
    ],
  );
}

export async function getRequest(
  db: Queryable,
  requestId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<DsrRequest | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM privacy_requests WHERE request_id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [requestId],
  );
  return rows[0] ? toDomain(rows[0]) : undefined;
}

export type RequestPatch = Partial<{
  plan: DsrPlan;
  result: Record<string, unknown>;
  bundleSealed: string | null;
  subjectSealed: string | null;
  payloadSealed: string | null;
  attempts: number;
  lastError: string | null;
  dispatchedAt: Date;
  completedAt: Date;
}>;

const COLUMNS: Record<keyof RequestPatch, string> = {
  plan: 'plan',
  result: 'result',
  bundleSealed: 'bundle_sealed',
  subjectSealed: 'subject_sealed',
  payloadSealed: 'payload_sealed',
  attempts: 'attempts',
  lastError: 'last_error',
  dispatchedAt: 'dispatched_at',
  completedAt: 'completed_at',
};

/**
 * Moves a request from `from` to `to` (compare-and-set on the status, so two workers never both
 * apply a step); returns false when someone else moved it first.
 */
export async function transition(
  db: Queryable,
  requestId: string,
  from: DsrStatus,
  to: DsrStatus,
  patch: RequestPatch = {},
): Promise<boolean> {
  const sets = ['status = $3', 'updated_at = now()', 'lease_until = NULL'];
  const values: unknown[] = [requestId, from, to];
  for (const [key, value] of Object.entries(patch) as Array<[keyof RequestPatch, unknown]>) {
    values.push(key === 'plan' || key === 'result' ? JSON.stringify(value) : value);
    sets.push(`${COLUMNS[key]} = $${values.length}${key === 'plan' || key === 'result' ? '::jsonb' : ''}`);
  }
  const { rowCount } = await db.query(
    `UPDATE privacy_requests SET ${sets.join(', ')} WHERE request_id = $1 AND status = $2`,
    values,
  );
  return rowCount === 1;
}

/** Claims open requests nobody holds a lease on (the resume job; a crashed worker's lease expires). */
export async function claimOpen(db: Queryable, limit: number, leaseMs: number): Promise<string[]> {
  const { rows } = await db.query<{ request_id: string }>(
    `UPDATE privacy_requests SET lease_until = now() + ($2 || ' milliseconds')::interval
      WHERE request_id IN (
        SELECT request_id FROM privacy_requests
         WHERE status NOT IN ('completed', 'failed') AND (lease_until IS NULL OR lease_until < now())
         ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING request_id`,
    [limit, String(leaseMs)],
  );
  return rows.map((r) => r.request_id);
}

export async function releaseLease(db: Queryable, requestId: string): Promise<void> {
  await db.query('UPDATE privacy_requests SET lease_until = NULL WHERE request_id = $1', [requestId]);
}

export async function listRequests(
  db: Queryable,
  filter: { status?: DsrStatus; profileIds?: string[]; limit: number },
): Promise<DsrRequest[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.status) {
    values.push(filter.status);
    where.push(`status = $${values.length}`);
  }
  if (filter.profileIds) {
    values.push(filter.profileIds);
    where.push(
      `(subject_profile_id = ANY($${values.length}::uuid[]) OR plan -> 'profileIds' ?| $${values.length}::text[])`,
    );
  }
  values.push(filter.limit);
  const { rows } = await db.query<Row>(
    `SELECT * FROM privacy_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC LIMIT $${values.length}`,
    values,
  );
  return rows.map(toDomain);
}

export async function upsertServiceReports(
  db: Queryable,
  reports: ReadonlyArray<{
    requestId: string;
    service: string;
    status: ServiceReport['status'];
    residue: number | null;
    details: Record<string, unknown>;
  }>,
): Promise<void> {
  for (const r of reports) {
    // The latest report wins, except that a reset to 'pending' (a re-sent command) never hides a 'done'.
    await db.query(
      `INSERT INTO privacy_request_services (request_id, service, status, residue, details)
       SELECT $1, $2, $3, $4, $5::jsonb WHERE EXISTS (SELECT 1 FROM privacy_requests WHERE request_id = $1)
       ON CONFLICT (request_id, service) DO UPDATE SET status = EXCLUDED.status, residue = EXCLUDED.residue,
         details = EXCLUDED.details, updated_at = now()
       WHERE EXCLUDED.status <> 'pending' OR privacy_request_services.status <> 'done'`,
      [r.requestId, r.service, r.status, r.residue, JSON.stringify(r.details)],
    );
  }
}

export async function serviceReports(
  db: Queryable,
  requestId: string,
): Promise<Array<ServiceReport & { details: Record<string, unknown>; updatedAt: Date }>> {
  const { rows } = await db.query<{
    service: string;
    status: ServiceReport['status'];
    residue: number | null;
    details: Record<string, unknown>;
    updated_at: Date;
  }>(
    'SELECT service, status, residue, details, updated_at FROM privacy_request_services WHERE request_id = $1 ORDER BY service',
    [requestId],
  );
  return rows.map((r) => ({
    service: r.service,
    status: r.status,
    residue: r.residue,
    details: r.details,
    updatedAt: r.updated_at,
  }));
}
