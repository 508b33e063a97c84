import { FieldEncryptor, LocalKeyring } from '@tessera/crypto';
import type { StoredWebhook } from '../sources/source-store';
import { createWebhookCredentials, createWebhookVerifierResolver } from './webhook-credentials';
import { WebhookHeaders } from './webhook-signatures';
import { sendGridSigner, shopifyHmac } from './webhook-test-signers';

const SECRET = 'shpss_unit_secret_0123456789abcdef0123';
const encryptor = new FieldEncryptor(LocalKeyring.fromString(`k1:${LocalKeyring.generateKey()}`));
const credentials = createWebhookCredentials({ encryptor, defaultToleranceSeconds: 300 });
const stored = (s: Omit<StoredWebhook, 'updatedAt'>): StoredWebhook => ({
  ...s,
  updatedAt: new Date().toISOString(),
});

describe('webhook credentials', () => {
  it('a sealed Shopify secret should not contain the secret and open only for its own source', async () => {
    const sealed = await credentials.seal('shop', { vendor: 'shopify', secret: SECRET });
    expect(sealed.credential).toMatch(/^e1\./);
    expect(sealed.credential).not.toContain(SECRET);
    const body = Buffer.from('{"id":1}');
    const verifier = await credentials.open('shop', stored(sealed));
    expect(
      verifier.verify(
        { headers: { [WebhookHeaders.shopifyHmac]: shopifyHmac(body, SECRET) }, rawBody: body },
        new Date(),
      ),
    ).toEqual({ ok: true });
    // Copied into another source's row, the envelope does not decrypt.
    await expect(credentials.open('other', stored(sealed))).rejects.toThrow();
    expect(credentials.view(stored(sealed))).toEqual({ vendor: 'shopify', updatedAt: expect.any(String) });
  });

  it('without a keyring a Shopify secret should be refused, naming the variable', async () => {
    const bare = createWebhookCredentials({ encryptor: undefined, defaultToleranceSeconds: 300 });
    await expect(bare.seal('shop', { vendor: 'shopify', secret: SECRET })).rejects.toThrow(
      /INGEST_SECRETS_KEYRING/,
    );
  });

  it('a SendGrid key should be validated when set and use the default tolerance when the source sets none', async () => {
    await expect(
      credentials.seal('esp', { vendor: 'sendgrid', publicKey: 'A'.repeat(60) }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'webhookVerification.publicKey', message: expect.any(String) }],
    });
    const signer = sendGridSigner();
    const sealed = await credentials.seal('esp', { vendor: 'sendgrid', publicKey: signer.verificationKey });
    expect(sealed).toEqual({
      vendor: 'sendgrid',
      credential: signer.verificationKey,
      toleranceSeconds: null,
    });
    const verifier = await credentials.open('esp', stored(sealed));
    const body = Buffer.from('[]');
    const now = new Date();
    const at = (ageSeconds: number) => signer.headers(body, Math.floor(now.getTime() / 1000) - ageSeconds);
    expect(verifier.verify({ headers: at(299), rawBody: body }, now).ok).toBe(true);
    expect(verifier.verify({ headers: at(302), rawBody: body }, now).ok).toBe(false);
  });

  it('the resolver should cache verifiers, drop failed loads and honour invalidate', async () => {
    let loads = 0;
    let fail = true;
    const signer = sendGridSigner();
    const row = stored({ vendor: 'sendgrid', credential: signer.verificationKey, toleranceSeconds: null });
    const resolver = createWebhookVerifierResolver({
      store: {
        getWebhook: async () => {
          loads += 1;
          if (fail) throw new Error('database down');
          return row;
        },
      },
      credentials,
      cacheMs: 60_000,
    });
    await expect(resolver.resolve('esp')).rejects.toThrow('database down');
    fail = false;
    expect((await resolver.resolve('esp'))!.vendor).toBe('sendgrid');
    await resolver.resolve('esp');
    expect(loads).toBe(2);
    resolver.invalidate('esp');
    await resolver.resolve('esp');
    expect(loads).toBe(3);
  });

  it('the resolver cache should stay bounded under lookups of many unknown sources', async () => {
    const asked: string[] = [];
    const resolver = createWebhookVerifierResolver({
      store: {
        getWebhook: async (id) => {
          asked.push(id);
          return null;
        },
      },
      credentials,
      cacheMs: 60_000,
      maxEntries: 2,
    });
    for (const id of ['a', 'b', 'c', 'a']) expect(await resolver.resolve(id)).toBeNull();
    // 'a' was evicted by 'c' and had to be asked again; 'c' is still cached.
    await resolver.resolve('c');
    expect(asked).toEqual(['a', 'b', 'c', 'a']);
  });
});
