import { AppError, SourceIdSchema, validationError } from '@tessera/contracts';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { sourceOf } from '../tracking/ingest-auth';
import type { IngestService } from '../tracking/ingest-service';
import { parseMapping, runCsvImport } from './csv-import';
import type { ImportStore } from './import-store';

export const ImportQuerySchema = z.object({
  mapping: z
    .string()
    .min(3)
    .max(4000)
    .describe(
      'target=Column,… (targets: userId, anonymousId, email, phone, timestamp, trait.<name>, externalId.<type>)',
    ),
  importId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .describe('resume an import by sending the same file with the same id'),
  source: SourceIdSchema.optional().describe('must match the write key’s source when given'),
});

/**
 * `POST /v1/imports?mapping=…&importId=…` with a `text/csv` body, streamed (never buffered): rows
 * become identify calls, invalid rows are reported (row, field, reason) and skipped, progress is
 * checkpointed so sending the same file again with the same importId resumes after the last
 * acknowledged batch.
 */
export function registerImportRoutes(
  app: FastifyInstance,
  opts: {
    ingest: IngestService;
    store: ImportStore;
    preHandler: preHandlerAsyncHookHandler;
    jsonSchema: (s: z.ZodType) => Record<string, unknown>;
  },
): void {
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
  app.post(
    '/v1/imports',
    {
      preHandler: opts.preHandler,
      schema: {
        summary: 'Import a CSV of contacts (streamed, resumable)',
        tags: ['imports'],
        security: [{ basic: [] }, { bearer: [] }],
        querystring: opts.jsonSchema(ImportQuerySchema),
      },
    },
    async (request) => {
      const query = ImportQuerySchema.safeParse(request.query);
      if (!query.success) throw validationError(query.error, ['query']);
      let mapping: Record<string, string>;
      try {
        mapping = parseMapping(query.data.mapping);
      } catch (err) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [{ path: 'query.mapping', message: (err as Error).message }],
        });
      }
      const source = sourceOf(request);
      if (query.data.source !== undefined && query.data.source !== source.id) {
        throw new AppError(
          'FORBIDDEN',
          `this write key belongs to source ${source.id}, not ${query.data.source}`,
          { statusCode: 403 },
        );
      }
      if (!(request.body && typeof (request.body as Readable).pipe === 'function')) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV as the body with content-type text/csv', {
          statusCode: 415,
        });
      }
      const record = await opts.store.open({ id: query.data.importId, sourceId: source.id, mapping });
      try {
        const progress = await runCsvImport(request.body as Readable, record, {
          ingest: opts.ingest,
          store: opts.store,
          source,
        });
        await opts.store.finish(record.id, 'completed');
        return {
          importId: record.id,
          status: 'completed',
          ...progress,
          errors: await opts.store.errors(record.id, 1000),
        };
      } catch (err) {
        await opts.store.finish(record.id, 'failed').catch(() => undefined);
        if (err instanceof AppError) throw err;
        throw new AppError(
          'VALIDATION_FAILED',
          'the CSV could not be parsed; rows before the failure are checkpointed',
          {
            statusCode: 400,
            cause: err,
            // csv-parse messages can quote field values (PII); its error code says enough.
            details: [
              {
                path: 'body',
                message: `CSV error ${typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'unparseable'}`,
              },
            ],
          },
        );
      }
    },
  );
}
