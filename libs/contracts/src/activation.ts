import { z } from 'zod';
import { IsoDateTimeSchema, JsonObjectSchema, UuidSchema } from './common';
import { ConsentStateSchema } from './consent';

/**
 * One profile on a destination's activation feed (`activationTopicName(destination)`), compacted and
 * keyed by profile id. It only carries the traits the destination may see, and only exists while the
 * profile has the consent the destination needs; a tombstone (null value) removes the profile.
 */
export const ActivationRecordV1Schema = z.object({
  schemaVersion: z.literal(1),
  destination: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/),
  profileId: UuidSchema,
  /** The profile-update version this record was projected from; consumers drop older ones. */
  version: z.number().int().nonnegative(),
  /** Allowed golden traits only. */
  traits: JsonObjectSchema,
  /** Allowed computed traits only. */
  computed: JsonObjectSchema,
  /** State of the purposes the destination requires (all permitted, or the record would not exist). */
  consent: ConsentStateSchema,
  updatedAt: IsoDateTimeSchema,
});
export type ActivationRecordV1 = z.infer<typeof ActivationRecordV1Schema>;
