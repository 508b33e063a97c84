import type pg from 'pg';
import type { HashedIdentifier } from '@tessera/contracts';
import { AppError, uuidv7 } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import type { TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { AuditStore } from '../audit/audit-store';
import type { ConsentService } from '../ledger/consent-service';
import type { PiiVault } from '../pii/pii-vault';
import { daysRemaining, statutoryDeadline } from './deadlines';
import type { Jurisdiction } from './deadlines';
import { isTerminal } from './dsr-state-machine';
import type { DsrKind, DsrStatus } from './dsr-state-machine';
import { createDsrSteps } from './dsr-steps';
import {
  claimOpen,
  getRequest,
  insertRequest,
  listRequests,
  releaseLease,
  serviceReports,
  upsertServiceReports,
} from './dsr-store';
import type { DsrRequest } from './dsr-store';
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

  const { step, audit } = createDsrSteps(deps);

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
