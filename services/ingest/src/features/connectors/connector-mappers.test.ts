import {
  CrmContactSchema,
  PosTransactionSchema,
  SendGridWebhookSchema,
  ShopifyOrderSchema,
  SocialEventSchema,
  SegmentMessageSchema,
} from '@tessera/contracts';
import { createIdentifierHasher } from '@tessera/crypto';
import { createLogger, createMetricsRegistry } from '@tessera/observability';
import crm from './fixtures/crm-contact.json';
import pos from './fixtures/pos-transaction.json';
import sendgrid from './fixtures/sendgrid-events.json';
import shopify from './fixtures/shopify-order-created.json';
import socialInteraction from './fixtures/social-interaction.json';
import socialLead from './fixtures/social-lead.json';
import { createStaticSuppressionChecker } from '../privacy/suppression-list';
import { createIngestMetrics } from '../tracking/ingest-metrics';
import { createIngestService } from '../tracking/ingest-service';
import type { ConnectorMessage } from './connector-message';
import { mapCrmContact } from './crm-mapper';
import { mapPosTransaction } from './pos-mapper';
import { mapSendGrid } from './sendgrid-mapper';
import { mapShopifyOrder } from './shopify-mapper';
import { mapSocialEvent } from './social-mapper';

const service = createIngestService({
  publisher: { publish: async () => undefined },
  dedupe: { seen: async () => new Set(), mark: async () => undefined },
  limiter: { take: async () => ({ allowed: true }) },
  suppression: createStaticSuppressionChecker(),
  hasher: createIdentifierHasher('k'.repeat(32)),
  metrics: createIngestMetrics(createMetricsRegistry({ service: 'connector-test', collectDefault: false })),
  logger: createLogger({ name: 'connector-test', level: 'silent' }),
});

/** Runs mapped messages through the real canonicalization, as the routes do. */
function canonical(mapped: ConnectorMessage[], region: 'US' | 'GB' = 'US') {
  for (const m of mapped) expect(SegmentMessageSchema.safeParse(m.message).success).toBe(true);
  const source = {
    id: 's',
    channel: 'email' as const,
    defaultRegion: region,
    allowedEventTypes: undefined,
    rateLimitPerSecond: 1,
    registered: true,
  };
  const out = service.prepare(
    mapped.map((m) => m.message),
    source,
    { receivedAt: new Date('2026-03-02T00:00:00Z'), gpcHeader: false },
    'events',
    mapped.map((m) => m.consentSignals),
  );
  if ('issues' in out) throw new Error(JSON.stringify(out.issues));
  return out.events;
}

