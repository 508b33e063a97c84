import { z } from 'zod';
import { booleanFromEnv, databaseEnv, httpEnv, kafkaEnv, logEnv, redisEnv, secretEnv } from '@tessera/config';
import { ChannelSchema } from '@tessera/contracts';
import { LocalKeyring } from '@tessera/crypto';
import { isRegion } from '@tessera/identifiers';

/** Every environment variable ingest reads, parsed once. */
export const IngestConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...httpEnv(8080),
  ...logEnv,
  /** HMAC key of identifier blind indexes; must match consent's so suppression hashes agree. */
  IDENTIFIER_HASH_KEY: secretEnv,
  /** How long a `(source, messageId)` is remembered for deduplication. */
  INGEST_DEDUPE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  /** Default per-source limit in events per second (a source row may override it). */
  INGEST_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).default(50_000),
  /**
   * Keys bound to a source id that has no row in `ingest.sources` (e.g. created with
   * `tessera keys create --source`): accepted with the defaults below when true, 403 when false.
   */
  INGEST_ALLOW_UNREGISTERED_SOURCES: booleanFromEnv(true),
  INGEST_DEFAULT_CHANNEL: ChannelSchema.default('web'),
  INGEST_DEFAULT_REGION: z
    .string()
    .refine(isRegion, 'must be an ISO 3166-1 alpha-2 region libphonenumber knows, e.g. US')
    .optional(),
  /** Source rows are cached this long; CLI changes reach running instances within it. */
  INGEST_SOURCE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  INGEST_INTAKE_CONSUMER_GROUP: z.string().min(1).default('ingest-intake'),
  /** Run the Kafka intake consumer in this replica. */
  INGEST_INTAKE_ENABLED: booleanFromEnv(true),
  /**
   * Keyring (`kid:base64key,…`, primary first; `LocalKeyring`) that seals webhook secrets stored
   * with sources (Shopify's client secret). Unset: such secrets can be neither stored nor used.
   */
  INGEST_SECRETS_KEYRING: z.preprocess(
    // docker-compose can only pass an unset variable through as ''.
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .refine((spec) => {
        try {
          LocalKeyring.fromString(spec);
          return true;
        } catch {
          return false;
        }
      }, 'must be kid:base64key[,kid:base64key…] with 32-byte keys')
      .optional(),
  ),
  /** How far SendGrid's signed timestamp may be from now (per-source override in its settings). */
  INGEST_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
});
export type IngestConfig = z.infer<typeof IngestConfigSchema>;
