import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HashedIdentifierSchema, UuidSchema, validationError } from '@tessera/contracts';
import type { KeyDirectory } from '@tessera/access';
import { apiKeyOf, requireAuth } from '@tessera/access';
import type { Queryable } from '@tessera/db';
import type { UnmergeService } from '../unmerge/unmerge-service';
import { readProfileHistory } from './history-read-model';

const ParamsSchema = z.object({ id: UuidSchema });
const QuerySchema = z.object({ decisions: z.coerce.number().int().min(0).max(1000).default(200) });
const UnmergeBodySchema = z.object({
  identifier: HashedIdentifierSchema,
  reason: z.string().trim().min(3).max(500),
});

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, [prefix]);
  return result.data;
}

/**
 * GET /v1/profiles/:id/merges (profile:read): the explanation of a profile.
 * POST /v1/profiles/:id/unmerge (privacy:admin): remove a wrong link and split the profile.
 */
export async function historyRoutes(
  app: FastifyInstance,
  opts: { db: Queryable; keys: KeyDirectory; unmerge: UnmergeService },
): Promise<void> {
  app.get(
    '/v1/profiles/:id/merges',
    { preHandler: requireAuth(opts.keys, 'profile:read') },
    async (request) => {
      const { id } = parse(ParamsSchema, request.params, 'params');
      const { decisions } = parse(QuerySchema, request.query, 'query');
      return readProfileHistory(opts.db, id, { decisionLimit: decisions });
    },
  );

  app.post(
    '/v1/profiles/:id/unmerge',
    { preHandler: requireAuth(opts.keys, 'privacy:admin') },
    async (request) => {
      const { id } = parse(ParamsSchema, request.params, 'params');
      const body = parse(UnmergeBodySchema, request.body, 'body');
      const split = await opts.unmerge.unmerge({
        profileId: id,
        identifier: body.identifier,
        reason: body.reason,
        actor: apiKeyOf(request).keyId,
      });
      return split;
    },
  );
}