describe('connector mappers', () => {
  it('mapSendGrid should make one track call per event with email identity and consent from unsubscribes and spam reports', () => {
    const events = canonical(mapSendGrid(SendGridWebhookSchema.parse(sendgrid)));
    expect(events.map((e) => e.event)).toEqual([
      'Email Processed',
      'Email Delivered',
      'Email Opened',
      'Email Link Clicked',
      'Email Bounced',
      'Unsubscribed',
      'Email Marked as Spam',
    ]);
    expect(events[0]!.messageId).toBe('sendgrid:rbtnWrG1DVDGGGFHFyun0A==');
    expect(events[0]!.identifiers).toEqual([
      {
        type: 'email',
        value: 'ana.lopez+news@gmail.com',
        matchKey: 'analopez@gmail.com',
        raw: 'Ana.Lopez+news@Gmail.com',
      },
    ]);
    expect(events[0]!.timestamp).toBe('2026-03-01T12:00:00.000Z');
    expect(events[3]!.properties).toMatchObject({
      link_url: 'https://shop.example.com/collections/sale?utm_source=email',
      email_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
    });
    expect(events[5]!.consentSignals).toEqual([
      { purpose: 'email_marketing', status: 'withdrawn', reason: 'esp_unsubscribe' },
    ]);
    expect(events[6]!.consentSignals).toEqual([
      { purpose: 'email_marketing', status: 'denied', reason: 'esp_spamreport' },
    ]);
    expect(events[1]!.consentSignals).toEqual([]);
  });

  it('mapShopifyOrder should make an Order Completed with products, totals and the buyer identity', () => {
    const [event] = canonical(mapShopifyOrder(ShopifyOrderSchema.parse(shopify)));
    expect(event).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      messageId: 'shopify:order:5832150991123',
      timestamp: '2026-03-01T14:15:42.000Z',
      properties: {
        order_id: '5832150991123',
        total: 122.58,
        revenue: 113.5,
        tax: 9.08,
        currency: 'USD',
        products: [
          { sku: 'SNK-220', price: 89.5, quantity: 1, product_id: '8001' },
          { sku: 'CAP-012', price: 24 },
        ],
      },
      consentSignals: [{ purpose: 'email_marketing', status: 'granted', reason: 'shopify_checkout_opt_in' }],
    });
    expect(event!.identifiers).toEqual([
      { type: 'email', value: 'jon.doe@example.com', raw: 'Jon.Doe@Example.com' },
      { type: 'phone', value: '+12125550199', raw: '+1 (212) 555-0199' },
      { type: 'ecommerce_customer_id', value: '7039142297619' },
    ]);
    expect(event!.context.traits).toMatchObject({
      firstName: 'Jon',
      address: { street: '350 5th ave, Suite 1200', city: 'New York', postalCode: '10118', country: 'US' },
    });
  });

  it('mapPosTransaction should read loyalty id, card token and a national phone in the source region', () => {
    const [event] = canonical(mapPosTransaction(PosTransactionSchema.parse(pos)), 'GB');
    expect(event).toMatchObject({
      event: 'Order Completed',
      messageId: 'pos:LDN-04:TX-20260301-000451',
      properties: { store_id: 'LDN-04', register_id: 'R2', receipt_id: '0451', total: 58, currency: 'GBP' },
    });
    expect(event!.identifiers).toEqual([
      { type: 'phone', value: '+447911123456', raw: '07911 123456' },
      { type: 'loyalty_id', value: 'LOY-883120' },
      { type: 'pos_card_token', value: 'tok_4f9a2c1e8b7d' },
    ]);
  });

  it('mapSocialEvent should identify leads with form fields and track interactions by handle and platform id', () => {
    const [lead] = canonical(mapSocialEvent(SocialEventSchema.parse(socialLead)));
    expect(lead).toMatchObject({
      type: 'identify',
      traits: {
        email: 'mia.rossi@example.it',
        phone: '+39 312 345 6789',
        firstName: 'Mia',
        lastName: 'Rossi',
      },
    });
    expect(lead!.identifiers.map((i) => [i.type, i.value])).toEqual([
      ['email', 'mia.rossi@example.it'],
      ['phone', '+393123456789'],
      ['instagram', 'mia.rossi'],
      ['instagram_id', '17841405822304914'],
    ]);
    const [interaction] = canonical(mapSocialEvent(SocialEventSchema.parse(socialInteraction)));
    expect(interaction).toMatchObject({
      type: 'track',
      event: 'Social Comment',
      properties: { network: 'tiktok', post_id: 'post_7391' },
    });
    expect(interaction!.identifiers.map((i) => i.type)).toEqual(['tiktok', 'tiktok_id']);
  });

  it('mapCrmContact should identify with the CRM id and turn the opt-in flag into a consent signal', () => {
    const [event] = canonical(mapCrmContact(CrmContactSchema.parse(crm)), 'GB');
    expect(event!.identifiers).toEqual([
      { type: 'email', value: 'priya.shah@example.co.uk', raw: ' Priya.Shah@Example.co.uk ' },
      { type: 'phone', value: '+442079460018', raw: '020 7946 0018' },
      { type: 'crm_id', value: '003Dn00000XyZ12AAB' },
    ]);
    expect(event!.consentSignals).toEqual([
      { purpose: 'email_marketing', status: 'denied', reason: 'crm_opt_in_flag' },
    ]);
    expect(event!.traits).toMatchObject({
      firstName: 'Priya',
      address: { street: '221b baker st', city: 'London' },
    });
  });
});
