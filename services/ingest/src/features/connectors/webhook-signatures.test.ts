import { generateKeyPairSync } from 'node:crypto';
import {
  WebhookHeaders,
  createSendGridVerifier,
  createShopifyVerifier,
  parseSendGridPublicKey,
} from './webhook-signatures';
import { sendGridSigner, shopifyHmac } from './webhook-test-signers';

const now = new Date('2026-11-29T10:00:00.000Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const body = Buffer.from('[{"email":"ada@example.com","event":"open","sg_event_id":"e1","timestamp":1}]\r\n');

describe('SendGrid signature verification', () => {
  const keys = sendGridSigner();
  const verifier = createSendGridVerifier(parseSendGridPublicKey(keys.verificationKey), 300);

  it('a body signed like SendGrid signs it should verify', () => {
    expect(verifier.verify({ headers: keys.headers(body, nowSeconds), rawBody: body }, now)).toEqual({
      ok: true,
    });
  });

  it('a tampered body should fail on the signature header', () => {
    const tampered = Buffer.from(body.toString().replace('open', 'click'));
    expect(verifier.verify({ headers: keys.headers(body, nowSeconds), rawBody: tampered }, now)).toEqual({
      ok: false,
      header: WebhookHeaders.sendgridSignature,
      reason: 'does not match the body and timestamp',
    });
  });

  it('a changed timestamp header should fail, because the timestamp is signed', () => {
    const headers = {
      ...keys.headers(body, nowSeconds),
      [WebhookHeaders.sendgridTimestamp]: String(nowSeconds - 1),
    };
    expect(verifier.verify({ headers, rawBody: body }, now).ok).toBe(false);
  });

  it('a signature from another key should fail', () => {
    const other = sendGridSigner();
    expect(verifier.verify({ headers: other.headers(body, nowSeconds), rawBody: body }, now)).toMatchObject({
      ok: false,
      header: WebhookHeaders.sendgridSignature,
    });
  });

  it('a genuine but stale request should fail on the timestamp, at the tolerance boundary', () => {
    expect(verifier.verify({ headers: keys.headers(body, nowSeconds - 300), rawBody: body }, now).ok).toBe(
      true,
    );
    expect(
      verifier.verify({ headers: keys.headers(body, nowSeconds - 301), rawBody: body }, now),
    ).toMatchObject({
      ok: false,
      header: WebhookHeaders.sendgridTimestamp,
    });
    expect(verifier.verify({ headers: keys.headers(body, nowSeconds + 301), rawBody: body }, now).ok).toBe(
      false,
    );
  });

  it('missing or garbled headers should name the header', () => {
    const good = keys.headers(body, nowSeconds);
    const cases: Array<[Record<string, string | undefined>, string, string]> = [
      [
        { ...good, [WebhookHeaders.sendgridSignature]: undefined },
        WebhookHeaders.sendgridSignature,
        'missing',
      ],
      [
        { ...good, [WebhookHeaders.sendgridTimestamp]: undefined },
        WebhookHeaders.sendgridTimestamp,
        'missing',
      ],
      [
        { ...good, [WebhookHeaders.sendgridTimestamp]: '2026-11-29' },
        WebhookHeaders.sendgridTimestamp,
        'not unix seconds',
      ],
      [
        { ...good, [WebhookHeaders.sendgridSignature]: 'bm90IGRlcg==' },
        WebhookHeaders.sendgridSignature,
        'does not match the body and timestamp',
      ],
    ];
    for (const [headers, header, reason] of cases) {
      expect(verifier.verify({ headers, rawBody: body }, now)).toEqual({ ok: false, header, reason });
    }
  });

  it('parseSendGridPublicKey should accept PEM armour and refuse keys that are not P-256', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${keys.verificationKey.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`;
    expect(parseSendGridPublicKey(pem).asymmetricKeyType).toBe('ec');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() =>
      parseSendGridPublicKey(rsa.export({ format: 'der', type: 'spki' }).toString('base64')),
    ).toThrow(/P-256/);
    expect(() => parseSendGridPublicKey('bm90IGEga2V5IGF0IGFsbA==')).toThrow(/base64 DER public key/);
  });
});

describe('Shopify HMAC verification', () => {
  const secret = 'shpss_0123456789abcdef0123456789abcdef';
  const hmac = (raw: Buffer, key = secret) => shopifyHmac(raw, key);
  const verifier = createShopifyVerifier(secret);

  it('a body with the HMAC Shopify computes should verify', () => {
    expect(
      verifier.verify({ headers: { [WebhookHeaders.shopifyHmac]: hmac(body) }, rawBody: body }, now),
    ).toEqual({
      ok: true,
    });
  });

  it('a tampered body, a wrong secret, a truncated or missing header should fail', () => {
    const tampered = Buffer.concat([body, Buffer.from(' ')]);
    const fails = [
      { headers: { [WebhookHeaders.shopifyHmac]: hmac(body) }, rawBody: tampered },
      {
        headers: { [WebhookHeaders.shopifyHmac]: hmac(body, 'another-secret-of-the-same-size!!') },
        rawBody: body,
      },
      { headers: { [WebhookHeaders.shopifyHmac]: hmac(body).slice(0, 20) }, rawBody: body },
    ];
    for (const request of fails) {
      expect(verifier.verify(request, now)).toEqual({
        ok: false,
        header: WebhookHeaders.shopifyHmac,
        reason: 'does not match the body',
      });
    }
    expect(verifier.verify({ headers: {}, rawBody: body }, now)).toEqual({
      ok: false,
      header: WebhookHeaders.shopifyHmac,
      reason: 'missing',
    });
  });
});
