import { collectMessages } from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';
import crm from './fixtures/crm-contact.json';
import pos from './fixtures/pos-transaction.json';
import sendgrid from './fixtures/sendgrid-events.json';
import shopify from './fixtures/shopify-order-created.json';
import socialLead from './fixtures/social-lead.json';

let h: IngestHarness;

beforeAll(async () => {
  h = await startIngestHarness();
  await h.sources.create({ id: 'esp', name: 'SendGrid', channel: 'email' });
  await h.sources.create({ id: 'shop', name: 'Shopify', channel: 'ecommerce' });
  await h.sources.create({ id: 'tills', name: 'Tills', channel: 'pos', defaultRegion: 'GB' });
  await h.sources.create({ id: 'insta', name: 'Instagram', channel: 'social' });
  await h.sources.create({ id: 'crm', name: 'CRM', channel: 'crm', defaultRegion: 'GB' });
});
afterAll(async () => h?.close());

const post = (kind: string, sourceId: string, body: unknown) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/connectors/${kind}`,
    headers: { 'content-type': 'application/json', authorization: basic(h.writeKey(sourceId)) },
    payload: JSON.stringify(body),
  });

describe('connector endpoints', () => {
  it('each connector should publish its mapped events on the source channel', async () => {
    const cases: Array<[string, string, unknown, number]> = [
      ['sendgrid', 'esp', sendgrid, 7],
      ['shopify', 'shop', shopify, 1],
      ['pos', 'tills', pos, 1],
      ['social', 'insta', socialLead, 1],
      ['crm', 'crm', crm, 1],
    ];
    for (const [kind, source, body, count] of cases) {
      const res = await post(kind, source, body);
      expect({ kind, status: res.statusCode, body: res.json() }).toEqual({
        kind,
        status: 200,
        body: { success: true, accepted: count, duplicates: 0 },
      });
    }
    const messages = await collectMessages(h.kafka, 'eventsIngested', {
      until: (seen) => seen.length >= 11,
      timeoutMs: 30_000,
    });
    const channels = new Map(messages.map((m) => [m.value!.sourceId, m.value!.channel]));
    expect(Object.fromEntries(channels)).toEqual({
      esp: 'email',
      shop: 'ecommerce',
      tills: 'pos',
      insta: 'social',
      crm: 'crm',
    });
    // SendGrid retries deliveries: the same events again are duplicates.
    expect((await post('sendgrid', 'esp', sendgrid)).json()).toEqual({
      success: true,
      accepted: 0,
      duplicates: 7,
    });
  });

  it('an invalid vendor payload should be 400 with the paths of the bad fields', async () => {
    const res = await post('shopify', 'shop', {
      ...shopify,
      currency: 'usd',
      line_items: [{ id: 1, title: 'x', quantity: 0, price: 'abc' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { path: string }) => d.path)).toEqual([
      'currency',
      'line_items.0.quantity',
      'line_items.0.price',
    ]);
    const sg = await post('sendgrid', 'esp', [{ email: 'a@b.co', event: 'opened', timestamp: 1 }]);
    expect(sg.json().details.map((d: { path: string }) => d.path)).toEqual(['0.event', '0.sg_event_id']);
  });
});
