import type { AuditStore } from '../audit/audit-store';
import type { ConsentService } from '../ledger/consent-service';
import type { Queryable } from '@tessera/db';
import { listRequests } from './dsr-store';
import type { DsrPlan, DsrRequest } from './dsr-store';
import type { ProfileExport, UpstreamClient } from './upstream-client';

export const ACCESS_BUNDLE_FORMAT = 'tessera.dsr.access.v1';

/**
 * The machine-readable answer to an access request (GDPR Art. 15/20, CCPA right to know, LGPD Art. 18):
 * everything profile-store holds (profile, identities, traits with provenance, events, merges), identity's
 * merge history, and this service's consents, requests and audit entries about the subject.
 */
export async function buildAccessBundle(input: {
  request: DsrRequest;
  plan: DsrPlan;
  exports: Array<ProfileExport | undefined>;
  deps: { pool: Queryable; upstream: UpstreamClient; consent: ConsentService; audit: AuditStore };
  now: Date;
}) {
  const { plan, deps } = input;
  const identityMerges: Record<string, unknown> = {};
  for (const exported of input.exports) {
    if (exported)
      identityMerges[exported.profile.id] = (await deps.upstream.merges(exported.profile.id)) ?? null;
  }
  const consents = [];
  for (const profileId of plan.profileIds)
    consents.push(await deps.consent.current({ profileId }, { history: true }));
  for (const identifier of plan.identifiers) {
    const state = await deps.consent.current({ identifier }, { history: true });
    if ((state.records ?? []).length > 0) consents.push(state);
  }
  const requests =
    plan.profileIds.length > 0
      ? await listRequests(deps.pool, { profileIds: plan.profileIds, limit: 1000 })
      : [];
  return {
    format: ACCESS_BUNDLE_FORMAT,
    requestId: input.request.requestId,
    generatedAt: input.now.toISOString(),
    jurisdiction: input.request.jurisdiction,
    subject: { profileIds: plan.profileIds, identifiers: plan.identifiers },
    profiles: input.exports.filter((e): e is ProfileExport => e !== undefined),
    identityMerges,
    consents: consents.map((c) => ({
      subject: c.subject,
      purposes: c.purposes,
      records: (c.records ?? []).map((r) => ({
        recordId: r.recordId,
        purpose: r.purpose,
        status: r.status,
        source: r.source,
        reason: r.reason ?? null,
        legalBasis: r.legalBasis,
        jurisdiction: r.jurisdiction,
        formId: r.formId,
        proofHash: r.proofHash,
        effectiveAt: r.effectiveAt.toISOString(),
        recordedAt: r.recordedAt.toISOString(),
        expiresAt: r.expiresAt?.toISOString() ?? null,
      })),
    })),
    privacyRequests: requests.map((r) => ({
      requestId: r.requestId,
      kind: r.kind,
      jurisdiction: r.jurisdiction,
      status: r.status,
      receivedAt: r.receivedAt.toISOString(),
      dueAt: r.dueAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
    })),
    audit: plan.profileIds.length > 0 ? await deps.audit.entriesAbout(plan.profileIds) : [],
  };
}
