import { apiKeyOf, createKeyAdmin, requireAuth, type KeyAdmin, type KeyDirectory } from '@tessera/access';
import {
  AppError,
  CreateSourceRequestV1Schema,
  CreateSourceResponseV1Schema,
  IssuedWriteKeyV1Schema,
  RotateWriteKeyRequestV1Schema,
  SourceIdSchema,
  SourceListV1Schema,
  SourceViewV1Schema,
  UpdateSourceRequestV1Schema,
  WriteKeyListV1Schema,
  WriteKeyViewV1Schema,
  validationError,
  type CreateSourceResponseV1,
  type Scope,
} from '@tessera/contracts';
import type { TypedProducer } from '@tessera/kafka';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SourceSettings } from '../sources/source-settings';
import {
  issueWriteKey,
  revokeWriteKey,
  rotateWriteKey,
  writeKeyView,
  writeKeysOf,
} from '../sources/write-keys';

/**
 * Its own scope rather than privacy:admin: who may mint write keys and whoever runs data-subject
 * requests are different people in most organisations.
 */
export const SOURCE_ADMIN_SCOPE: Scope = 'ingest:admin';

export interface SourceAdminRoutesOptions {
  keys: KeyDirectory;
  producer: Pick<TypedProducer, 'publish'>;
  settings: SourceSettings;
  jsonSchema: (schema: z.ZodType) => Record<string, unknown>;
  errorResponses: Record<string, unknown>;
}

const IdParams = z.object({ id: SourceIdSchema });
const KeyParams = IdParams.extend({ keyId: z.string().regex(/^[a-z0-9]{8,32}$/) });

/** Domain validation paths are relative to the input; the API's are to the request (`body.…`). */
async function inBody<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION_FAILED' && err.details) {
      throw new AppError(err.code, err.message, {
        statusCode: err.statusCode,
        details: err.details.map((d) => ({ ...d, path: `body.${d.path}` })),
      });
    }
    throw err;
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, [where]);
  return result.data;
}

/**
 * `/v1/admin/sources…` (Bearer key with SOURCE_ADMIN_SCOPE): create, list, read and change
 * sources, and issue, rotate and revoke their write keys. The same domain functions as
 * `tessera sources …`; key changes go to the access-keys topic and are audited as the calling key.
 */
export async function sourceAdminRoutes(app: FastifyInstance, opts: SourceAdminRoutesOptions): Promise<void> {
  // zod validates; the JSON schemas document (and must not strip or coerce what zod should see).
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('preHandler', requireAuth(opts.keys, SOURCE_ADMIN_SCOPE));

  const keyAdmin = (request: FastifyRequest): KeyAdmin =>
    createKeyAdmin({
      producer: opts.producer,
      directory: opts.keys,
      actor: `key:${apiKeyOf(request).keyId}`,
      service: 'ingest',
    });
  const doc = (summary: string, extra: Record<string, unknown>) => ({
    schema: { summary, tags: ['admin'], security: [{ bearer: [] }], ...extra },
  });
  const responses = (ok: number, schema: z.ZodType) => ({
    response: { [ok]: opts.jsonSchema(schema), ...opts.errorResponses },
  });
  const idParams = { params: opts.jsonSchema(IdParams) };

  app.post(
    '/v1/admin/sources',
    doc('Register a source; answers its first write key (shown once)', {
      body: opts.jsonSchema(CreateSourceRequestV1Schema),
      ...responses(201, CreateSourceResponseV1Schema),
    }),
    async (request, reply) => {
      const input = parse(CreateSourceRequestV1Schema, request.body, 'body');
      const source = await inBody(opts.settings.create(input));
      // If this publish fails the source exists without a key: rotate issues one.
      const key = await issueWriteKey(keyAdmin(request), source.id);
      const body: CreateSourceResponseV1 = { ...key, source };
      return reply.code(201).send(body);
    },
  );

  app.get('/v1/admin/sources', doc('List sources', responses(200, SourceListV1Schema)), async () => ({
    sources: await opts.settings.list(),
  }));

  app.get(
    '/v1/admin/sources/:id',
    doc('Read a source', { ...idParams, ...responses(200, SourceViewV1Schema) }),
    async (request) => opts.settings.get(parse(IdParams, request.params, 'params').id),
  );

  app.patch(
    '/v1/admin/sources/:id',
    doc('Change a source: default region, allowed event types, rate limit, webhook verification, …', {
      ...idParams,
      body: opts.jsonSchema(UpdateSourceRequestV1Schema),
      ...responses(200, SourceViewV1Schema),
    }),
    async (request) =>
      inBody(
        opts.settings.update(
          parse(IdParams, request.params, 'params').id,
          parse(UpdateSourceRequestV1Schema, request.body ?? {}, 'body'),
        ),
      ),
  );

  app.get(
    '/v1/admin/sources/:id/keys',
    doc('List the source’s write keys (ids and dates, never secrets)', {
      ...idParams,
      ...responses(200, WriteKeyListV1Schema),
    }),
    async (request) => {
      const { id } = parse(IdParams, request.params, 'params');
      await opts.settings.get(id);
      const now = Date.now();
      return { keys: writeKeysOf(keyAdmin(request), id).map((k) => writeKeyView(k, now)) };
    },
  );

  app.post(
    '/v1/admin/sources/:id/keys/rotate',
    doc('Issue a new write key (shown once); the old ones stop working after graceSeconds', {
      ...idParams,
      body: opts.jsonSchema(RotateWriteKeyRequestV1Schema),
      ...responses(200, IssuedWriteKeyV1Schema),
    }),
    async (request) => {
      const { id } = parse(IdParams, request.params, 'params');
      const body = parse(RotateWriteKeyRequestV1Schema, request.body ?? {}, 'body');
      await opts.settings.get(id);
      return rotateWriteKey(keyAdmin(request), id, body.graceSeconds ?? 0);
    },
  );

  app.post(
    '/v1/admin/sources/:id/keys/:keyId/revoke',
    doc('Revoke one of the source’s write keys at once', {
      params: opts.jsonSchema(KeyParams),
      ...responses(200, WriteKeyViewV1Schema),
    }),
    async (request) => {
      const { id, keyId } = parse(KeyParams, request.params, 'params');
      return revokeWriteKey(keyAdmin(request), id, keyId);
    },
  );
}
