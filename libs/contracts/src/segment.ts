import { z } from 'zod';

/**
 * Segment tracking API (HTTP) message schemas, as the Segment spec and its SDKs send them
 * (https://segment.com/docs/connections/spec/). Unknown fields pass through untouched so nothing
 * a source sends is lost; only what ingest relies on is typed.
 */

/** Segment ids may be numbers in some SDKs; they are carried as strings. */
const SegmentId = z
  .union([z.string().min(1).max(200), z.number().finite()])
  .transform((v) => String(v))
  .meta({ description: 'string (numbers are accepted and converted)' });

/** ISO-8601 date-time; SDKs send UTC with `Z`, servers often an offset. */
const SegmentTimestamp = z.iso.datetime({ offset: true });

const JsonObject = z.record(z.string(), z.unknown());

export const SegmentExternalIdSchema = z
  .object({
    id: SegmentId,
    type: z.string().min(1).max(64),
    collection: z.string().max(64).optional(),
    encoding: z.string().max(32).optional(),
  })
  .passthrough();

export const SegmentContextSchema = z
  .object({
    traits: JsonObject.optional(),
    externalIds: z.array(SegmentExternalIdSchema).max(50).optional(),
    /** Global Privacy Control as seen by the client (`navigator.globalPrivacyControl`). */
    gpc: z.boolean().optional(),
    ip: z.string().max(64).optional(),
    library: z.object({ name: z.string(), version: z.string() }).partial().passthrough().optional(),
  })
  .passthrough();

const commonFields = {
  messageId: z.string().min(1).max(200).optional(),
  userId: SegmentId.optional(),
  anonymousId: SegmentId.optional(),
  timestamp: SegmentTimestamp.optional(),
  originalTimestamp: SegmentTimestamp.optional(),
  sentAt: SegmentTimestamp.optional(),
  context: SegmentContextSchema.optional(),
  integrations: JsonObject.optional(),
  /** Older SDKs send the write key in the body instead of the Authorization header. */
  writeKey: z.string().max(300).optional(),
};

export const SegmentIdentifySchema = z
  .object({ ...commonFields, type: z.literal('identify'), traits: JsonObject.optional() })
  .passthrough();
export const SegmentTrackSchema = z
  .object({
    ...commonFields,
    type: z.literal('track'),
    event: z.string().min(1).max(200),
    properties: JsonObject.optional(),
  })
  .passthrough();
export const SegmentPageSchema = z
  .object({
    ...commonFields,
    type: z.literal('page'),
    name: z.string().max(200).optional(),
    category: z.string().max(200).optional(),
    properties: JsonObject.optional(),
  })
  .passthrough();
export const SegmentScreenSchema = z
  .object({
    ...commonFields,
    type: z.literal('screen'),
    name: z.string().max(200).optional(),
    properties: JsonObject.optional(),
  })
  .passthrough();
export const SegmentGroupSchema = z
  .object({ ...commonFields, type: z.literal('group'), groupId: SegmentId, traits: JsonObject.optional() })
  .passthrough();
export const SegmentAliasSchema = z
  .object({ ...commonFields, type: z.literal('alias'), previousId: SegmentId, userId: SegmentId })
  .passthrough();

/** One Segment message of any call type (as inside a batch, where `type` is required). */
export const SegmentMessageSchema = z.discriminatedUnion('type', [
  SegmentIdentifySchema,
  SegmentTrackSchema,
  SegmentPageSchema,
  SegmentScreenSchema,
  SegmentGroupSchema,
  SegmentAliasSchema,
]);
export type SegmentMessage = z.output<typeof SegmentMessageSchema>;
export type SegmentMessageInput = z.input<typeof SegmentMessageSchema>;

/** Per-endpoint schemas: `type` is implied by the path (`/v1/track`) and optional in the body. */
export const SegmentEndpointSchemas = {
  identify: SegmentIdentifySchema.extend({ type: z.literal('identify').default('identify') }),
  track: SegmentTrackSchema.extend({ type: z.literal('track').default('track') }),
  page: SegmentPageSchema.extend({ type: z.literal('page').default('page') }),
  screen: SegmentScreenSchema.extend({ type: z.literal('screen').default('screen') }),
  group: SegmentGroupSchema.extend({ type: z.literal('group').default('group') }),
  alias: SegmentAliasSchema.extend({ type: z.literal('alias').default('alias') }),
} as const;

/** `POST /v1/batch`: up to 500 KB of messages; top-level `context`/`integrations` apply to each. */
export const SegmentBatchSchema = z
  .object({
    batch: z.array(SegmentMessageSchema).min(1).max(2500),
    sentAt: SegmentTimestamp.optional(),
    context: SegmentContextSchema.optional(),
    integrations: JsonObject.optional(),
    writeKey: z.string().max(300).optional(),
  })
  .passthrough();
export type SegmentBatch = z.output<typeof SegmentBatchSchema>;

/** The tracking API's success body. */
export const IngestResponseSchema = z.object({
  success: z.literal(true),
  /** Messages published (new) in this request. */
  accepted: z.number().int(),
  /** Messages skipped as duplicates of an already accepted `(source, messageId)`. */
  duplicates: z.number().int(),
  /** Identifier values that were invalid and left out (the event itself was accepted). */
  warnings: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type IngestResponse = z.infer<typeof IngestResponseSchema>;
