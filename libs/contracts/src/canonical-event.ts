import { z } from 'zod';
import { ChannelSchema, EventTypeSchema, IsoDateTimeSchema, JsonObjectSchema, UuidSchema } from './common';
import { ConsentSignalSchema } from './consent';
import { IdentifierSchema } from './identifier';

/**
 * The canonical event, v1: what every source's payload becomes after ingest validated and
 * normalized it. Segment's spec fields are kept as they are so nothing the source sent is lost.
 */
export const CanonicalEventV1Schema = z.object({
  schemaVersion: z.literal(1),
  /** Assigned by ingest (UUIDv7). */
  eventId: UuidSchema,
  /** The source's own id for the message; `(sourceId, messageId)` is the deduplication key. */
  messageId: z.string().min(1).max(200),
  sourceId: z.string().min(1).max(100),
  channel: ChannelSchema,
  type: EventTypeSchema,
  /** Track event name (`Order Completed`), page/screen name. */
  event: z.string().min(1).max(200).optional(),
  name: z.string().max(200).optional(),
  userId: z.string().min(1).max(200).optional(),
  anonymousId: z.string().min(1).max(200).optional(),
  /** alias: the id being aliased to `userId`. */
  previousId: z.string().min(1).max(200).optional(),
  groupId: z.string().min(1).max(200).optional(),
  /** Every identifier on the event, normalized; at least one, or the event cannot be attributed. */
  identifiers: z.array(IdentifierSchema).min(1).max(50),
  traits: JsonObjectSchema,
  properties: JsonObjectSchema,
  context: JsonObjectSchema,
  integrations: JsonObjectSchema.optional(),
  /** When it happened, clock-skew corrected (Segment: receivedAt - (sentAt - originalTimestamp)). */
  timestamp: IsoDateTimeSchema,
  receivedAt: IsoDateTimeSchema,
  sentAt: IsoDateTimeSchema.optional(),
  originalTimestamp: IsoDateTimeSchema.optional(),
  consentSignals: z.array(ConsentSignalSchema).max(20),
  /** True when the request carried `Sec-GPC: 1` or `context.gpc`: an opt-out of sale/sharing. */
  gpc: z.boolean().optional(),
});
export type CanonicalEventV1 = z.infer<typeof CanonicalEventV1Schema>;

/**
 * The ingested topic's partition key. A device's or user's events stay ordered; identity must be
 * correct regardless of which partition a related event lands on.
 */
export function ingestedEventKey(event: CanonicalEventV1): string {
  return event.anonymousId ?? event.userId ?? event.messageId;
}

/**
 * What sources may publish straight to the intake topic: a Segment-shaped message plus the source id.
 * Ingest validates it exactly like an HTTP call and dead-letters what fails.
 */
export const IntakeMessageV1Schema = z
  .object({
    sourceId: z.string().min(1).max(100),
    type: EventTypeSchema,
    messageId: z.string().min(1).max(200),
  })
  .passthrough();
export type IntakeMessageV1 = z.infer<typeof IntakeMessageV1Schema>;
