import { apiKeyOf, requireAuth, type KeyDirectory } from '@tessera/access';
import { AppError, ErrorBodySchema, validationError } from '@tessera/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decodeCursor } from './event-cursor';
import type { ProfileService, Reader } from './profile-service';
import {
  EventsQuerySchema,
  LookupQuerySchema,
  ProfileParamsSchema,
  SearchQuerySchema,
  TraitsQuerySchema,
} from './profile-schemas';

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, [prefix]);
  return result.data;
}

const json = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
const errors = {
  400: json(ErrorBodySchema),
  401: json(ErrorBodySchema),
  403: json(ErrorBodySchema),
  404: json(ErrorBodySchema),
};
const doc = (summary: string, extra: { params?: z.ZodType; querystring?: z.ZodType; scope: string }) => ({
  summary,
  tags: ['profiles'],
  description: `Requires scope \`${extra.scope}\`. Personal fields are masked unless the key has \`pii:read\`.`,
  security: [{ bearer: [] }],
  ...(extra.params ? { params: json(extra.params) } : {}),
  ...(extra.querystring ? { querystring: json(extra.querystring) } : {}),
  response: errors,
});

function readerOf(request: FastifyRequest): Reader {
  const key = apiKeyOf(request);
  const purpose = request.headers['x-access-purpose'];
  return {
    actor: key.keyId,
    piiRead: key.scopes.includes('pii:read'),
    purpose: typeof purpose === 'string' ? purpose.slice(0, 200) : undefined,
  };
}

/** The 360° profile API. Validation is zod's (AppError shapes); the JSON schemas only document. */
export async function profileRoutes(
  app: FastifyInstance,
  opts: { keys: KeyDirectory; profiles: ProfileService },
): Promise<void> {
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const read = { preHandler: requireAuth(opts.keys, 'profile:read') };
  const { profiles } = opts;

  app.get(
    '/v1/profiles/lookup',
    {
      ...read,
      schema: doc('Find a profile by an identifier (normalized as ingest does)', {
        querystring: LookupQuerySchema,
        scope: 'profile:read',
      }),
    },
    async (request) => {
      const q = parse(LookupQuerySchema, request.query, 'query');
      return profiles.lookup(readerOf(request), q.type, q.value);
    },
  );

  app.get(
    '/v1/profiles/search',
    {
      ...read,
      schema: doc('Profiles whose golden trait equals a value', {
        querystring: SearchQuerySchema,
        scope: 'profile:read',
      }),
    },
    async (request) => {
      const q = parse(SearchQuerySchema, request.query, 'query');
      return profiles.search(readerOf(request), q.trait, q.value, q.limit, q.cursor);
    },
  );

  app.get(
    '/v1/profiles/:id',
    {
      ...read,
      schema: doc('A golden record (follows merges)', { params: ProfileParamsSchema, scope: 'profile:read' }),
    },
    async (request) => {
      const { id } = parse(ProfileParamsSchema, request.params, 'params');
      return profiles.get(readerOf(request), id);
    },
  );

  app.get(
    '/v1/profiles/:id/identities',
    {
      ...read,
      schema: doc('Identifiers of a profile', { params: ProfileParamsSchema, scope: 'profile:read' }),
    },
    async (request) => {
      const { id } = parse(ProfileParamsSchema, request.params, 'params');
      return profiles.identities(readerOf(request), id);
    },
  );

  app.get(
    '/v1/profiles/:id/traits',
    {
      ...read,
      schema: doc('Golden traits with winning observations; ?history=true adds every observation', {
        params: ProfileParamsSchema,
        querystring: TraitsQuerySchema,
        scope: 'profile:read',
      }),
    },
    async (request) => {
      const { id } = parse(ProfileParamsSchema, request.params, 'params');
      const q = parse(TraitsQuerySchema, request.query, 'query');
      return profiles.traits(readerOf(request), id, q.history === 'true');
    },
  );

  app.get(
    '/v1/profiles/:id/events',
    {
      ...read,
      schema: doc('The timeline, newest first, cursor-paginated', {
        params: ProfileParamsSchema,
        querystring: EventsQuerySchema,
        scope: 'profile:read',
      }),
    },
    async (request) => {
      const { id } = parse(ProfileParamsSchema, request.params, 'params');
      const q = parse(EventsQuerySchema, request.query, 'query');
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && after === undefined) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [{ path: 'query.cursor', message: 'not a cursor issued by this API' }],
        });
      }
      return profiles.events(id, {
        type: q.type,
        sourceId: q.source,
        from: q.from,
        to: q.to,
        limit: q.limit,
        after,
      });
    },
  );

  app.get(
    '/v1/profiles/:id/export',
    {
      preHandler: requireAuth(opts.keys, 'privacy:admin'),
      schema: doc('Everything held about the subject (DSR access)', {
        params: ProfileParamsSchema,
        scope: 'privacy:admin',
      }),
    },
    async (request) => {
      const { id } = parse(ProfileParamsSchema, request.params, 'params');
      return profiles.exportSubject(apiKeyOf(request).keyId, id);
    },
  );
}
