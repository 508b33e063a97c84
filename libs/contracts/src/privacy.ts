import { z } from 'zod';
import { IsoDateTimeSchema, UuidSchema } from './common';
import { HashedIdentifierSchema } from './identifier';

/**
 * Commands from the consent/privacy service to every service that holds personal data.
 * Each service applies the command to its own stores (idempotently) and reports on the status topic.
 */
export const PrivacyCommandV1Schema = z.object({
  schemaVersion: z.literal(1),
  requestId: UuidSchema,
  kind: z.enum(['erase']),
  profileIds: z.array(UuidSchema),
  identifiers: z.array(HashedIdentifierSchema),
  requestedAt: IsoDateTimeSchema,
});
export type PrivacyCommandV1 = z.infer<typeof PrivacyCommandV1Schema>;

export const PrivacyStatusV1Schema = z.object({
  schemaVersion: z.literal(1),
  requestId: UuidSchema,
  service: z.string().min(1).max(64),
  status: z.enum(['done', 'failed']),
  details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  at: IsoDateTimeSchema,
});
export type PrivacyStatusV1 = z.infer<typeof PrivacyStatusV1Schema>;
