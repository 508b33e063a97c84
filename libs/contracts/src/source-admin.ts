import { z } from 'zod';
import { IsoDateTimeSchema } from './common';
import { CreateSourceSchema, SourceIdSchema, SourceSchema, UpdateSourceSchema } from './sources';

/**
 * Ingest's source administration API (`/v1/admin/sources…`) and the webhook verification settings
 * a source can hold. Secrets only travel inwards: no response schema has a field that could carry
 * one back.
 */

/** Vendors whose webhooks ingest can authenticate by signature. */
export const WebhookVendorSchema = z.enum(['sendgrid', 'shopify']);
export type WebhookVendor = z.infer<typeof WebhookVendorSchema>;

/** How far a signed timestamp may be from ingest's clock before the request counts as a replay. */
export const WebhookToleranceSecondsSchema = z.number().int().min(10).max(86_400);

/**
 * Setting a source's webhook verification. SendGrid: the base64 "Verification Key" its Signed
 * Event Webhook page shows (a P-256 public key, SubjectPublicKeyInfo DER). Shopify: the app's
 * client secret (HMAC-SHA256 key), stored encrypted. `null` turns verification off.
 */
export const SetWebhookVerificationV1Schema = z.discriminatedUnion('vendor', [
  z
    .object({
      vendor: z.literal('sendgrid'),
      publicKey: z
        .string()
        .min(40)
        .max(1000)
        .regex(/^[A-Za-z0-9+/=\s-]+$/, 'base64 (the key SendGrid shows, with or without PEM armour)'),
      toleranceSeconds: WebhookToleranceSecondsSchema.optional(),
    })
    .strict(),
  z
    .object({
      vendor: z.literal('shopify'),
      secret: z.string().min(16).max(512),
    })
    .strict(),
]);
export type SetWebhookVerificationV1 = z.infer<typeof SetWebhookVerificationV1Schema>;

/** What an admin sees of a source's webhook verification: never the secret. */
export const WebhookVerificationViewV1Schema = z.object({
  vendor: WebhookVendorSchema,
  /** SendGrid only: SHA-256 (hex, first 16 chars) of the public key, to compare with the vendor's page. */
  keyFingerprint: z.string().optional(),
  /** SendGrid only: per-source timestamp tolerance; absent means the service default. */
  toleranceSeconds: WebhookToleranceSecondsSchema.optional(),
  updatedAt: IsoDateTimeSchema,
});
export type WebhookVerificationViewV1 = z.infer<typeof WebhookVerificationViewV1Schema>;

/** A source as the admin API returns it. */
export const SourceViewV1Schema = SourceSchema.extend({
  schemaVersion: z.literal(1),
  webhookVerification: WebhookVerificationViewV1Schema.nullable(),
});
export type SourceViewV1 = z.infer<typeof SourceViewV1Schema>;

export const CreateSourceRequestV1Schema = CreateSourceSchema.extend({
  webhookVerification: SetWebhookVerificationV1Schema.nullable().optional(),
}).strict();
export type CreateSourceRequestV1 = z.infer<typeof CreateSourceRequestV1Schema>;

/** Missing fields stay unchanged; `null` clears (for `webhookVerification`: turns it off). */
export const UpdateSourceRequestV1Schema = UpdateSourceSchema.extend({
  webhookVerification: SetWebhookVerificationV1Schema.nullable().optional(),
}).strict();
export type UpdateSourceRequestV1 = z.infer<typeof UpdateSourceRequestV1Schema>;

/** A new write key: the token is in this response and nowhere else, ever. */
export const IssuedWriteKeyV1Schema = z.object({
  schemaVersion: z.literal(1),
  sourceId: SourceIdSchema,
  keyId: z.string(),
  writeKey: z.string(),
});
export type IssuedWriteKeyV1 = z.infer<typeof IssuedWriteKeyV1Schema>;

export const CreateSourceResponseV1Schema = IssuedWriteKeyV1Schema.extend({ source: SourceViewV1Schema });
export type CreateSourceResponseV1 = z.infer<typeof CreateSourceResponseV1Schema>;

export const RotateWriteKeyRequestV1Schema = z
  .object({
    /** How long the old key keeps working (0: revoked at once). */
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional(),
  })
  .strict();
export type RotateWriteKeyRequestV1 = z.infer<typeof RotateWriteKeyRequestV1Schema>;

/** A write key's metadata (no secret, no hash). */
export const WriteKeyViewV1Schema = z.object({
  keyId: z.string(),
  name: z.string(),
  createdAt: IsoDateTimeSchema,
  /** Set once revoked; in the future while a rotation's grace period runs. */
  revokedAt: IsoDateTimeSchema.optional(),
  active: z.boolean(),
});
export type WriteKeyViewV1 = z.infer<typeof WriteKeyViewV1Schema>;

export const SourceListV1Schema = z.object({ sources: z.array(SourceViewV1Schema) });
export const WriteKeyListV1Schema = z.object({ keys: z.array(WriteKeyViewV1Schema) });
