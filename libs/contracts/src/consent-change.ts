import { z } from 'zod';
import { IsoDateTimeSchema, UuidSchema } from './common';
import { ConsentStatusSchema, PurposeSchema } from './consent';
import { HashedIdentifierSchema } from './identifier';

/** A change of derived consent state for one subject and purpose, keyed by the subject. */
export const ConsentChangeV1Schema = z.object({
  schemaVersion: z.literal(1),
  changeId: UuidSchema,
  subject: z
    .object({ profileId: UuidSchema.optional(), identifier: HashedIdentifierSchema.optional() })
    .refine(
      (s) => s.profileId !== undefined || s.identifier !== undefined,
      'subject needs a profileId or identifier',
    ),
  purpose: PurposeSchema,
  status: z.enum(['granted', 'denied', 'withdrawn', 'unknown']),
  previousStatus: z.enum(['granted', 'denied', 'withdrawn', 'unknown']),
  /** The ledger record that caused the change. */
  recordStatus: ConsentStatusSchema.optional(),
  source: z.string().max(100),
  reason: z.string().max(500).optional(),
  effectiveAt: IsoDateTimeSchema,
  recordedAt: IsoDateTimeSchema,
});
export type ConsentChangeV1 = z.infer<typeof ConsentChangeV1Schema>;

export const consentChangeKey = (change: ConsentChangeV1): string =>
  change.subject.profileId ?? `${change.subject.identifier!.type}:${change.subject.identifier!.hash}`;
