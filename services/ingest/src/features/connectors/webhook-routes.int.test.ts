import { gzipSync } from 'node:zlib';
import { LocalKeyring } from '@tessera/crypto';
import { captureLogs, collectMessages } from '@tessera/testkit';
import { createWebhookCredentialsFromConfig } from '../../app';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';
import { createSourceSettings } from '../sources/source-settings';
import sendgrid from './fixtures/sendgrid-events.json';
import shopify from './fixtures/shopify-order-created.json';
import { WebhookHeaders } from './webhook-signatures';
import { sendGridSigner, shopifyHmac } from './webhook-test-signers';

const SHOPIFY_SECRET = 'shpss_test_0123456789abcdef0123456789abcdef';
const logs = captureLogs({ name: 'ingest', level: 'debug' });
const signer = sendGridSigner();
let h: IngestHarness;

// Vendors send their own formatting; signatures are over these exact bytes, not a re-serialisation.
const sendgridBody = Buffer.from(JSON.stringify(sendgrid, null, 2).replace(/\n/g, '\r\n'));
const shopifyBody = Buffer.from(JSON.stringify(shopify, null, 1));
const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  const config = { INGEST_SECRETS_KEYRING: `k1:${LocalKeyring.generateKey()}` };
  h = await startIngestHarness({ logger: logs.logger, config });
  const settings = createSourceSettings({
    store: h.sources,
    credentials: createWebhookCredentialsFromConfig(config),
  });
  await settings.create({
    id: 'esp',
    name: 'SendGrid',
    channel: 'email',
    webhookVerification: { vendor: 'sendgrid', publicKey: signer.verificationKey, toleranceSeconds: 120 },
  });
  await settings.create({
    id: 'shop',
    name: 'Shopify',
    channel: 'ecommerce',
    webhookVerification: { vendor: 'shopify', secret: SHOPIFY_SECRET },
  });
  await settings.create({ id: 'plain', name: 'No verification', channel: 'email' });
});
afterAll(async () => h?.close());

const post = (url: string, payload: Buffer, headers: Record<string, string>) =>
  h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });

const rejected = (header: string) => ({
  code: 'UNAUTHENTICATED',
  message: expect.stringContaining(header),
  details: [{ path: `headers.${header}`, message: expect.any(String) }],
  requestId: expect.any(String),
});

