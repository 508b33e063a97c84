import type pg from 'pg';
import type { HashedIdentifier, PrivacyCommandV1, SuppressionEntryV1 } from '@tessera/contracts';
import { AppError, uuidv7 } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import { withTransaction } from '@tessera/db';
import type { TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { AuditStore } from '../audit/audit-store';
import { ownAuditEvent } from '../audit/audit-store';
import type { ConsentService } from '../ledger/consent-service';
import type { PiiVault } from '../pii/pii-vault';
import { buildAccessBundle } from './access-bundle';
import { daysRemaining, statutoryDeadline } from './deadlines';
import type { Jurisdiction } from './deadlines';
import { decideDispatch, isTerminal, summarizeResidue } from './dsr-state-machine';
import type { DsrKind, DsrStatus } from './dsr-state-machine';
import {
  claimOpen,
  getRequest,
  insertRequest,
  listRequests,
  releaseLease,
  serviceReports,
  transition,
  upsertServiceReports,
} from './dsr-store';
import type { DsrPlan, DsrRequest } from './dsr-store';
import { eraseLocally, localResidue } from './local-erasure';
import { publishRectification, rectificationApplied } from './rectification';
import type { UpstreamClient } from './upstream-client';

export interface RawIdentifier {
  type: string;
  value: string;
}

export interface CreateDsrInput {
  kind: DsrKind;
  jurisdiction: Jurisdiction;
  subject: {
    profileId?: string | undefined;
    identifiers?: RawIdentifier[] | undefined;
    hashedIdentifiers?: HashedIdentifier[] | undefined;
  };
  /** How to reach the requester (sealed); never logged. */
  requester?: Record<string, string> | undefined;
  /** Rectification: trait -> corrected value. */
  corrections?: Record<string, unknown> | undefined;
  actor: string;
}

export interface DsrServiceDeps {
  pool: pg.Pool;
  upstream: UpstreamClient;
  vault: PiiVault;
  consent: ConsentService;
  audit: AuditStore;
  producer: Pick<TypedProducer, 'publish' | 'publishRaw'>;
  hasher: IdentifierHasher;
  /** Physical activation topics, to tombstone an erased profile from every feed. */
  activationTopics: () => string[];
  requiredServices: readonly string[];
  resendAfterMs: number;
  maxAttempts: number;
  logger: Logger;
  clock?: () => Date;
}

/** Minimal normalization for identifiers given by hand that no profile holds (profile-store's lookup is preferred). */
function normalizeGiven(identifier: RawIdentifier): string {
  const trimmed = identifier.value.trim().normalize('NFC');
  return identifier.type === 'email' ? trimmed.toLowerCase() : trimmed;
}

export type DsrService = ReturnType<typeof createDsrService>;

export function createDsrService(deps: DsrServiceDeps) {
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

  const service = {
    async create(input: CreateDsrInput): Promise<DsrRequest> {
      const now = clock();
      const requestId = uuidv7(now.getTime());
      const given = input.subject.identifiers ?? [];
      const hashes = [
        ...(input.subject.hashedIdentifiers ?? []),
        ...given.map((i) => ({ type: i.type, hash: deps.hasher(i.type, normalizeGiven(i)) })),
      ];
      if (!input.subject.profileId && hashes.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [{ path: 'subject', message: 'give a profileId or at least one identifier' }],
        });
      }
      if (
        input.kind === 'rectification' &&
        (!input.corrections || Object.keys(input.corrections).length === 0 || given.length === 0)
      ) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [
            {
              path: 'corrections',
              message:
                'rectification needs corrections and an identifier of the subject (the correction is attributed to it)',
            },
          ],
        });
      }
      await insertRequest(deps.pool, {
        requestId,
        kind: input.kind,
        jurisdiction: input.jurisdiction,
        subjectProfileId: input.subject.profileId ?? null,
        subjectHashes: hashes,
        subjectSealed: given.length > 0 ? await deps.vault.seal('subject', { identifiers: given }) : null,
        requesterSealed: input.requester ? await deps.vault.seal('requester', input.requester) : null,
        payloadSealed: input.corrections ? await deps.vault.seal('payload', input.corrections) : null,
        actor: input.actor,
        receivedAt: now,
        dueAt: statutoryDeadline(input.jurisdiction, now),
      });
      log.info(
        { requestId, kind: input.kind, jurisdiction: input.jurisdiction },
        'data-subject request received',
      );
      return (await getRequest(deps.pool, requestId))!;
    },

    /** One step; returns the status after it. */
    async advance(requestId: string): Promise<DsrStatus> {
      const request = await getRequest(deps.pool, requestId);
      if (!request) throw new AppError('NOT_FOUND', `no request ${requestId}`, { statusCode: 404 });
      if (isTerminal(request.status)) return request.status;
      return step(request);
    },

    /** Steps until the request is terminal or waiting on other services. */
    async run(requestId: string): Promise<DsrStatus> {
      let status = (await getRequest(deps.pool, requestId))?.status;
      for (let i = 0; i < 20 && status !== undefined && !isTerminal(status); i += 1) {
        const next = await service.advance(requestId);
        if (next === status) break;
        status = next;
      }
      return status!;
    },

    /** The background job: claims open requests (a crashed worker's included) and advances them. */
    async resumeOpen(opts: { limit?: number; leaseMs?: number } = {}): Promise<number> {
      const ids = await claimOpen(deps.pool, opts.limit ?? 20, opts.leaseMs ?? 60_000);
      for (const id of ids) {
        try {
          await service.run(id);
        } catch (err) {
          const retryable = err instanceof AppError && err.retryable;
          log[retryable ? 'warn' : 'error']({ err, requestId: id }, 'data-subject request step failed');
          await deps.pool.query('UPDATE privacy_requests SET last_error = $2 WHERE request_id = $1', [
            id,
            err instanceof AppError ? `${err.code}: ${err.message}` : 'internal error',
          ]);
        } finally {
          await releaseLease(deps.pool, id);
        }
      }
      return ids.length;
    },

    async recordStatuses(
      statuses: ReadonlyArray<{
        requestId: string;
        service: string;
        status: 'done' | 'failed';
        details: Record<string, unknown>;
      }>,
    ) {
      await upsertServiceReports(
        deps.pool,
        statuses.map((s) => ({
          requestId: s.requestId,
          service: s.service,
          status: s.status,
          residue: typeof s.details.residue === 'number' ? s.details.residue : null,
          details: s.details,
        })),
      );
    },

    async status(requestId: string) {
      const request = await getRequest(deps.pool, requestId);
      if (!request) throw new AppError('NOT_FOUND', `no request ${requestId}`, { statusCode: 404 });
      return present(request, await serviceReports(deps.pool, requestId), clock());
    },

    async list(filter: { status?: DsrStatus; limit?: number }) {
      const now = clock();
      return (await listRequests(deps.pool, { ...filter, limit: filter.limit ?? 100 })).map((r) =>
        present(r, undefined, now),
      );
    },

    /** The access bundle (privacy:admin); every read is audited. */
    async exportBundle(requestId: string, actor: string): Promise<unknown> {
      const request = await getRequest(deps.pool, requestId);
      if (!request || request.kind !== 'access')
        throw new AppError('NOT_FOUND', `no access request ${requestId}`, { statusCode: 404 });
      if (request.status !== 'completed' || !request.bundleSealed) {
        throw new AppError(
          'CONFLICT',
          `request ${requestId} is ${request.status}; the bundle is not available`,
          { statusCode: 409 },
        );
      }
      await audit({ ...request, actor }, 'profile.export', {
        step: 'delivered',
        profiles: request.plan?.profileIds ?? [],
      });
      return deps.vault.open('bundle', request.bundleSealed);
    },
  };
  return service;
}

function present(
  request: DsrRequest,
  services: Awaited<ReturnType<typeof serviceReports>> | undefined,
  now: Date,
) {
  return {
    requestId: request.requestId,
    kind: request.kind,
    jurisdiction: request.jurisdiction,
    status: request.status,
    receivedAt: request.receivedAt.toISOString(),
    dueAt: request.dueAt.toISOString(),
    daysRemaining: isTerminal(request.status) ? null : daysRemaining(request.dueAt, now),
    overdue: !isTerminal(request.status) && request.dueAt.getTime() < now.getTime(),
    completedAt: request.completedAt?.toISOString() ?? null,
    attempts: request.attempts,
    lastError: request.lastError,
    plan: request.plan,
    result: request.result,
    ...(services
      ? {
          services: services.map((s) => ({
            service: s.service,
            status: s.status,
            residue: s.residue,
            details: s.details,
            updatedAt: s.updatedAt.toISOString(),
          })),
        }
      : {}),
  };
}
