import { z } from 'zod';
import { IsoDateTimeSchema } from './common';

/** A message some consumer could not process, with the reason. Keyed like the original. */
export const DeadLetterV1Schema = z.object({
  schemaVersion: z.literal(1),
  originalTopic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  consumerGroup: z.string(),
  key: z.string().nullable(),
  /** The original value as UTF-8 text when it decodes, else base64 (see `valueEncoding`). */
  value: z.string().nullable(),
  valueEncoding: z.enum(['utf8', 'base64']),
  headers: z.record(z.string(), z.string()),
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** zod issue paths and messages, when validation failed. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
  attempts: z.number().int().positive(),
  failedAt: IsoDateTimeSchema,
});
export type DeadLetterV1 = z.infer<typeof DeadLetterV1Schema>;
