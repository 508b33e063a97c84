import { generateApiKey } from '@tessera/access';
import { LocalKeyring } from '@tessera/crypto';
import { captureLogs, collectMessages } from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';
import sendgrid from '../connectors/fixtures/sendgrid-events.json';
import shopify from '../connectors/fixtures/shopify-order-created.json';
import { WebhookHeaders } from '../connectors/webhook-signatures';
import { sendGridSigner, shopifyHmac } from '../connectors/webhook-test-signers';
import { SOURCE_ADMIN_SCOPE } from './source-admin-routes';

const SHOPIFY_SECRET = 'shpss_admin_test_secret_0123456789abcdef';
const logs = captureLogs({ name: 'ingest', level: 'debug' });
let h: IngestHarness;
let admin: string;

beforeAll(async () => {
  h = await startIngestHarness({
    logger: logs.logger,
    config: { INGEST_SECRETS_KEYRING: `k1:${LocalKeyring.generateKey()}` },
  });
  const key = generateApiKey({ name: 'ops', scopes: [SOURCE_ADMIN_SCOPE] });
  h.keys.upsert(key.record);
  admin = `Bearer ${key.token}`;
});
afterAll(async () => h?.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, authorization = admin) =>
  h.app.inject({
    method,
    url,
    headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

const track = (writeKey: string) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/track',
    headers: { 'content-type': 'application/json', authorization: basic(writeKey) },
    payload: JSON.stringify({ userId: 'u-1', event: 'Viewed', messageId: `m-${Math.random()}` }),
  });

