import { AppError, uuidv7 } from '@tessera/contracts';
import type { HashedIdentifier, PrivacyCommandV1, SuppressionEntryV1 } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import { ownAuditEvent } from '../audit/audit-store';
import { buildAccessBundle } from './access-bundle';
import { decideDispatch, summarizeResidue } from './dsr-state-machine';
import type { DsrStatus } from './dsr-state-machine';
import { serviceReports, transition, upsertServiceReports } from './dsr-store';
import type { DsrPlan, DsrRequest } from './dsr-store';
import type { DsrServiceDeps, RawIdentifier } from './dsr-service';
import { eraseLocally, localResidue } from './local-erasure';
import { publishRectification, rectificationApplied } from './rectification';
import type { UpstreamClient } from './upstream-client';

/**
 * The steps of every request kind, one per persisted state. Each is idempotent and ends in a
 * compare-and-set transition, so a crash anywhere resumes by re-running the current state's step.
 */
export function createDsrSteps(deps: DsrServiceDeps) {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger.child({ module: 'dsr' });

  async function subjectIdentifiers(request: DsrRequest): Promise<RawIdentifier[]> {
    if (!request.subjectSealed) return [];
    return (
      (await deps.vault.open<{ identifiers?: RawIdentifier[] }>('subject', request.subjectSealed))
        .identifiers ?? []
    );
  }

  /** Profile ids the subject is known under: the given one, lookups of given identifiers, merged-away ids. */
  async function resolvePlan(
    request: DsrRequest,
  ): Promise<{ plan: DsrPlan; exports: Awaited<ReturnType<UpstreamClient['exportProfile']>>[] }> {
    const given = await subjectIdentifiers(request);
    const roots = new Set<string>(request.subjectProfileId ? [request.subjectProfileId] : []);
    for (const identifier of given) {
      const owner = await deps.upstream.lookup(identifier.type, identifier.value);
      if (owner) roots.add(owner);
    }
    const profileIds = new Set<string>(roots);
    const identifiers = new Map<string, HashedIdentifier>();
    for (const h of request.subjectHashes) identifiers.set(`${h.type}:${h.hash}`, h);
    const exports = [];
    for (const id of roots) {
      const exported = await deps.upstream.exportProfile(id);
      if (!exported) continue;
      exports.push(exported);
      profileIds.add(exported.profile.id);
      for (const m of exported.profile.mergedFrom) profileIds.add(m);
      for (const i of exported.identities)
        identifiers.set(`${i.type}:${i.hash}`, { type: i.type, hash: i.hash });
    }
    return { plan: { profileIds: [...profileIds].sort(), identifiers: [...identifiers.values()] }, exports };
  }

  async function dispatchErasure(request: DsrRequest, plan: DsrPlan, now: Date): Promise<void> {
    const command: PrivacyCommandV1 = {
      schemaVersion: 1,
      requestId: request.requestId,
      kind: 'erase',
      profileIds: plan.profileIds,
      identifiers: plan.identifiers,
      requestedAt: request.receivedAt.toISOString(),
    };
    await deps.producer.publish('privacyCommands', [command]);
    const suppression: SuppressionEntryV1[] = plan.identifiers.map((identifier) => ({
      schemaVersion: 1,
      identifier,
      requestId: request.requestId,
      suppressedAt: now.toISOString(),
    }));
    if (suppression.length > 0) await deps.producer.publish('suppression', suppression);
    for (const topic of deps.activationTopics()) {
      if (plan.profileIds.length > 0)
        await deps.producer.publishRaw(
          topic,
          plan.profileIds.map((key) => ({ key, value: null })),
        );
    }
  }

  async function audit(
    request: DsrRequest,
    action: 'profile.export' | 'subject.erasure' | 'subject.rectification' | 'consent.change',
    details: Record<string, string | number | boolean | string[]>,
  ) {
    const now = clock();
    await deps.audit.append([
      ownAuditEvent(
        {
          action,
          actor: request.actor,
          purpose: `dsr-${request.kind}`,
          requestId: request.requestId,
          ...(request.subjectProfileId ? { profileId: request.subjectProfileId } : {}),
          details,
        },
        uuidv7(now.getTime()),
        now,
      ),
    ]);
  }

  /** Runs the step for the request's current status; returns the status after it (unchanged = waiting). */
  async function step(request: DsrRequest): Promise<DsrStatus> {
    const now = clock();
    const { requestId } = request;
    const move = async (to: DsrStatus, patch: Parameters<typeof transition>[4] = {}) =>
      (await transition(deps.pool, requestId, request.status, to, patch)) ? to : request.status;

    switch (`${request.kind}/${request.status}`) {
      case 'access/received': {
        const { plan, exports } = await resolvePlan(request);
        const bundle = await buildAccessBundle({ request, plan, exports, deps, now });
        await upsertServiceReports(deps.pool, [
          {
            requestId,
            service: 'profile-store',
            status: 'done',
            residue: null,
            details: { profiles: exports.length },
          },
          {
            requestId,
            service: 'identity',
            status: 'done',
            residue: null,
            details: { profiles: plan.profileIds.length },
          },
          { requestId, service: 'consent', status: 'done', residue: null, details: {} },
        ]);
        await audit(request, 'profile.export', { profiles: plan.profileIds, format: bundle.format });
        return move('completed', {
          plan,
          bundleSealed: await deps.vault.seal('bundle', bundle),
          completedAt: now,
          result: { profiles: plan.profileIds.length },
        });
      }
      case 'opt_out_sale/received': {
        const { plan } = await resolvePlan(request);
        const subjects = [
          ...plan.profileIds.map((profileId) => ({ profileId })),
          ...plan.identifiers.map((identifier) => ({ identifier })),
        ];
        if (subjects.length === 0)
          throw new AppError('PROFILE_NOT_FOUND', 'the subject could not be resolved', { statusCode: 404 });
        const outcome = await deps.consent.record(
          subjects.map((subject) => ({
            recordId: uuidv7(now.getTime()),
            subject,
            purpose: 'sale_sharing',
            status: 'denied' as const,
            source: 'dsr',
            reason: 'opt_out_sale',
            legalBasis: 'opt_out_right',
            jurisdiction: request.jurisdiction,
            effectiveAt: now,
            idempotencyKey: `dsr:${requestId}:${'profileId' in subject ? subject.profileId : `${subject.identifier.type}:${subject.identifier.hash}`}`,
          })),
          request.actor,
        );
        await upsertServiceReports(deps.pool, [
          {
            requestId,
            service: 'consent',
            status: 'done',
            residue: null,
            details: { changes: outcome.changes.length },
          },
        ]);
        return move('completed', {
          plan,
          completedAt: now,
          result: { subjects: subjects.length, changes: outcome.changes.length },
        });
      }
      case 'erasure/received':
      case 'rectification/received': {
        const { plan } = await resolvePlan(request);
        if (
          plan.profileIds.length === 0 &&
          (request.kind === 'rectification' || plan.identifiers.length === 0)
        ) {
          if (request.kind === 'rectification')
            throw new AppError('PROFILE_NOT_FOUND', 'no profile holds the subject', { statusCode: 404 });
        }
        return move('planned', { plan });
      }
      case 'erasure/planned': {
        const plan = request.plan!;
        await dispatchErasure(request, plan, now);
        const erased = await withTransaction(deps.pool, async (client) => {
          const result = await eraseLocally(client, requestId, plan, now);
          await client.query(
            'UPDATE privacy_requests SET subject_sealed = NULL, payload_sealed = NULL WHERE request_id = $1',
            [requestId],
          );
          await upsertServiceReports(
            client,
            deps.requiredServices.map((service) => ({
              requestId,
              service,
              status: 'pending' as const,
              residue: null,
              details: {},
            })),
          );
          return result;
        });
        await audit(request, 'subject.erasure', {
          step: 'dispatched',
          profiles: plan.profileIds,
          identifiers: plan.identifiers.length,
          consentRecords: erased.consentRecords,
        });
        return move('dispatched', { dispatchedAt: now, attempts: request.attempts + 1 });
      }
      case 'erasure/dispatched': {
        const reports = await serviceReports(deps.pool, requestId);
        const decision = decideDispatch({
          required: deps.requiredServices,
          reports,
          dispatchedAt: request.dispatchedAt ?? request.receivedAt,
          now,
          attempts: request.attempts,
          resendAfterMs: deps.resendAfterMs,
          maxAttempts: deps.maxAttempts,
        });
        if (decision.action === 'wait') return request.status;
        if (decision.action === 'fail') return move('failed', { lastError: decision.reason });
        if (decision.action === 'verify') return move('verifying');
        log.warn(
          { requestId, services: decision.services, attempt: request.attempts + 1 },
          're-sending erase command',
        );
        await dispatchErasure(request, request.plan!, now);
        await transition(deps.pool, requestId, 'dispatched', 'dispatched', {
          dispatchedAt: now,
          attempts: request.attempts + 1,
        });
        return request.status;
      }
      case 'erasure/verifying': {
        const plan = request.plan!;
        const reports = await serviceReports(deps.pool, requestId);
        let local = await localResidue(deps.pool, requestId, plan);
        if (local > 0) {
          await withTransaction(deps.pool, (client) => eraseLocally(client, requestId, plan, now));
          local = await localResidue(deps.pool, requestId, plan);
        }
        const residue = summarizeResidue(
          reports.filter((r) => deps.requiredServices.includes(r.service)),
          local,
        );
        if (residue.total > 0 || residue.unverified.length > 0) {
          if (request.attempts >= deps.maxAttempts)
            return move('failed', {
              lastError: `residue remains: ${JSON.stringify(residue.byService)}`,
              result: { residue },
            });
          await upsertServiceReports(
            deps.pool,
            deps.requiredServices.map((service) => ({
              requestId,
              service,
              status: 'pending' as const,
              residue: null,
              details: {},
            })),
          );
          await dispatchErasure(request, plan, now);
          return move('dispatched', { dispatchedAt: now, attempts: request.attempts + 1 });
        }
        await audit(request, 'subject.erasure', {
          step: 'verified',
          residue: 0,
          services: Object.keys(residue.byService),
        });
        return move('completed', { completedAt: now, result: { residue } });
      }
      case 'rectification/planned': {
        const corrections = request.payloadSealed
          ? await deps.vault.open<Record<string, unknown>>('payload', request.payloadSealed)
          : {};
        await publishRectification({
          request,
          plan: request.plan!,
          corrections,
          identifiers: await subjectIdentifiers(request),
          deps,
          now,
        });
        return move('dispatched', { dispatchedAt: now, attempts: request.attempts + 1 });
      }
      case 'rectification/dispatched': {
        const corrections = request.payloadSealed
          ? await deps.vault.open<Record<string, unknown>>('payload', request.payloadSealed)
          : {};
        const exported = await deps.upstream.exportProfile(request.plan!.profileIds[0]!);
        if (exported && rectificationApplied(exported, corrections)) return move('verifying');
        if (now.getTime() - (request.dispatchedAt ?? now).getTime() < deps.resendAfterMs)
          return request.status;
        if (request.attempts >= deps.maxAttempts)
          return move('failed', { lastError: 'corrections not reflected in the golden record' });
        await publishRectification({
          request,
          plan: request.plan!,
          corrections,
          identifiers: await subjectIdentifiers(request),
          deps,
          now,
        });
        await transition(deps.pool, requestId, 'dispatched', 'dispatched', {
          dispatchedAt: now,
          attempts: request.attempts + 1,
        });
        return request.status;
      }
      case 'rectification/verifying': {
        await upsertServiceReports(deps.pool, [
          { requestId, service: 'profile-store', status: 'done', residue: null, details: {} },
        ]);
        await audit(request, 'subject.rectification', { profiles: request.plan!.profileIds });
        return move('completed', { completedAt: now, payloadSealed: null, result: { applied: true } });
      }
      default:
        throw new Error(`no step for ${request.kind}/${request.status}`);
    }
  }

  return { step, audit };
}
