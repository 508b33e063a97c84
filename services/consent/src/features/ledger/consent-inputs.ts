import type { IdentityChangeV1, ResolvedEventV1 } from '@tessera/contracts';
import { uuidv7 } from '@tessera/contracts';
import type { DerivedStatus } from './consent-derivation';
import type { NewConsentRecord, StoredConsentRecord } from './ledger-store';
import { planMergeRecords, planSplitRecords } from './merge-policy';

/**
 * Ledger records for the consent signals on a resolved event (ESP unsubscribe/spam report, CMP
 * updates, GPC). Effective when the event happened; keyed by event and purpose so redelivery is a
 * no-op. A GPC flag without an explicit signal still opts out of sale/sharing.
 */
export function recordsFromResolvedEvent(resolved: ResolvedEventV1): NewConsentRecord[] {
  const { event } = resolved;
  const signals = [...event.consentSignals];
  if (event.gpc === true && !signals.some((s) => s.purpose === 'sale_sharing')) {
    signals.push({ purpose: 'sale_sharing', status: 'denied', reason: 'gpc' });
  }
  const byPurpose = new Map<string, NewConsentRecord>();
  for (const signal of signals) {
    const record: NewConsentRecord = {
      recordId: uuidv7(Date.parse(event.receivedAt)),
      subject: { profileId: resolved.profileId },
      purpose: signal.purpose,
      status: signal.status,
      source: `event:${event.sourceId}`,
      reason: signal.reason,
      legalBasis: signal.legalBasis,
      jurisdiction: signal.jurisdiction,
      effectiveAt: new Date(event.timestamp),
      idempotencyKey: `event:${event.eventId}:${signal.purpose}`,
    };
    const existing = byPurpose.get(signal.purpose);
    // Two signals for one purpose on one event: keep the stricter (e.g. unsubscribe + spam report).
    if (!existing || strictness(record.status) > strictness(existing.status))
      byPurpose.set(signal.purpose, record);
  }
  return [...byPurpose.values()];
}

const strictness = (s: NewConsentRecord['status']) => (s === 'withdrawn' ? 2 : s === 'denied' ? 1 : 0);

/**
 * Records that make consent follow the identity graph: on a merge the survivor takes the stricter
 * state per purpose; on a split every new component keeps the state the profile had before.
 */
export function recordsFromIdentityChange(
  change: IdentityChangeV1,
  stateOf: (profileId: string) => Record<string, DerivedStatus>,
): NewConsentRecord[] {
  const at = new Date(change.at);
  if (change.kind === 'merge') {
    return planMergeRecords(stateOf(change.survivorId), stateOf(change.absorbedId)).map((p) => ({
      recordId: uuidv7(at.getTime()),
      subject: { profileId: change.survivorId },
      purpose: p.purpose,
      status: p.status,
      source: 'identity',
      reason: `merge: absorbed ${change.absorbedId}`,
      effectiveAt: at,
      idempotencyKey: `merge:${change.changeId}:${p.purpose}`,
    }));
  }
  const original = stateOf(change.profileId);
  return change.components
    .filter((c) => c.profileId !== change.profileId)
    .flatMap((component) =>
      planSplitRecords(original).map((p) => ({
        recordId: uuidv7(at.getTime()),
        subject: { profileId: component.profileId },
        purpose: p.purpose,
        status: p.status,
        source: 'identity',
        reason: `split: from ${change.profileId}`,
        effectiveAt: at,
        idempotencyKey: `split:${change.changeId}:${component.profileId}:${p.purpose}`,
      })),
    );
}

/**
 * Copies of identifier-keyed records (e.g. an ESP unsubscribe recorded for an email before anyone
 * resolved it) onto the profile an event resolved that identifier to. Keyed by record and profile,
 * so each record is carried over once per profile however often the identifier is seen.
 */
export function carryOverRecords(
  resolved: readonly ResolvedEventV1[],
  identifierRecords: ReadonlyArray<StoredConsentRecord>,
): NewConsentRecord[] {
  const bySubject = new Map<string, StoredConsentRecord[]>();
  for (const r of identifierRecords) bySubject.set(r.subjectKey, [...(bySubject.get(r.subjectKey) ?? []), r]);
  const out = new Map<string, NewConsentRecord>();
  for (const event of resolved) {
    for (const h of event.identifierHashes) {
      for (const r of bySubject.get(`${h.type}:${h.hash}`) ?? []) {
        const idempotencyKey = `carry:${r.recordId}:${event.profileId}`;
        if (out.has(idempotencyKey)) continue;
        out.set(idempotencyKey, {
          recordId: uuidv7(r.recordedAt.getTime()),
          subject: { profileId: event.profileId },
          purpose: r.purpose,
          status: r.status,
          source: r.source,
          reason: `carried over from identifier ${h.type}`,
          legalBasis: r.legalBasis ?? undefined,
          jurisdiction: r.jurisdiction ?? undefined,
          formId: r.formId ?? undefined,
          proofHash: r.proofHash ?? undefined,
          effectiveAt: r.effectiveAt,
          expiresAt: r.expiresAt,
          idempotencyKey,
        });
      }
    }
  }
  return [...out.values()];
}
