import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv, logEnv, secretEnv } from '@tessera/config';

/** Every environment variable the profile store reads, parsed once. */
export const ProfileStoreConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...httpEnv(8082),
  ...logEnv,
  IDENTIFIER_HASH_KEY: secretEnv,
  /** `keyId:base64,...`, primary first; older keys stay for decryption until `tessera profiles reencrypt`. */
  PII_KEYRING: z.string().min(1),
  PROFILE_STORE_CONSUMER_GROUP: z.string().min(1).default('profile-store'),
  PROFILE_STORE_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(1000),
  /**
   * Partitions of events.resolved (12) handled at once. KafkaJS fetches all of a consumer's
   * partitions together and fetches again only when every batch of the fetch is done, so with
   * fewer slots than partitions the batches go in waves and an event waits for the waves before
   * its own: at 3, the e2e bench's p99 freshness at 2,000 events/s was 1.2-1.4 s, at 12 it was
   * 0.3 s, and the ingestion bench went from ~9,500 to ~10,500 events/s (Postgres does more work
   * in parallel; transactions beyond DATABASE_POOL_SIZE wait for a connection, which bounds it).
   */
  PROFILE_STORE_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(12),
  /** Connections for the API's reads and audit commits, besides DATABASE_POOL_SIZE for the rest. */
  PROFILE_STORE_API_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  /** Revenue is summed in this currency only (orders in others are counted, not converted). */
  REPORTING_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  /** Scheduled jobs: CLV refit and RFM rescoring interval; 0 disables them in this replica. */
  SCORING_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(1440),
  CLV_HORIZON_WEEKS: z.coerce.number().int().min(1).max(520).default(52),
  OUTBOX_POLL_MS: z.coerce.number().int().min(5).max(10_000).default(100),
  /** Personal golden values kept opened (at most 10 minutes) for change-feed messages; 0 = off. */
  PII_FEED_CACHE_ENTRIES: z.coerce.number().int().min(0).max(5_000_000).default(50_000),
});
export type ProfileStoreConfig = z.infer<typeof ProfileStoreConfigSchema>;
