import { createHash } from 'node:crypto';
import {
  AppError,
  type SetWebhookVerificationV1,
  type WebhookVendor,
  type WebhookVerificationViewV1,
} from '@tessera/contracts';
import type { FieldEncryptor } from '@tessera/crypto';
import type { SourceStore, StoredWebhook } from '../sources/source-store';
import {
  createSendGridVerifier,
  createShopifyVerifier,
  parseSendGridPublicKey,
  type WebhookVerifier,
} from './webhook-signatures';

export interface WebhookCredentialsOptions {
  /** Seals Shopify secrets at rest; without it they cannot be stored (or used). */
  encryptor: FieldEncryptor | undefined;
  /** SendGrid timestamp tolerance when the source sets none. */
  defaultToleranceSeconds: number;
}

/** Turns admin input into what the store keeps, and what the store keeps into a verifier. */
export interface WebhookCredentials {
  seal(
    sourceId: string,
    input: SetWebhookVerificationV1,
  ): Promise<{ vendor: WebhookVendor; credential: string; toleranceSeconds: number | null }>;
  open(sourceId: string, stored: StoredWebhook): Promise<WebhookVerifier>;
  view(stored: StoredWebhook): WebhookVerificationViewV1;
}

// Bound as associated data: a sealed secret copied to another source's row does not decrypt.
const context = (sourceId: string) => `ingest.sources.webhook_credential:${sourceId}`;

const noKeyring = () =>
  new AppError(
    'INTERNAL',
    'INGEST_SECRETS_KEYRING is not configured: Shopify webhook secrets are only stored encrypted',
    { statusCode: 500 },
  );

export function createWebhookCredentials(opts: WebhookCredentialsOptions): WebhookCredentials {
  return {
    async seal(sourceId, input) {
      if (input.vendor === 'sendgrid') {
        try {
          parseSendGridPublicKey(input.publicKey);
        } catch (err) {
          throw new AppError('VALIDATION_FAILED', 'request failed validation', {
            statusCode: 400,
            details: [{ path: 'webhookVerification.publicKey', message: (err as Error).message }],
          });
        }
        return {
          vendor: 'sendgrid',
          credential: input.publicKey.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, ''),
          toleranceSeconds: input.toleranceSeconds ?? null,
        };
      }
      if (!opts.encryptor) throw noKeyring();
      return {
        vendor: 'shopify',
        credential: await opts.encryptor.encrypt(input.secret, context(sourceId)),
        toleranceSeconds: null,
      };
    },
    async open(sourceId, stored) {
      if (stored.vendor === 'sendgrid') {
        return createSendGridVerifier(
          parseSendGridPublicKey(stored.credential),
          stored.toleranceSeconds ?? opts.defaultToleranceSeconds,
        );
      }
      if (!opts.encryptor) throw noKeyring();
      return createShopifyVerifier(await opts.encryptor.decrypt(stored.credential, context(sourceId)));
    },
    view(stored) {
      return {
        vendor: stored.vendor,
        ...(stored.vendor === 'sendgrid'
          ? {
              keyFingerprint: createHash('sha256')
                .update(Buffer.from(stored.credential, 'base64'))
                .digest('hex')
                .slice(0, 16),
            }
          : {}),
        ...(stored.toleranceSeconds !== null ? { toleranceSeconds: stored.toleranceSeconds } : {}),
        updatedAt: stored.updatedAt,
      };
    },
  };
}

/** The verifier a source's webhooks must pass, or null when it requires none. */
export interface WebhookVerifierResolver {
  resolve(sourceId: string): Promise<WebhookVerifier | null>;
  /** Drops a cached entry (after this process changed the source's settings). */
  invalidate(sourceId: string): void;
}

/**
 * Cached like source rows (a key parse and a decryption per webhook would be waste); a change
 * made elsewhere is seen within `cacheMs`, one made by this process at once. The signed-webhook
 * routes ask before any authentication, so the cache is bounded: a caller spraying random source
 * ids evicts old entries instead of growing the heap.
 */
export function createWebhookVerifierResolver(opts: {
  store: Pick<SourceStore, 'getWebhook'>;
  credentials: WebhookCredentials;
  cacheMs: number;
  /** Default 10 000 sources. */
  maxEntries?: number;
  now?: () => number;
}): WebhookVerifierResolver {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 10_000;
  const cache = new Map<string, { at: number; verifier: Promise<WebhookVerifier | null> }>();
  return {
    resolve(sourceId) {
      const hit = cache.get(sourceId);
      if (hit && now() - hit.at < opts.cacheMs) return hit.verifier;
      const verifier = opts.store
        .getWebhook(sourceId)
        .then((stored) => (stored ? opts.credentials.open(sourceId, stored) : null));
      cache.delete(sourceId);
      // Maps iterate in insertion order, so the first key is the longest cached.
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(sourceId, { at: now(), verifier });
      // A failed load (database down, keyring missing) must not stay cached.
      verifier.catch(() => {
        if (cache.get(sourceId)?.verifier === verifier) cache.delete(sourceId);
      });
      return verifier;
    },
    invalidate(sourceId) {
      cache.delete(sourceId);
    },
  };
}
