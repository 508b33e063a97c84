import { z } from 'zod';

/**
 * Identifier types are open-ended (every `context.externalIds[].type` becomes one), but these have
 * platform-wide meaning: identity rules, normalization and PII handling key off them.
 */
export const CoreIdentifierTypes = ['user_id', 'anonymous_id', 'email', 'phone'] as const;
export type CoreIdentifierType = (typeof CoreIdentifierTypes)[number];

export const IdentifierTypeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'identifier type must be snake_case, 1-64 chars');

/**
 * One identifier of a touchpoint, already normalized by ingest (libs/identifiers).
 * - `value` is the normalized form (what the customer typed, cleaned: trimmed, NFC, lower-cased email, E.164 phone).
 * - `matchKey`, when present, is a provider-aware canonical form used for matching only
 *   (e.g. Gmail without dots and +tags); it never replaces `value`.
 * - `raw` is the value exactly as received, kept so normalization never silently destroys data.
 */
export const IdentifierSchema = z.object({
  type: IdentifierTypeSchema,
  value: z.string().min(1).max(512),
  matchKey: z.string().min(1).max(512).optional(),
  raw: z.string().max(1024).optional(),
});
export type Identifier = z.infer<typeof IdentifierSchema>;

/** An identifier as other services see it once hashed: a keyed hash (HMAC) of `type:matchKey??value`. */
export const HashedIdentifierSchema = z.object({
  type: IdentifierTypeSchema,
  hash: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
});
export type HashedIdentifier = z.infer<typeof HashedIdentifierSchema>;
