import { z } from 'zod';
import { IsoDateTimeSchema, JsonObjectSchema, UuidSchema } from './common';
import { ConsentStateSchema } from './consent';

/**
 * The change feed for downstream martech: one message per committed change to a golden record,
 * on a compacted topic keyed by profile id, so the latest message per key is the current record.
 * Erasure publishes a `deleted` notice followed by a tombstone (null value).
 */
export const ProfileUpdateV1Schema = z.object({
  schemaVersion: z.literal(1),
  profileId: UuidSchema,
  /** Monotonic per profile; consumers drop anything older than what they hold. */
  version: z.number().int().nonnegative(),
  kind: z.enum(['upsert', 'merged', 'split', 'deleted']),
  /** Golden trait values (survivorship applied). */
  traits: JsonObjectSchema,
  /** Computed traits: order count, revenue, CLV, RFM … */
  computed: JsonObjectSchema,
  /** Names of traits/computed traits that changed in this update. */
  changed: z.array(z.string()),
  consent: ConsentStateSchema,
  /** Present on `merged`: this profile was absorbed into `mergedInto`. */
  mergedInto: UuidSchema.optional(),
  /** Profiles absorbed into this one over its life. */
  mergedFrom: z.array(UuidSchema).optional(),
  /** Present on `split`: the profiles this one was split into. */
  splitInto: z.array(UuidSchema).optional(),
  updatedAt: IsoDateTimeSchema,
});
export type ProfileUpdateV1 = z.infer<typeof ProfileUpdateV1Schema>;
