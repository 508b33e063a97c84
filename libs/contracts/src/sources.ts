import { z } from 'zod';
import { ChannelSchema, EventTypeSchema } from './common';

export const SourceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, - and _; 1-100 chars');

/** A source as ingest's admin API and CLI show it. */
export const SourceSchema = z.object({
  id: SourceIdSchema,
  name: z.string().min(1).max(200),
  channel: ChannelSchema,
  /** ISO 3166-1 alpha-2 region for phone numbers without a country code. */
  defaultRegion: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable(),
  /** null: every call type allowed. */
  allowedEventTypes: z.array(EventTypeSchema).min(1).nullable(),
  /** Events per second; null: the service default. */
  rateLimitPerSecond: z.number().int().positive().nullable(),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Source = z.infer<typeof SourceSchema>;

export const CreateSourceSchema = z.object({
  id: SourceIdSchema,
  name: z.string().min(1).max(200),
  channel: ChannelSchema,
  defaultRegion: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .optional(),
  allowedEventTypes: z.array(EventTypeSchema).min(1).nullable().optional(),
  rateLimitPerSecond: z.number().int().positive().nullable().optional(),
});
export type CreateSource = z.infer<typeof CreateSourceSchema>;

/** Missing fields stay unchanged; `null` clears. */
export const UpdateSourceSchema = CreateSourceSchema.omit({ id: true })
  .partial()
  .extend({ disabled: z.boolean().optional() });
export type UpdateSource = z.infer<typeof UpdateSourceSchema>;
