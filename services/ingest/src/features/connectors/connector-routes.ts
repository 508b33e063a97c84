import {
  CrmContactSchema,
  IngestResponseSchema,
  PosTransactionSchema,
  SendGridWebhookSchema,
  ShopifyOrderSchema,
  SocialEventSchema,
  validationError,
} from '@tessera/contracts';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { z } from 'zod';
import { sourceOf } from '../tracking/ingest-auth';
import type { IngestService } from '../tracking/ingest-service';
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
 * retries after the fix), 200 once every mapped event is acknowledged by Kafka.
 */
export function registerConnectorRoutes(app: FastifyInstance, opts: ConnectorRoutesOptions): void {
  for (const kind of Object.keys(Connectors) as ConnectorKind[]) {
    const c: Connector<z.ZodType> = Connectors[kind] as Connector<z.ZodType>;
    app.post(
      `/v1/connectors/${kind}`,
      {
        preHandler: opts.preHandler,
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
        const parsed = c.schema.safeParse(request.body);
        if (!parsed.success) throw validationError(parsed.error);
        const mapped = c.map(parsed.data);
        return opts.ingest.ingest(
          mapped.map((m) => m.message),
          sourceOf(request),
          { receivedAt: opts.now(), gpcHeader: request.headers['sec-gpc'] === '1' },
          {
            pathPrefix: mapped.length > 1 ? 'events' : undefined,
            consentSignals: mapped.map((m) => m.consentSignals),
          },
        );
      },
    );
  }
}
