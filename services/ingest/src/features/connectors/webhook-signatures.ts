import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { WebhookVendor } from '@tessera/contracts';

/** The headers each vendor signs with (lower-case, as Node exposes them). */
export const WebhookHeaders = {
  sendgridSignature: 'x-twilio-email-event-webhook-signature',
  sendgridTimestamp: 'x-twilio-email-event-webhook-timestamp',
  shopifyHmac: 'x-shopify-hmac-sha256',
  shopifyTopic: 'x-shopify-topic',
  shopifyWebhookId: 'x-shopify-webhook-id',
} as const;

export type SignatureCheck = { ok: true } | { ok: false; header: string; reason: string };

/** What a request offers for verification: its headers and the exact body bytes the vendor signed. */
export interface SignedRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** A source's configured check, ready to run (keys parsed, secrets decrypted). */
export interface WebhookVerifier {
  vendor: WebhookVendor;
  verify(request: SignedRequest, now: Date): SignatureCheck;
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;

const fail = (header: string, reason: string): SignatureCheck => ({ ok: false, header, reason });

/**
 * Parses SendGrid's "Verification Key": base64 of a DER SubjectPublicKeyInfo, as its UI shows
 * it (PEM armour and line breaks tolerated). Only P-256 keys are accepted, because that is what
 * SendGrid signs with; anything else is a pasting mistake better caught when it is configured.
 */
export function parseSendGridPublicKey(encoded: string): KeyObject {
  const body = encoded
    .replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '')
    .replace(/\s+/g, '')
    .trim();
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'spki' });
  } catch (err) {
    throw new Error('not a base64 DER public key (paste the Verification Key SendGrid shows)', {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('SendGrid verification keys are ECDSA P-256 public keys; this one is not');
  }
  return key;
}

/**
 * SendGrid Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64 ASN.1 DER) over the
 * timestamp header's value followed by the raw body bytes. The timestamp (unix seconds) must be
 * within `toleranceSeconds` of now, so a captured request cannot be replayed later.
 */
export function createSendGridVerifier(publicKey: KeyObject, toleranceSeconds: number): WebhookVerifier {
  return {
    vendor: 'sendgrid',
    verify({ headers, rawBody }, now) {
      const signature = single(headers[WebhookHeaders.sendgridSignature]);
      const timestamp = single(headers[WebhookHeaders.sendgridTimestamp]);
      if (!signature) return fail(WebhookHeaders.sendgridSignature, 'missing');
      if (!timestamp) return fail(WebhookHeaders.sendgridTimestamp, 'missing');
      if (!/^\d{1,12}$/.test(timestamp)) return fail(WebhookHeaders.sendgridTimestamp, 'not unix seconds');
      const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]);
      let valid: boolean;
      try {
        valid = verify(
          'sha256',
          signed,
          { key: publicKey, dsaEncoding: 'der' },
          Buffer.from(signature, 'base64'),
        );
      } catch {
        // A signature that is not DER at all throws in OpenSSL; to the caller it is just wrong.
        valid = false;
      }
      if (!valid) return fail(WebhookHeaders.sendgridSignature, 'does not match the body and timestamp');
      // After the signature, so the answer "stale" is only ever given about a genuine request.
      if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds)
        return fail(
          WebhookHeaders.sendgridTimestamp,
          `more than ${toleranceSeconds} s from the server clock (replayed or delayed)`,
        );
      return { ok: true };
    },
  };
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body under the app's
 * client secret, compared in constant time. Shopify signs no timestamp; replays are harmless
 * because the mapped messageId (`shopify:order:<id>`) deduplicates them.
 */
export function createShopifyVerifier(secret: string): WebhookVerifier {
  const key = Buffer.from(secret, 'utf8');
  return {
    vendor: 'shopify',
    verify({ headers, rawBody }) {
      const header = single(headers[WebhookHeaders.shopifyHmac]);
      if (!header) return fail(WebhookHeaders.shopifyHmac, 'missing');
      const expected = createHmac('sha256', key).update(rawBody).digest();
      const given = Buffer.from(header, 'base64');
      // timingSafeEqual needs equal lengths; a wrong length reveals nothing about the secret.
      const valid = given.length === expected.length && timingSafeEqual(given, expected);
      return valid ? { ok: true } : fail(WebhookHeaders.shopifyHmac, 'does not match the body');
    },
  };
}
