import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { apiKeyOf, requireAuth } from '@tessera/access';
import type { KeyDirectory } from '@tessera/access';
import {
  AppError,
  ConsentStatusSchema,
  IdentifierTypeSchema,
  IsoDateTimeSchema,
  PurposeSchema,
  UuidSchema,
  uuidv7,
  validationError,
} from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import type { Logger } from '@tessera/observability';
import type { ConsentService } from './consent-service';
import type { NewConsentRecord } from './ledger-store';

const IdentifierInputSchema = z.union([
  z.object({ type: IdentifierTypeSchema, hash: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/) }).strict(),
  z.object({ type: IdentifierTypeSchema, value: z.string().min(1).max(512) }).strict(),
]);

export const ConsentRecordInputSchema = z
  .object({
    profileId: UuidSchema.optional(),
    identifier: IdentifierInputSchema.optional(),
    purpose: PurposeSchema,
    status: ConsentStatusSchema,
    source: z.string().min(1).max(100).default('api'),
    reason: z.string().max(500).optional(),
    legalBasis: z.string().max(64).optional(),
    jurisdiction: z.string().max(16).optional(),
    /** Proof of the consent act: the form, and the IP and user agent (hashed with a key; never stored raw). */
    proof: z
      .object({
        formId: z.string().max(200).optional(),
        ip: z.string().max(100).optional(),
        userAgent: z.string().max(1000).optional(),
      })
      .optional(),
    effectiveAt: IsoDateTimeSchema.optional(),
    expiresAt: IsoDateTimeSchema.optional(),
    /** Makes a retried call a no-op. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((r) => r.profileId !== undefined || r.identifier !== undefined, {
    message: 'give profileId or identifier',
    path: ['profileId'],
  });

const BodySchema = z.union([
  ConsentRecordInputSchema,
  z.object({ records: z.array(ConsentRecordInputSchema).min(1).max(500) }),
]);

export interface ConsentRoutesOptions {
  keys: KeyDirectory;
  consent: ConsentService;
  hasher: IdentifierHasher;
  purposes: readonly string[];
  /** Publishes the outbox; a failure only delays publication (the relay job retries), so it never fails the call. */
  afterWrite: () => Promise<unknown>;
  logger: Logger;
  clock?: () => Date;
}

/** POST /v1/consent (consent:write) and GET /v1/consent/:profileId (profile:read). */
export const consentRoutes: FastifyPluginAsync<ConsentRoutesOptions> = async (app, opts) => {
  const clock = opts.clock ?? (() => new Date());

  app.post('/v1/consent', { preHandler: requireAuth(opts.keys, 'consent:write') }, async (request, reply) => {
    const parsed = BodySchema.safeParse(request.body);
    if (!parsed.success) throw validationError(parsed.error, ['body']);
    const inputs = 'records' in parsed.data ? parsed.data.records : [parsed.data];
    const prefix = 'records' in parsed.data ? (i: number) => ['body', 'records', i] : () => ['body'];
    const now = clock();
    const records: NewConsentRecord[] = inputs.map((input, i) => {
      const path = prefix(i).join('.');
      if (!opts.purposes.includes(input.purpose)) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [
            { path: `${path}.purpose`, message: `unknown purpose; configured: ${opts.purposes.join(', ')}` },
          ],
        });
      }
      const effectiveAt = input.effectiveAt ? new Date(input.effectiveAt) : now;
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : undefined;
      if (expiresAt && expiresAt <= effectiveAt) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [{ path: `${path}.expiresAt`, message: 'must be after effectiveAt' }],
        });
      }
      const identifier = input.identifier
        ? 'hash' in input.identifier
          ? input.identifier
          : {
              type: input.identifier.type,
              hash: opts.hasher(
                input.identifier.type,
                input.identifier.type === 'email'
                  ? input.identifier.value.trim().toLowerCase()
                  : input.identifier.value.trim(),
              ),
            }
        : undefined;
      const proof = input.proof;
      return {
        recordId: uuidv7(now.getTime()),
        subject: { profileId: input.profileId, identifier: input.profileId ? undefined : identifier },
        purpose: input.purpose,
        status: input.status,
        source: input.source,
        reason: input.reason,
        legalBasis: input.legalBasis,
        jurisdiction: input.jurisdiction,
        formId: proof?.formId,
        proofHash:
          proof?.ip || proof?.userAgent
            ? opts.hasher('consent_proof', `${proof.ip ?? ''}|${proof.userAgent ?? ''}`)
            : undefined,
        effectiveAt,
        expiresAt,
        idempotencyKey: input.idempotencyKey
          ? `api:${apiKeyOf(request).keyId}:${input.idempotencyKey}:${i}`
          : undefined,
      };
    });
    const outcome = await opts.consent.record(records, apiKeyOf(request).keyId);
    await opts
      .afterWrite()
      .catch((err: unknown) => opts.logger.warn({ err }, 'outbox publish deferred to the relay job'));
    return reply.code(201).send({ recorded: outcome.inserted, changes: outcome.changes });
  });

  app.get(
    '/v1/consent/:profileId',
    { preHandler: requireAuth(opts.keys, 'profile:read') },
    async (request) => {
      const params = z.object({ profileId: UuidSchema }).safeParse(request.params);
      if (!params.success) throw validationError(params.error, ['params']);
      const query = z
        .object({ history: z.enum(['true', 'false']).default('false') })
        .safeParse(request.query);
      if (!query.success) throw validationError(query.error, ['querystring']);
      const state = await opts.consent.current(
        { profileId: params.data.profileId },
        { history: query.data.history === 'true' },
      );
      return {
        profileId: params.data.profileId,
        purposes: state.purposes,
        ...(state.records
          ? {
              records: state.records.map((r) => ({
                ...r,
                subjectKey: undefined,
                effectiveAt: r.effectiveAt.toISOString(),
                recordedAt: r.recordedAt.toISOString(),
                expiresAt: r.expiresAt?.toISOString(),
              })),
            }
          : {}),
      };
    },
  );
};
