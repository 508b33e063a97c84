import type pg from 'pg';
import type { ConsentChangeV1, ConsentState } from '@tessera/contracts';
import { uuidv7 } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { withTransaction } from '@tessera/db';
import type { AuditStore } from '../audit/audit-store';
import { ownAuditEvent } from '../audit/audit-store';
import { enqueue } from '../outbox/outbox';
import { deriveAll, deriveConsent } from './consent-derivation';
import type { DerivedConsent } from './consent-derivation';
import {
  insertRecords,
  loadRecords,
  loadStates,
  subjectKeyOf,
  subjectOfKey,
  upsertStates,
} from './ledger-store';
import type { ConsentSubject, NewConsentRecord, StoredConsentRecord } from './ledger-store';

export interface ConsentServiceDeps {
  pool: pg.Pool;
  audit: AuditStore;
  /** Physical name of the consent-change topic (outbox rows carry physical names). */
  consentChangesTopic: string;
  purposes: readonly string[];
  clock?: () => Date;
  /** Runs in the same transaction as the changes (activation feeds drop profiles that lost consent). */
  onChanges?: (client: Queryable, changes: readonly ConsentChangeV1[]) => Promise<unknown>;
}

export interface RecordOutcome {
  inserted: number;
  changes: ConsentChangeV1[];
}

export interface SubjectConsent {
  subject: ConsentSubject;
  purposes: Record<
    string,
    {
      status: DerivedConsent['status'];
      effectiveAt?: string;
      expiresAt?: string;
      source?: string;
      legalBasis?: string | null;
    }
  >;
  records?: StoredConsentRecord[];
}

export interface ConsentService {
  /** Appends records and re-derives the affected states; changes are committed to the outbox. */
  record(records: readonly NewConsentRecord[], actor: string): Promise<RecordOutcome>;
  recordIn(client: Queryable, records: readonly NewConsentRecord[], actor: string): Promise<RecordOutcome>;
  /** Re-derives given pairs (expiry sweep) and publishes what changed. */
  rederive(
    pairs: ReadonlyArray<{ subjectKey: string; purpose: string }>,
    actor: string,
    now?: Date,
  ): Promise<ConsentChangeV1[]>;
  /** The live state of a subject (derived at read time) and optionally its records. */
  current(subject: ConsentSubject, opts?: { history?: boolean }): Promise<SubjectConsent>;
  /** Derived states as the profile-update topic carries them. */
  stateOf(db: Queryable, subjectKeys: readonly string[]): Promise<Map<string, ConsentState>>;
}

const lockSubjects = async (db: Queryable, keys: readonly string[]) => {
  // Sorted so two transactions touching the same subjects never deadlock.
  for (const key of [...new Set(keys)].sort())
    await db.query("SELECT pg_advisory_xact_lock(hashtext('consent:' || $1))", [key]);
};

export function createConsentService(deps: ConsentServiceDeps): ConsentService {
  const clock = deps.clock ?? (() => new Date());

  async function rederiveIn(
    client: Queryable,
    pairs: ReadonlyArray<{ subjectKey: string; purpose: string }>,
    actor: string,
    now: Date = clock(),
  ): Promise<ConsentChangeV1[]> {
    if (pairs.length === 0) return [];
    const keys = [...new Set(pairs.map((p) => p.subjectKey))];
    const records = await loadRecords(client, keys);
    const previous = new Map(
      (await loadStates(client, keys)).map((s) => [`${s.subjectKey}\u0000${s.purpose}`, s.status]),
    );
    const changes: ConsentChangeV1[] = [];
    const states = [];
    const seen = new Set<string>();
    for (const { subjectKey, purpose } of pairs) {
      const id = `${subjectKey}\u0000${purpose}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const derived = deriveConsent(
        records.filter((r) => r.subjectKey === subjectKey && r.purpose === purpose),
        now,
      );
      states.push({
        subjectKey,
        purpose,
        status: derived.status,
        recordId: derived.record?.recordId ?? null,
        effectiveAt: derived.record?.effectiveAt ?? null,
        nextTransitionAt: derived.nextTransitionAt ?? null,
      });
      const before = previous.get(id) ?? 'unknown';
      if (before === derived.status) continue;
      changes.push({
        schemaVersion: 1,
        changeId: uuidv7(now.getTime()),
        subject: subjectOfKey(subjectKey) as ConsentChangeV1['subject'],
        purpose,
        status: derived.status,
        previousStatus: before,
        ...(derived.record ? { recordStatus: derived.record.status } : {}),
        source: derived.record?.source ?? 'expiry',
        ...(derived.record?.reason !== undefined ? { reason: derived.record.reason } : {}),
        effectiveAt: (derived.record?.effectiveAt ?? now).toISOString(),
        recordedAt: now.toISOString(),
      });
    }
    await upsertStates(client, states);
    await enqueue(
      client,
      changes.map((c) => ({ topic: deps.consentChangesTopic, key: subjectKeyOf(c.subject), payload: c })),
    );
    await deps.audit.appendIn(
      client,
      changes.map((c) =>
        ownAuditEvent(
          {
            action: 'consent.change',
            actor,
            ...(c.subject.profileId !== undefined ? { profileId: c.subject.profileId } : {}),
            details: {
              purpose: c.purpose,
              status: c.status,
              previousStatus: c.previousStatus,
              source: c.source,
              changeId: c.changeId,
            },
          },
          uuidv7(now.getTime()),
          now,
        ),
      ),
    );
    if (changes.length > 0 && deps.onChanges) await deps.onChanges(client, changes);
    return changes;
  }

  const service: ConsentService = {
    async recordIn(client, records, actor) {
      await lockSubjects(
        client,
        records.map((r) => subjectKeyOf(r.subject)),
      );
      const inserted = await insertRecords(client, records);
      const changes = await rederiveIn(
        client,
        inserted.map((r) => ({ subjectKey: subjectKeyOf(r.subject), purpose: r.purpose })),
        actor,
      );
      return { inserted: inserted.length, changes };
    },

    record(records, actor) {
      return withTransaction(deps.pool, (client) => service.recordIn(client, records, actor));
    },

    rederive(pairs, actor, now) {
      return withTransaction(deps.pool, async (client) => {
        await lockSubjects(
          client,
          pairs.map((p) => p.subjectKey),
        );
        return rederiveIn(client, pairs, actor, now);
      });
    },

    async current(subject, opts = {}) {
      const records = await loadRecords(deps.pool, [subjectKeyOf(subject)]);
      const derived = deriveAll(records, deps.purposes, clock());
      const purposes: SubjectConsent['purposes'] = {};
      for (const [purpose, d] of Object.entries(derived)) {
        const record = d.record as StoredConsentRecord | undefined;
        purposes[purpose] = {
          status: d.status,
          ...(record
            ? {
                effectiveAt: record.effectiveAt.toISOString(),
                source: record.source,
                legalBasis: record.legalBasis,
                ...(record.expiresAt ? { expiresAt: record.expiresAt.toISOString() } : {}),
              }
            : {}),
        };
      }
      return { subject, purposes, ...(opts.history ? { records } : {}) };
    },

    async stateOf(db, subjectKeys) {
      const records = await loadRecords(db, subjectKeys);
      const now = clock();
      const result = new Map<string, ConsentState>();
      for (const key of subjectKeys) {
        const derived = deriveAll(
          records.filter((r) => r.subjectKey === key),
          deps.purposes,
          now,
        );
        result.set(key, Object.fromEntries(Object.entries(derived).map(([p, d]) => [p, d.status])));
      }
      return result;
    },
  };
  return service;
}
