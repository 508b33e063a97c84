import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv, logEnv, redisEnv, secretEnv } from '@tessera/config';

/** Every environment variable the identity service reads, parsed once. */
export const IdentityConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...httpEnv(8081),
  ...logEnv,
  IDENTIFIER_HASH_KEY: secretEnv,
  /** Hash-tag name of the graph: all its keys share one Redis Cluster slot. One graph per tenant. */
  IDENTITY_GRAPH_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .default('identity'),
  /** Buckets per key family; size for ≤ ~64 identifiers per bucket with Redis' default hash-max-listpack-entries 128 (changing it needs `tessera identity rebuild`). */
  IDENTITY_BUCKETS: z.coerce.number().int().min(1).max(16_777_216).default(16_384),
  /** Optional JSON file overriding the shipped rules (src/rules/identity-rules.ts). */
  IDENTITY_RULES_FILE: z.string().min(1).optional(),
  IDENTITY_CONSUMER_GROUP: z.string().min(1).default('identity'),
  /** Events handed to one graph call. */
  IDENTITY_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  IDENTITY_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(3),
  /**
   * How often the outbox relay looks for splits not yet published. Unmerge publishes right after
   * its commit, so this only bounds how long a failed publish waits for its retry.
   */
  IDENTITY_OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
});
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;
