import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { WebhookHeaders } from './webhook-signatures';

/*
 * Test signers that sign exactly as the vendors document it, so tests exercise real signatures
 * rather than a copy of the verifier's own logic.
 */

/** An EC P-256 key pair like the one behind SendGrid's Signed Event Webhook. */
export function sendGridSigner() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    /** What SendGrid's settings page shows as the Verification Key. */
    verificationKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    /** The signature headers for `body` sent at `timestamp` (unix seconds). */
    headers(body: Buffer | string, timestamp: number): Record<string, string> {
      const ts = String(timestamp);
      const signature = sign('sha256', Buffer.concat([Buffer.from(ts), Buffer.from(body)]), privateKey);
      return {
        [WebhookHeaders.sendgridSignature]: signature.toString('base64'),
        [WebhookHeaders.sendgridTimestamp]: ts,
      };
    },
  };
}

/** Shopify's `X-Shopify-Hmac-Sha256` for a raw body under an app's client secret. */
export const shopifyHmac = (body: Buffer | string, secret: string): string =>
  createHmac('sha256', secret).update(body).digest('base64');
