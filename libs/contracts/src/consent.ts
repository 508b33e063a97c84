import { z } from 'zod';

/** Default processing purposes; deployments may configure more (any snake_case name). */
export const DefaultPurposes = [
  'email_marketing',
  'sms_marketing',
  'analytics',
  'personalization',
  'advertising',
  'sale_sharing',
] as const;
export const PurposeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);
export type Purpose = z.infer<typeof PurposeSchema>;

export const ConsentStatusSchema = z.enum(['granted', 'denied', 'withdrawn']);
export type ConsentStatus = z.infer<typeof ConsentStatusSchema>;

/** The derived state per purpose that travels with profiles; `unknown` means no record. */
export const ConsentStateSchema = z.record(z.string(), z.enum(['granted', 'denied', 'withdrawn', 'unknown']));
export type ConsentState = z.infer<typeof ConsentStateSchema>;

/**
 * A consent signal observed on an event (ESP unsubscribe, spam report, GPC, CMP update).
 * Ingest attaches it; the consent service turns it into ledger records.
 */
export const ConsentSignalSchema = z.object({
  purpose: PurposeSchema,
  status: ConsentStatusSchema,
  /** What produced the signal, e.g. `gpc`, `esp_unsubscribe`, `esp_spamreport`, `cmp`. */
  reason: z.string().min(1).max(64),
  legalBasis: z.string().max(64).optional(),
  jurisdiction: z.string().max(16).optional(),
});
export type ConsentSignal = z.infer<typeof ConsentSignalSchema>;
