import { z } from 'zod';
import { IsoDateTimeSchema } from './common';

/**
 * API key scopes. A source's write key is a key with `ingest:write` bound to that source.
 */
export const ScopeSchema = z.enum([
  'ingest:write',
  'profile:read',
  'pii:read',
  'consent:write',
  'privacy:admin',
  /** Sources and their write keys (ingest's administration API). */
  'ingest:admin',
]);
export type Scope = z.infer<typeof ScopeSchema>;

/**
 * Key records on the compacted access-keys topic, keyed by `keyId`. Every service with an API
 * tails this topic into memory, so a revocation reaches every instance within one poll.
 * Only a SHA-256 of the (256-bit random) secret travels; the secret itself is shown once at creation.
 */
export const AccessKeyV1Schema = z.object({
  schemaVersion: z.literal(1),
  keyId: z.string().regex(/^[a-z0-9]{8,32}$/),
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1).max(200),
  scopes: z.array(ScopeSchema).min(1),
  sourceId: z.string().min(1).max(100).optional(),
  createdAt: IsoDateTimeSchema,
  revokedAt: IsoDateTimeSchema.optional(),
});
export type AccessKeyV1 = z.infer<typeof AccessKeyV1Schema>;
