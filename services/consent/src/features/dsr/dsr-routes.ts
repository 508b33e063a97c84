import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { apiKeyOf, requireAuth } from '@tessera/access';
import type { KeyDirectory } from '@tessera/access';
import { IdentifierTypeSchema, UuidSchema, validationError } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import type { AuditStore } from '../audit/audit-store';
import { Jurisdictions } from './deadlines';
import type { DsrService } from './dsr-service';
import { DsrKinds, DsrStatuses } from './dsr-state-machine';

export const CreateDsrBodySchema = z.object({
  kind: z.enum(DsrKinds),
  jurisdiction: z.enum(Jurisdictions),
  subject: z
    .object({
      profileId: UuidSchema.optional(),
      identifiers: z
        .array(z.object({ type: IdentifierTypeSchema, value: z.string().min(1).max(512) }))
        .max(50)
        .optional(),
      hashedIdentifiers: z
        .array(z.object({ type: IdentifierTypeSchema, hash: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/) }))
        .max(50)
        .optional(),
    })
    .strict(),
  requester: z.record(z.string(), z.string().max(500)).optional(),
  corrections: z.record(z.string(), z.unknown()).optional(),
});

const IdParams = z.object({ id: UuidSchema });

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, [where]);
  return r.data;
}

/** Data-subject requests and audit verification; everything here needs privacy:admin. */
export const dsrRoutes: FastifyPluginAsync<{
  keys: KeyDirectory;
  dsr: DsrService;
  audit: AuditStore;
  logger: Logger;
}> = async (app, opts) => {
  const admin = { preHandler: requireAuth(opts.keys, 'privacy:admin') };

  app.post('/v1/dsr', admin, async (request, reply) => {
    const body = parse(CreateDsrBodySchema, request.body, 'body');
    const created = await opts.dsr.create({ ...body, actor: apiKeyOf(request).keyId });
    // Start at once; failures are retried by the resume job (the request is persisted).
    void opts.dsr
      .run(created.requestId)
      .catch((err: unknown) =>
        opts.logger.warn({ err, requestId: created.requestId }, 'first step failed; will resume'),
      );
    return reply.code(202).send(await opts.dsr.status(created.requestId));
  });

  app.get('/v1/dsr', admin, async (request) => {
    const q = parse(
      z.object({
        status: z.enum(DsrStatuses).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      request.query,
      'querystring',
    );
    return { requests: await opts.dsr.list(q) };
  });

  app.get('/v1/dsr/:id', admin, async (request) =>
    opts.dsr.status(parse(IdParams, request.params, 'params').id),
  );

  app.post('/v1/dsr/:id/verify', admin, async (request) => {
    const { id } = parse(IdParams, request.params, 'params');
    await opts.dsr.run(id);
    return opts.dsr.status(id);
  });

  app.get('/v1/dsr/:id/export', admin, async (request) =>
    opts.dsr.exportBundle(parse(IdParams, request.params, 'params').id, apiKeyOf(request).keyId),
  );

  app.get('/v1/audit/verify', admin, async () => opts.audit.verify());
};