describe('signed SendGrid webhooks', () => {
  it('a correctly signed delivery should publish its events, and a redelivery count as duplicates', async () => {
    const res = await post(
      '/v1/webhooks/sendgrid/esp',
      sendgridBody,
      signer.headers(sendgridBody, nowSeconds()),
    );
    expect({ status: res.statusCode, body: res.json() }).toEqual({
      status: 200,
      body: { success: true, accepted: 7, duplicates: 0 },
    });
    const events = await collectMessages(h.kafka, 'eventsIngested', {
      until: (seen) => seen.filter((m) => m.value!.sourceId === 'esp').length >= 7,
      timeoutMs: 30_000,
    });
    expect(new Set(events.filter((m) => m.value!.sourceId === 'esp').map((m) => m.value!.channel))).toEqual(
      new Set(['email']),
    );
    const again = await post(
      '/v1/webhooks/sendgrid/esp',
      sendgridBody,
      signer.headers(sendgridBody, nowSeconds()),
    );
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 7 });
  });

  it('a gzip-encoded delivery should verify against the bytes SendGrid signed', async () => {
    const headers = { ...signer.headers(sendgridBody, nowSeconds()), 'content-encoding': 'gzip' };
    const res = await post('/v1/webhooks/sendgrid/esp', gzipSync(sendgridBody), headers);
    expect(res.statusCode).toBe(200);
  });

  it('a tampered body, another key, a stale timestamp or a missing header should be 401 naming the header', async () => {
    const ts = nowSeconds();
    const tampered = Buffer.from(sendgridBody.toString().replace('"open"', '"click"'));
    const other = sendGridSigner();
    const cases: Array<[Buffer, Record<string, string>, string]> = [
      [tampered, signer.headers(sendgridBody, ts), WebhookHeaders.sendgridSignature],
      [sendgridBody, other.headers(sendgridBody, ts), WebhookHeaders.sendgridSignature],
      [sendgridBody, signer.headers(sendgridBody, ts - 121), WebhookHeaders.sendgridTimestamp],
      [sendgridBody, { [WebhookHeaders.sendgridTimestamp]: String(ts) }, WebhookHeaders.sendgridSignature],
      [
        sendgridBody,
        {
          [WebhookHeaders.sendgridSignature]: signer.headers(sendgridBody, ts)[
            WebhookHeaders.sendgridSignature
          ]!,
        },
        WebhookHeaders.sendgridTimestamp,
      ],
    ];
    for (const [body, headers, header] of cases) {
      const res = await post('/v1/webhooks/sendgrid/esp', body, headers);
      expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 401, body: rejected(header) });
    }
  });

  it('a source without SendGrid verification, or unknown, should refuse signed webhooks with 401', async () => {
    const headers = signer.headers(sendgridBody, nowSeconds());
    for (const source of ['plain', 'nobody', 'shop', 'NOT_AN_ID']) {
      const res = await post(`/v1/webhooks/sendgrid/${source}`, sendgridBody, headers);
      expect({ source, status: res.statusCode, code: res.json().code }).toEqual({
        source,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('a disabled source should be 403 even with a valid signature', async () => {
    await h.sources.create({ id: 'esp-off', name: 'Paused', channel: 'email' });
    await h.sources.setWebhook('esp-off', {
      vendor: 'sendgrid',
      credential: signer.verificationKey,
      toleranceSeconds: null,
    });
    await h.sources.update('esp-off', { disabled: true });
    const res = await post(
      '/v1/webhooks/sendgrid/esp-off',
      sendgridBody,
      signer.headers(sendgridBody, nowSeconds()),
    );
    expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });

  it('the write-key connector route should also require the signature once the source has verification', async () => {
    const writeKey = basic(h.writeKey('esp'));
    const unsigned = await post('/v1/connectors/sendgrid', sendgridBody, { authorization: writeKey });
    expect({ status: unsigned.statusCode, body: unsigned.json() }).toEqual({
      status: 401,
      body: rejected(WebhookHeaders.sendgridSignature),
    });
    const signed = await post('/v1/connectors/sendgrid', sendgridBody, {
      authorization: writeKey,
      ...signer.headers(sendgridBody, nowSeconds()),
    });
    expect(signed.statusCode).toBe(200);
    // A source that requires SendGrid signatures takes no unsigned payloads of another vendor.
    const shop = await post('/v1/connectors/shopify', shopifyBody, { authorization: writeKey });
    expect(shop.statusCode).toBe(401);
    // Sources without verification keep working with the write key alone.
    const plain = await post('/v1/connectors/sendgrid', sendgridBody, {
      authorization: basic(h.writeKey('plain')),
    });
    expect(plain.statusCode).toBe(200);
  });
});

describe('signed Shopify webhooks', () => {
  const shopifyHeaders = (body: Buffer, secret = SHOPIFY_SECRET) => ({
    [WebhookHeaders.shopifyHmac]: shopifyHmac(body, secret),
    [WebhookHeaders.shopifyTopic]: 'orders/create',
    [WebhookHeaders.shopifyWebhookId]: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  });

  it('an order with the HMAC Shopify computes should be accepted', async () => {
    const res = await post('/v1/webhooks/shopify/shop', shopifyBody, shopifyHeaders(shopifyBody));
    expect(res.json()).toEqual({ success: true, accepted: 1, duplicates: 0 });
  });

  it('a tampered body, a wrong secret or a missing HMAC should be 401', async () => {
    const tampered = Buffer.from(shopifyBody.toString().replace('"total_price": "', '"total_price": "1'));
    const cases: Array<[Buffer, Record<string, string>]> = [
      [tampered, shopifyHeaders(shopifyBody)],
      [shopifyBody, shopifyHeaders(shopifyBody, 'shpss_another_secret_entirely_0000')],
      [shopifyBody, { [WebhookHeaders.shopifyTopic]: 'orders/create' }],
    ];
    for (const [body, headers] of cases) {
      const res = await post('/v1/webhooks/shopify/shop', body, headers);
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 401,
        body: rejected(WebhookHeaders.shopifyHmac),
      });
    }
  });

  it('a topic the connector does not map should be 400 naming the header', async () => {
    const res = await post('/v1/webhooks/shopify/shop', shopifyBody, {
      ...shopifyHeaders(shopifyBody),
      [WebhookHeaders.shopifyTopic]: 'customers/delete',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ path: 'headers.x-shopify-topic', message: expect.any(String) }]);
  });

  it('the client secret should be stored encrypted and never logged', async () => {
    const { rows } = await h.pool.query<{ webhook_credential: string }>(
      `SELECT webhook_credential FROM sources WHERE id = 'shop'`,
    );
    expect(rows[0]!.webhook_credential).toMatch(/^e1\./);
    expect(rows[0]!.webhook_credential).not.toContain(SHOPIFY_SECRET);
    expect(logs.text()).not.toContain(SHOPIFY_SECRET);
    expect(logs.text()).not.toContain(signer.verificationKey);
  });
});
