import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { databaseEnv, kafkaEnv, parseConfig, redisEnv, secretEnv } from '@tessera/config';
import { HashedIdentifierSchema, IdentifierTypeSchema, UuidSchema } from '@tessera/contracts';
import { createIdentifierHasher } from '@tessera/crypto';
import { createPool } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import type { TypedProducer } from '@tessera/kafka';
import { createLogger } from '@tessera/observability';
import type { Logger } from '@tessera/observability';
import type { Publisher } from './features/publisher';
import { createIdentityCore } from './identity-core';
import type { IdentityCore } from './identity-core';
import { migrations } from './migrations';

const CliEnvSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  IDENTIFIER_HASH_KEY: secretEnv.optional(),
  IDENTITY_GRAPH_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .default('identity'),
  IDENTITY_BUCKETS: z.coerce.number().int().min(1).max(16_777_216).default(16_384),
  IDENTITY_RULES_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export interface IdentityCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

/** Refuses to publish: for commands that must not touch Kafka. */
const noPublisher: Publisher = {
  publish: async () => {
    throw new Error('this command does not publish');
  },
  publishTombstone: async () => {
    throw new Error('this command does not publish');
  },
};

/**
 * `tessera identity rebuild | unmerge | lookup`. Each invocation opens only the clients it needs
 * (rebuild and lookup never touch Kafka) and closes them before returning.
 */
export function registerIdentityCommands(program: Command, opts: IdentityCommandOptions = {}): void {
  const out = opts.out ?? ((line: string) => console.log(line));
  const identity = program
    .command('identity')
    .description('identity graph: rebuild from Postgres, unmerge, lookup');

  identity
    .command('rebuild')
    .description(
      'delete the Redis identity graph and rebuild it from the durable copy in Postgres (stop identity consumers first)',
    )
    .action(async () => {
      await withCore(opts.env, false, async (core) => {
        const result = await core.rebuild();
        out(JSON.stringify(result));
      });
    });

  identity
    .command('unmerge')
    .description(
      'remove a wrong link: split the profile into the components its evidence supports and quarantine the identifier',
    )
    .requiredOption('--profile <id>', 'profile id')
    .requiredOption('--identifier-type <type>', 'type of the identifier to remove')
    .requiredOption(
      '--identifier-hash <hash>',
      'keyed hash of the identifier (as shown by GET /v1/profiles/{id}/merges)',
    )
    .requiredOption('--reason <text>', 'why (recorded and audited)')
    .option('--actor <name>', 'who (default: cli:<os user>)')
    .action(
      async (o: {
        profile: string;
        identifierType: string;
        identifierHash: string;
        reason: string;
        actor?: string;
      }) => {
        const profileId = UuidSchema.parse(o.profile);
        const identifier = HashedIdentifierSchema.parse({ type: o.identifierType, hash: o.identifierHash });
        await withCore(opts.env, true, async (core) => {
          const split = await core.unmerge.unmerge({
            profileId,
            identifier,
            reason: o.reason,
            actor: o.actor ?? `cli:${userInfo().username}`,
          });
          out(JSON.stringify(split, null, 2));
        });
      },
    );

  identity
    .command('lookup')
    .description(
      'the profile an identifier resolves to (by raw value, hashed locally with IDENTIFIER_HASH_KEY, or by hash)',
    )
    .requiredOption('--type <type>', 'identifier type')
    .option('--value <value>', 'normalized value (needs IDENTIFIER_HASH_KEY)')
    .option('--hash <hash>', 'keyed hash')
    .action(async (o: { type: string; value?: string; hash?: string }) => {
      const type = IdentifierTypeSchema.parse(o.type);
      const config = parseConfig(CliEnvSchema, opts.env ?? process.env);
      let hash = o.hash;
      if (hash === undefined) {
        if (o.value === undefined) throw new Error('give --value or --hash');
        if (config.IDENTIFIER_HASH_KEY === undefined)
          throw new Error('IDENTIFIER_HASH_KEY is required to look up by value');
        hash = createIdentifierHasher(config.IDENTIFIER_HASH_KEY)(type, o.value);
      }
      const lookupHash = hash;
      await withCore(opts.env, false, async (core) => {
        const [profileId] = await core.graph.lookup([lookupHash]);
        out(JSON.stringify({ type, hash: lookupHash, profileId: profileId ?? null }));
      });
    });
}

async function withCore(
  env: NodeJS.ProcessEnv | undefined,
  publishes: boolean,
  fn: (core: IdentityCore) => Promise<void>,
): Promise<void> {
  const config = parseConfig(CliEnvSchema, env ?? process.env);
  const logger: Logger = createLogger({
    name: 'tessera-identity-cli',
    level: config.LOG_LEVEL,
    destination: process.stderr,
  });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: 4,
    logger,
  });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  let producer: TypedProducer | undefined;
  try {
    if (publishes) {
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: 'tessera-cli-identity',
        topicPrefix: config.TOPIC_PREFIX,
        logger,
      });
      producer = kafka.producer({ name: 'identity-cli' });
      await producer.connect();
    }
    const core = createIdentityCore(
      {
        // Only lookups by raw value need the key; the graph and rebuild work on hashes.
        IDENTIFIER_HASH_KEY: config.IDENTIFIER_HASH_KEY ?? 'cli-without-hash-key-does-not-hash-values',
        REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
        IDENTITY_GRAPH_NAME: config.IDENTITY_GRAPH_NAME,
        IDENTITY_BUCKETS: config.IDENTITY_BUCKETS,
        IDENTITY_RULES_FILE: config.IDENTITY_RULES_FILE,
      },
      { pool, redis, publisher: producer ?? noPublisher, logger },
    );
    await fn(core);
  } finally {
    await producer?.disconnect();
    await pool.end();
    await redis.quit();
  }
}
