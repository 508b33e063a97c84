import { z } from 'zod';
import { IsoDateTimeSchema, UuidSchema } from './common';

export const AuditActionSchema = z.enum([
  'pii.read',
  'profile.export',
  'subject.erasure',
  'subject.rectification',
  'consent.change',
  'key.create',
  'key.revoke',
  'key.rotate',
  'source.change',
  'graph.unmerge',
]);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/**
 * An accountable access or change, published by whichever service performed it. The consent
 * service appends every one to its hash-chained audit log (it owns the log's storage and chain).
 */
export const AuditEventV1Schema = z.object({
  schemaVersion: z.literal(1),
  auditId: UuidSchema,
  service: z.string().min(1).max(64),
  action: AuditActionSchema,
  /** Who: an API key id, `cli:<user>`, or `system:<job>`. */
  actor: z.string().min(1).max(200),
  /** Why: the declared purpose of the access (e.g. `support`, `dsr-export`). */
  purpose: z.string().max(200).optional(),
  subject: z.object({ profileId: UuidSchema.optional(), requestId: UuidSchema.optional() }),
  /** Non-PII details only (field names, counts, ids). */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  at: IsoDateTimeSchema,
});
export type AuditEventV1 = z.infer<typeof AuditEventV1Schema>;
