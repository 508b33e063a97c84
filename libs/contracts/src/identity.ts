import { z } from 'zod';
import { IsoDateTimeSchema, UuidSchema } from './common';
import { CanonicalEventV1Schema } from './canonical-event';
import { HashedIdentifierSchema } from './identifier';

/**
 * A decision identity made about an identifier while resolving one event, kept for explanation
 * ("why was this not merged?").
 */
export const ResolutionDecisionSchema = z.object({
  identifier: HashedIdentifierSchema,
  outcome: z.enum([
    'attached',
    'known',
    'merged',
    'refused_limit',
    'refused_blocklist',
    'refused_quarantine',
  ]),
  rule: z.string().max(200).optional(),
  detail: z.string().max(500).optional(),
});
export type ResolutionDecision = z.infer<typeof ResolutionDecisionSchema>;

/** The event with the profile it resolved to; keyed by profile id. */
export const ResolvedEventV1Schema = z.object({
  schemaVersion: z.literal(1),
  profileId: UuidSchema,
  event: CanonicalEventV1Schema,
  /** Identifier hashes in the same order as `event.identifiers` (lets stores index without re-hashing). */
  identifierHashes: z.array(HashedIdentifierSchema),
  newProfile: z.boolean(),
  decisions: z.array(ResolutionDecisionSchema).max(100),
  resolvedAt: IsoDateTimeSchema,
});
export type ResolvedEventV1 = z.infer<typeof ResolvedEventV1Schema>;

const EventRefSchema = z.object({ eventId: UuidSchema, messageId: z.string(), sourceId: z.string() });

export const MergeChangeV1Schema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('merge'),
  changeId: UuidSchema,
  survivorId: UuidSchema,
  absorbedId: UuidSchema,
  /** The identifier the two profiles shared. */
  linkingIdentifier: HashedIdentifierSchema,
  rule: z.string().max(200),
  triggeringEvent: EventRefSchema.optional(),
  at: IsoDateTimeSchema,
});
export type MergeChangeV1 = z.infer<typeof MergeChangeV1Schema>;

export const SplitChangeV1Schema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('split'),
  changeId: UuidSchema,
  /** The profile that was split; it keeps the component listed first. */
  profileId: UuidSchema,
  components: z
    .array(z.object({ profileId: UuidSchema, identifiers: z.array(HashedIdentifierSchema) }))
    .min(2),
  removedIdentifier: HashedIdentifierSchema,
  reason: z.string().max(500),
  actor: z.string().max(200),
  at: IsoDateTimeSchema,
});
export type SplitChangeV1 = z.infer<typeof SplitChangeV1Schema>;

/** Identity graph changes, keyed by the (surviving or split) profile id. */
export const IdentityChangeV1Schema = z.discriminatedUnion('kind', [
  MergeChangeV1Schema,
  SplitChangeV1Schema,
]);
export type IdentityChangeV1 = z.infer<typeof IdentityChangeV1Schema>;

export const identityChangeKey = (change: IdentityChangeV1): string =>
  change.kind === 'merge' ? change.survivorId : change.profileId;
