import type { KeyDirectory } from '@tessera/access';
import {
  AppError,
  ErrorBodySchema,
  IngestResponseSchema,
  SegmentBatchSchema,
  SegmentEndpointSchemas,
  validationError,
  type SegmentMessage,
} from '@tessera/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SourceResolver } from '../sources/source-resolver';
import type { RequestFacts } from './canonicalize';
import { authenticateHeader, authorizeSource, sourceOf } from './ingest-auth';
import type { IngestService } from './ingest-service';
import { jsonBodyBytes, readJsonBody } from './json-body';
import { registerConnectorRoutes } from '../connectors/connector-routes';
import { registerImportRoutes } from '../imports/import-routes';
import type { ImportStore } from '../imports/import-store';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Decompressed JSON body limit of the route (ingest's body parser). */
    bodyLimitBytes?: number;
  }
}

/** Segment's limits: 32 KB per call, 500 KB per batch request. */
export const EVENT_LIMIT_BYTES = 32 * 1024;
export const BATCH_LIMIT_BYTES = 500 * 1024;

export const jsonSchema = (schema: z.ZodType) => {
  const out = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'openapi-3.0',
  }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};
const errorResponses = Object.fromEntries(
  [400, 401, 403, 413, 415, 429, 503].map((s) => [s, jsonSchema(ErrorBodySchema)]),
);

export interface TrackingRoutesOptions {
  keys: KeyDirectory;
  sources: SourceResolver;
  ingest: IngestService;
  imports: ImportStore;
  now?: () => Date;
}

function tooLarge(path: string): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `an event is larger than ${EVENT_LIMIT_BYTES / 1024} KB`, {
    statusCode: 413,
    details: [{ path, message: `larger than ${EVENT_LIMIT_BYTES} bytes` }],
  });
}

/** Registers a JSON/gzip body parser with a per-route limit (route config `bodyLimitBytes`). */
export function registerIngestBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], (request, payload, done) => {
    readJsonBody(
      request.raw,
      payload,
      request.routeOptions.config.bodyLimitBytes ?? BATCH_LIMIT_BYTES,
      'request body',
    ).then(
      (body) => done(null, body),
      (err: Error) => done(err, undefined),
    );
  });
}

/**
 * The Segment-compatible tracking API. Validation is zod's (the JSON schemas only document);
 * a request is accepted (200) only after Kafka acknowledged its events.
 */
export async function trackingRoutes(app: FastifyInstance, opts: TrackingRoutesOptions): Promise<void> {
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerIngestBodyParser(app);
  const now = opts.now ?? (() => new Date());
  app.addHook('onRequest', authenticateHeader(opts.keys));
  const preHandler = authorizeSource(opts.keys, opts.sources);

  const facts = (request: FastifyRequest, extra: Partial<RequestFacts> = {}): RequestFacts => ({
    receivedAt: now(),
    gpcHeader: request.headers['sec-gpc'] === '1',
    ...extra,
  });

  for (const type of ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const) {
    const schema: z.ZodType = SegmentEndpointSchemas[type];
    app.post(
      `/v1/${type}`,
      {
        preHandler,
        config: { bodyLimitBytes: EVENT_LIMIT_BYTES },
        schema: {
          summary: `Segment ${type} call`,
          tags: ['tracking'],
          description:
            'Write key as the HTTP Basic username (Segment convention) or a Bearer token. Body may be gzip-compressed. 32 KB limit.',
          security: [{ basic: [] }, { bearer: [] }],
          body: jsonSchema(schema),
          response: { 200: jsonSchema(IngestResponseSchema), ...errorResponses },
        },
      },
      async (request) => {
        const parsed = schema.safeParse(request.body);
        if (!parsed.success) throw validationError(parsed.error);
        return opts.ingest.ingest([parsed.data as SegmentMessage], sourceOf(request), facts(request));
      },
    );
  }

  app.post(
    '/v1/batch',
    {
      preHandler,
      config: { bodyLimitBytes: BATCH_LIMIT_BYTES },
      schema: {
        summary: 'Segment batch: several calls in one request',
        tags: ['tracking'],
        description:
          'All-or-nothing: if any message is invalid the whole batch is refused (400, every failing path listed) and nothing is published. 500 KB per request, 32 KB per message.',
        security: [{ basic: [] }, { bearer: [] }],
        body: jsonSchema(SegmentBatchSchema),
        response: { 200: jsonSchema(IngestResponseSchema), ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      // A message cannot be larger, as sent, than the body it came in: re-serializing each one to
      // measure it is needed only when the body itself is over the per-message limit.
      const bodyBytes = jsonBodyBytes(request.raw) ?? Infinity;
      if (
        bodyBytes > EVENT_LIMIT_BYTES &&
        typeof body === 'object' &&
        body !== null &&
        Array.isArray((body as { batch?: unknown }).batch)
      ) {
        const items = (body as { batch: unknown[] }).batch;
        const oversize = items.findIndex(
          (m) => Buffer.byteLength(JSON.stringify(m) ?? '') > EVENT_LIMIT_BYTES,
        );
        if (oversize !== -1) throw tooLarge(`batch.${oversize}`);
      }
      const parsed = SegmentBatchSchema.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error);
      const { batch, sentAt, context, integrations } = parsed.data;
      return opts.ingest.ingest(
        batch,
        sourceOf(request),
        facts(request, { batchSentAt: sentAt, batchContext: context, batchIntegrations: integrations }),
        {
          pathPrefix: 'batch',
        },
      );
    },
  );

  registerImportRoutes(app, { ingest: opts.ingest, store: opts.imports, preHandler, jsonSchema });
  registerConnectorRoutes(app, { ingest: opts.ingest, preHandler, now, jsonSchema, errorResponses });
}
