import { AppError, IngestResponseSchema, SourceIdSchema, type WebhookVendor } from '@tessera/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SourceProfile, SourceResolver } from '../sources/source-resolver';
import type { IngestService } from '../tracking/ingest-service';
import { registerIngestBodyParser } from '../tracking/tracking-routes';
import { Connectors, ingestConnectorPayload } from './connector-routes';
import { captureRawBody, requireValidSignature } from './webhook-auth';
import type { WebhookVerifierResolver } from './webhook-credentials';
import { WebhookHeaders, type WebhookVerifier } from './webhook-signatures';

export interface WebhookRoutesOptions {
  sources: SourceResolver;
  verifiers: WebhookVerifierResolver;
  ingest: IngestService;
  now: () => Date;
  jsonSchema: (schema: z.ZodType) => Record<string, unknown>;
  errorResponses: Record<string, unknown>;
}

const VENDORS: Record<WebhookVendor, { signatureHeaders: string[]; doc: string }> = {
  sendgrid: {
    signatureHeaders: [WebhookHeaders.sendgridSignature, WebhookHeaders.sendgridTimestamp],
    doc: 'SendGrid Signed Event Webhook: ECDSA P-256 signature over timestamp + raw body, checked with the source’s verification key; stale timestamps are refused.',
  },
  shopify: {
    signatureHeaders: [WebhookHeaders.shopifyHmac],
    doc: 'Shopify webhook (orders/create): HMAC-SHA256 of the raw body under the app’s client secret, compared in constant time.',
  },
};

const SourceIdParams = z.object({ sourceId: SourceIdSchema });

interface Resolved {
  source: SourceProfile;
  verifier: WebhookVerifier;
}

const resolved = new WeakMap<FastifyRequest, Resolved>();

/**
 * `POST /v1/webhooks/<vendor>/<sourceId>`: vendor webhooks authenticated by their own signature
 * instead of a write key (Shopify cannot send one). The source is named in the path and must have
 * that vendor's verification configured; the source and its verifier are resolved before the body
 * is read, so unsigned traffic for unconfigured sources costs no parse. Its own plugin, so the raw
 * body capture and this auth never touch the tracking routes.
 */
export async function webhookRoutes(app: FastifyInstance, opts: WebhookRoutesOptions): Promise<void> {
  // zod validates (in the connector handler); the JSON schemas only document.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerIngestBodyParser(app);

  for (const vendor of Object.keys(VENDORS) as WebhookVendor[]) {
    const limitBytes = Connectors[vendor].limitBytes;
    app.post(
      `/v1/webhooks/${vendor}/:sourceId`,
      {
        config: { bodyLimitBytes: limitBytes },
        onRequest: async (request) => {
          const { sourceId } = request.params as { sourceId: string };
          const unconfigured = () =>
            new AppError(
              'UNAUTHENTICATED',
              `no ${vendor} webhook verification is configured for source ${sourceId}`,
              {
                statusCode: 401,
                details: [
                  { path: 'params.sourceId', message: `set its ${vendor} webhook verification first` },
                ],
              },
            );
          if (!SourceIdSchema.safeParse(sourceId).success) throw unconfigured();
          // The verifier first: unknown and unconfigured sources get the same 401, and only a
          // source that can authenticate its callers gets to say it is disabled (403).
          const verifier = await opts.verifiers.resolve(sourceId);
          if (!verifier) throw unconfigured();
          resolved.set(request, { source: await opts.sources.resolve(sourceId), verifier });
        },
        preParsing: captureRawBody(limitBytes),
        preHandler: async (request) => {
          const { verifier } = resolved.get(request)!;
          requireValidSignature(request, verifier, vendor, limitBytes, opts.now());
        },
        schema: {
          summary: `${Connectors[vendor].summary}, authenticated by the vendor's signature`,
          description: `${VENDORS[vendor].doc} Headers: ${VENDORS[vendor].signatureHeaders.join(', ')}.`,
          tags: ['webhooks'],
          params: opts.jsonSchema(SourceIdParams),
          body: opts.jsonSchema(Connectors[vendor].schema),
          response: { 200: opts.jsonSchema(IngestResponseSchema), ...opts.errorResponses },
        },
      },
      async (request) => ingestConnectorPayload(vendor, request, resolved.get(request)!.source, opts),
    );
  }
}
