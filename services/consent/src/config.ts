import { z } from 'zod';
import { commaList, databaseEnv, httpEnv, kafkaEnv, logEnv, secretEnv } from '@tessera/config';
import { DefaultPurposes } from '@tessera/contracts';

/** Every environment variable the consent service reads, parsed once. */
export const ConsentConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...httpEnv(8083),
  ...logEnv,
  IDENTIFIER_HASH_KEY: secretEnv,
  /** `keyId:base64,...`, primary first; seals DSR personal data and export bundles. */
  PII_KEYRING: z.string().min(1),
  /** Signs audit purge checkpoints (HMAC). */
  AUDIT_SIGNING_KEY: secretEnv,
  /** Purposes in addition to the defaults (snake_case). */
  CONSENT_EXTRA_PURPOSES: commaList.optional(),
  /** Purposes under an opt-out regime (CCPA sale/sharing): no record means permitted. */
  CONSENT_OPT_OUT_PURPOSES: commaList.default(['sale_sharing']),
  /** JSON file of destinations ({ destinations: [{ name, requiredPurposes, allowedTraits }] }). */
  DESTINATIONS_FILE: z.string().min(1).optional(),
  CONSENT_CONSUMER_GROUP: z.string().min(1).default('consent'),
  PROFILE_STORE_URL: z.url().default('http://127.0.0.1:8082'),
  IDENTITY_URL: z.url().default('http://127.0.0.1:8081'),
  /** An API key with privacy:admin for profile-store's export endpoint (DSR access and erasure planning). */
  PRIVACY_ADMIN_TOKEN: z.string().min(1),
  /** Services that must confirm an erasure (privacy status topic `service` names). */
  DSR_REQUIRED_SERVICES: commaList.default(['identity', 'profile-store']),
  DSR_RESEND_AFTER_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  DSR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  DSR_RESUME_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  /** Audit entries older than this are purged (whole prefixes, leaving a signed checkpoint). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  AUDIT_PURGE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(60 * 60_000),
  /** How often expiring grants and scheduled records are re-derived. */
  CONSENT_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
});
export type ConsentConfig = z.infer<typeof ConsentConfigSchema>;

/** Configured purposes: the defaults plus any extra ones. */
export function purposesOf(config: Pick<ConsentConfig, 'CONSENT_EXTRA_PURPOSES'>): string[] {
  return [...new Set([...DefaultPurposes, ...(config.CONSENT_EXTRA_PURPOSES ?? [])])];
}