describe('source administration API', () => {
  it('create should register the source and return a working write key once', async () => {
    const res = await call('POST', '/v1/admin/sources', {
      id: 'web-eu',
      name: 'EU web shop',
      channel: 'web',
      defaultRegion: 'DE',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      schemaVersion: 1,
      sourceId: 'web-eu',
      keyId: expect.stringMatching(/^[a-z0-9]{16}$/),
      writeKey: expect.stringMatching(/^tsk_/),
      source: expect.objectContaining({ id: 'web-eu', defaultRegion: 'DE', webhookVerification: null }),
    });
    expect((await track(body.writeKey)).statusCode).toBe(200);
    const got = await call('GET', '/v1/admin/sources/web-eu');
    expect(got.json()).toEqual(body.source);
    expect(JSON.stringify(got.json())).not.toContain(body.writeKey);
    expect(
      (await call('POST', '/v1/admin/sources', { id: 'web-eu', name: 'x', channel: 'web' })).statusCode,
    ).toBe(409);
    // The key is on the access-keys topic (hash only) and the creation is audited as the admin key.
    const audit = await collectMessages(h.kafka, 'audit', {
      until: (seen) => seen.some((m) => m.value!.action === 'key.create'),
      timeoutMs: 30_000,
    });
    expect(audit.find((m) => m.value!.action === 'key.create')!.value!.actor).toMatch(/^key:/);
  });

  it('list and get should show sources, and unknown ones be 404', async () => {
    await call('POST', '/v1/admin/sources', { id: 'tills', name: 'Tills', channel: 'pos' });
    const list = await call('GET', '/v1/admin/sources');
    expect(list.json().sources.map((s: { id: string }) => s.id)).toEqual(['tills', 'web-eu']);
    const missing = await call('GET', '/v1/admin/sources/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });

  it('update should change region and allowed event types, effective at once', async () => {
    const res = await call('PATCH', '/v1/admin/sources/tills', {
      defaultRegion: 'GB',
      allowedEventTypes: ['identify'],
    });
    expect(res.json()).toMatchObject({ defaultRegion: 'GB', allowedEventTypes: ['identify'] });
    const key = (await call('POST', '/v1/admin/sources/tills/keys/rotate', {})).json().writeKey as string;
    const refused = await track(key);
    expect(refused.statusCode).toBe(400);
    const cleared = await call('PATCH', '/v1/admin/sources/tills', { allowedEventTypes: null });
    expect(cleared.json().allowedEventTypes).toBeNull();
    expect((await track(key)).statusCode).toBe(200);
  });

  it('invalid input should be 400 with field paths', async () => {
    const res = await call('POST', '/v1/admin/sources', {
      id: 'Bad Id',
      name: '',
      channel: 'fax',
      webhookVerification: { vendor: 'shopify', secret: 'short' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { path: string }) => d.path)).toEqual([
      'body.id',
      'body.name',
      'body.channel',
      'body.webhookVerification.secret',
    ]);
    const badKey = await call('PATCH', '/v1/admin/sources/tills', {
      webhookVerification: { vendor: 'sendgrid', publicKey: Buffer.from('x'.repeat(64)).toString('base64') },
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().details[0].path).toBe('body.webhookVerification.publicKey');
    expect((await call('PATCH', '/v1/admin/sources/tills', { rateLimit: 3 })).json().details[0].path).toBe(
      'body',
    );
  });

  it('rotate should return a new key once and retire the old; revoke should stop a key at once', async () => {
    const created = (
      await call('POST', '/v1/admin/sources', { id: 'app', name: 'App', channel: 'app' })
    ).json();
    const rotated = await call('POST', '/v1/admin/sources/app/keys/rotate', { graceSeconds: 0 });
    expect(rotated.json()).toEqual({
      schemaVersion: 1,
      sourceId: 'app',
      keyId: expect.any(String),
      writeKey: expect.stringMatching(/^tsk_/),
    });
    expect((await track(created.writeKey)).json().code).toBe('WRITE_KEY_REVOKED');
    const fresh = rotated.json().writeKey as string;
    expect((await track(fresh)).statusCode).toBe(200);

    const keys = (await call('GET', '/v1/admin/sources/app/keys')).json().keys;
    expect(keys).toEqual([
      expect.objectContaining({ keyId: created.keyId, active: false, revokedAt: expect.any(String) }),
      expect.objectContaining({ keyId: rotated.json().keyId, active: true }),
    ]);
    expect(JSON.stringify(keys)).not.toContain('tsk_');

    const revoked = await call('POST', `/v1/admin/sources/app/keys/${rotated.json().keyId}/revoke`);
    expect(revoked.json()).toMatchObject({ keyId: rotated.json().keyId, active: false });
    expect((await track(fresh)).statusCode).toBe(401);
    // A key of another source cannot be revoked through this one.
    const other = (await call('GET', '/v1/admin/sources/web-eu/keys')).json().keys[0].keyId as string;
    expect((await call('POST', `/v1/admin/sources/app/keys/${other}/revoke`)).statusCode).toBe(404);
    expect((await call('POST', '/v1/admin/sources/ghost/keys/rotate', {})).statusCode).toBe(404);
  });

  it('webhook verification set through the API should be enforced, shown without secrets, and clearable', async () => {
    const signer = sendGridSigner();
    const esp = await call('POST', '/v1/admin/sources', {
      id: 'esp',
      name: 'SendGrid',
      channel: 'email',
      webhookVerification: { vendor: 'sendgrid', publicKey: signer.verificationKey, toleranceSeconds: 600 },
    });
    expect(esp.json().source.webhookVerification).toEqual({
      vendor: 'sendgrid',
      keyFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      toleranceSeconds: 600,
      updatedAt: expect.any(String),
    });
    const body = Buffer.from(JSON.stringify(sendgrid));
    const signed = await h.app.inject({
      method: 'POST',
      url: '/v1/webhooks/sendgrid/esp',
      headers: { 'content-type': 'application/json', ...signer.headers(body, Math.floor(Date.now() / 1000)) },
      payload: body,
    });
    expect(signed.statusCode).toBe(200);

    await call('POST', '/v1/admin/sources', { id: 'shop', name: 'Shop', channel: 'ecommerce' });
    const set = await call('PATCH', '/v1/admin/sources/shop', {
      webhookVerification: { vendor: 'shopify', secret: SHOPIFY_SECRET },
    });
    expect(set.json().webhookVerification).toEqual({ vendor: 'shopify', updatedAt: expect.any(String) });
    const order = Buffer.from(JSON.stringify(shopify));
    const hook = (hmac: string) =>
      h.app.inject({
        method: 'POST',
        url: '/v1/webhooks/shopify/shop',
        headers: { 'content-type': 'application/json', [WebhookHeaders.shopifyHmac]: hmac },
        payload: order,
      });
    expect((await hook(shopifyHmac(order, SHOPIFY_SECRET))).statusCode).toBe(200);
    expect((await hook(shopifyHmac(order, 'not-the-secret-at-all-000000'))).statusCode).toBe(401);

    const off = await call('PATCH', '/v1/admin/sources/shop', { webhookVerification: null });
    expect(off.json().webhookVerification).toBeNull();
    expect((await hook(shopifyHmac(order, SHOPIFY_SECRET))).statusCode).toBe(401);

    const everything = JSON.stringify((await call('GET', '/v1/admin/sources')).json()) + logs.text();
    expect(everything).not.toContain(SHOPIFY_SECRET);
  });

  it('keys without the admin scope, or none, should be refused', async () => {
    const write = h.writeKey('web-eu');
    expect((await call('GET', '/v1/admin/sources', undefined, `Bearer ${write}`)).json()).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining(SOURCE_ADMIN_SCOPE),
    });
    expect((await call('GET', '/v1/admin/sources', undefined, '')).statusCode).toBe(401);
  });

  it('the OpenAPI document should describe the admin and webhook routes', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/sources',
        '/v1/admin/sources/{id}',
        '/v1/admin/sources/{id}/keys',
        '/v1/admin/sources/{id}/keys/rotate',
        '/v1/admin/sources/{id}/keys/{keyId}/revoke',
        '/v1/webhooks/sendgrid/{sourceId}',
        '/v1/webhooks/shopify/{sourceId}',
      ]),
    );
    expect(doc.paths['/v1/admin/sources'].post.requestBody).toBeDefined();
  });
});
