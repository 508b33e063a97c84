import {
  AppError,
  CrmContactSchema,
  IngestResponseSchema,
  PosTransactionSchema,
  SendGridWebhookSchema,
  ShopifyOrderSchema,
  SocialEventSchema,
  validationError,
  type IngestResponse,
  type WebhookVendor,
} from '@tessera/contracts';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { z } from 'zod';
import type { SourceProfile } from '../sources/source-resolver';
import { sourceOf } from '../tracking/ingest-auth';
import type { IngestService } from '../tracking/ingest-service';
import { captureRawBody, requireValidSignature } from './webhook-auth';
import type { WebhookVerifierResolver } from './webhook-credentials';
import { WebhookHeaders } from './webhook-signatures';
import type { ConnectorMessage } from './connector-message';
import { mapCrmContact } from './crm-mapper';
import { mapPosTransaction } from './pos-mapper';
import { mapSendGrid } from './sendgrid-mapper';
import { mapShopifyOrder } from './shopify-mapper';
import { mapSocialEvent } from './social-mapper';

interface Connector<S extends z.ZodType> {
  schema: S;
  map(payload: z.output<S>): ConnectorMessage[];
  summary: string;
  limitBytes: number;
}

const connector = <S extends z.ZodType>(c: Connector<S>) => c;

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-source webhook verification (decorated by buildApp before the routes register). */
    webhookVerifiers: WebhookVerifierResolver;
  }
}

/** Vendor webhooks, each mapped to Segment-shaped messages and then through the same pipeline. */
export const Connectors = {
  sendgrid: connector({
    schema: SendGridWebhookSchema,
    map: mapSendGrid,
    summary: 'SendGrid Event Webhook (array of events)',
    limitBytes: 2 * 1024 * 1024,
  }),
  shopify: connector({
    schema: ShopifyOrderSchema,
    map: mapShopifyOrder,
    summary: 'Shopify orders/create webhook',
    limitBytes: 500 * 1024,
  }),
  pos: connector({
    schema: PosTransactionSchema,
    map: mapPosTransaction,
    summary: 'Point-of-sale transaction',
    limitBytes: 500 * 1024,
  }),
  social: connector({
    schema: SocialEventSchema,
    map: mapSocialEvent,
    summary: 'Social interaction or lead-form submission',
    limitBytes: 64 * 1024,
  }),
  crm: connector({
    schema: CrmContactSchema,
    map: mapCrmContact,
    summary: 'CRM contact upsert',
    limitBytes: 64 * 1024,
  }),
} as const;
export type ConnectorKind = keyof typeof Connectors;

/** Connector kinds whose vendor signs its webhooks. */
export const isSigningVendor = (kind: ConnectorKind): kind is WebhookVendor =>
  kind === 'sendgrid' || kind === 'shopify';

/** The Shopify topics the connector maps; other topics would be mapped as orders and must not be. */
const SHOPIFY_TOPICS = new Set(['orders/create']);

/**
 * Validates a vendor payload, maps it and runs it through the pipeline (all-or-nothing). Shared by
 * the write-key route and the signed-webhook route.
 */
export async function ingestConnectorPayload(
  kind: ConnectorKind,
  request: FastifyRequest,
  source: SourceProfile,
  deps: { ingest: IngestService; now: () => Date },
): Promise<IngestResponse> {
  const topic = request.headers[WebhookHeaders.shopifyTopic];
  if (kind === 'shopify' && typeof topic === 'string' && !SHOPIFY_TOPICS.has(topic)) {
    throw new AppError('VALIDATION_FAILED', `Shopify topic ${topic} is not supported`, {
      statusCode: 400,
      details: [
        {
          path: `headers.${WebhookHeaders.shopifyTopic}`,
          message: `expected one of ${[...SHOPIFY_TOPICS].join(', ')}`,
        },
      ],
    });
  }
  const c: Connector<z.ZodType> = Connectors[kind] as Connector<z.ZodType>;
  const parsed = c.schema.safeParse(request.body);
  if (!parsed.success) throw validationError(parsed.error);
  const mapped = c.map(parsed.data);
  return deps.ingest.ingest(
    mapped.map((m) => m.message),
    source,
    { receivedAt: deps.now(), gpcHeader: request.headers['sec-gpc'] === '1' },
    {
      pathPrefix: mapped.length > 1 ? 'events' : undefined,
      consentSignals: mapped.map((m) => m.consentSignals),
    },
  );
}

export interface ConnectorRoutesOptions {
  ingest: IngestService;
  preHandler: preHandlerAsyncHookHandler;
  now: () => Date;
  jsonSchema: (schema: z.ZodType) => Record<string, unknown>;
  errorResponses: Record<string, unknown>;
}

/**
 * `POST /v1/connectors/<kind>`, authenticated with the source's write key like the tracking
 * API. A payload is all-or-nothing like a batch: 400 with paths if any part is invalid (the vendor
 * retries after the fix), 200 once every mapped event is acknowledged by Kafka. When the source
 * has webhook verification set, SendGrid and Shopify payloads must also carry a valid signature
 * (401 otherwise): the write key alone is not enough for a source that requires signing.
 */
export function registerConnectorRoutes(app: FastifyInstance, opts: ConnectorRoutesOptions): void {
  if (!app.hasDecorator('webhookVerifiers'))
    throw new Error('decorate the app with webhookVerifiers before registering connector routes');
  for (const kind of Object.keys(Connectors) as ConnectorKind[]) {
    const c: Connector<z.ZodType> = Connectors[kind] as Connector<z.ZodType>;
    const signed = isSigningVendor(kind);
    app.post(
      `/v1/connectors/${kind}`,
      {
        preHandler: opts.preHandler,
        ...(signed ? { preParsing: captureRawBody(c.limitBytes) } : {}),
        config: { bodyLimitBytes: c.limitBytes },
        schema: {
          summary: c.summary,
          tags: ['connectors'],
          security: [{ basic: [] }, { bearer: [] }],
          body: opts.jsonSchema(c.schema),
          response: { 200: opts.jsonSchema(IngestResponseSchema), ...opts.errorResponses },
        },
      },
      async (request: FastifyRequest) => {
        const source = sourceOf(request);
        if (signed) {
          const verifier = await app.webhookVerifiers.resolve(source.id);
          if (verifier) requireValidSignature(request, verifier, kind, c.limitBytes, opts.now());
        }
        return ingestConnectorPayload(kind, request, source, opts);
      },
    );
  }
}
