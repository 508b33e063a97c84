import { z } from 'zod';
import { IsoDateTimeSchema, UuidSchema } from './common';
import { HashedIdentifierSchema } from './identifier';

/**
 * One suppressed identifier (keyed hash) of an erased subject, on a compacted topic keyed by
 * `type:hash`. Ingest tails it into memory and drops matching events. A tombstone lifts the
 * suppression (the person newly consented).
 */
export const SuppressionEntryV1Schema = z.object({
  schemaVersion: z.literal(1),
  identifier: HashedIdentifierSchema,
  requestId: UuidSchema,
  suppressedAt: IsoDateTimeSchema,
});
export type SuppressionEntryV1 = z.infer<typeof SuppressionEntryV1Schema>;

export const suppressionKey = (identifier: { type: string; hash: string }): string =>
  `${identifier.type}:${identifier.hash}`;
