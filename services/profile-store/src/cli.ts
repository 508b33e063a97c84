import type { Command } from 'commander';
import { z } from 'zod';
import { databaseEnv, parseConfig, secretEnv } from '@tessera/config';
import { LocalKeyring } from '@tessera/crypto';
import { createPool } from '@tessera/db';
import type pg from 'pg';
import { refitClv, rescoreRfm } from './features/computed/scoring-jobs';
import { ensurePartitions } from './features/computed/scheduled-jobs';
import { reencryptAll } from './features/profiles/reencrypt';
import { migrations } from './migrations';
import { createProfileStoreCore, type ProfileStoreCore } from './profile-store-core';

const CliEnvSchema = z.object({
  ...databaseEnv,
  IDENTIFIER_HASH_KEY: secretEnv,
  PII_KEYRING: z.string().min(1),
  REPORTING_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
});

export interface ProfileStoreCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

/**
 * `tessera profiles refit-clv | rescore-rfm | reencrypt | partitions`: the scheduled jobs on demand
 * and key rotation. Change-feed messages the jobs produce go through the outbox, so the running
 * service's relay publishes them; the CLI needs no Kafka.
 */
export function registerProfileStoreCommands(program: Command, opts: ProfileStoreCommandOptions = {}): void {
  const out = opts.out ?? ((line: string) => console.log(line));
  const profiles = program
    .command('profiles')
    .description('profile store: CLV/RFM jobs, key rotation, partitions');

  const run = async <T>(
    fn: (core: ProfileStoreCore, pool: pg.Pool, env: z.infer<typeof CliEnvSchema>) => Promise<T>,
  ) => {
    const env = parseConfig(CliEnvSchema, opts.env ?? process.env);
    const pool = createPool({
      connectionString: env.DATABASE_URL,
      schema: migrations.schema,
      max: 4,
      applicationName: 'tessera-cli',
    });
    try {
      out(JSON.stringify(await fn(createProfileStoreCore(env, pool), pool, env)));
    } finally {
      await pool.end();
    }
  };

  profiles
    .command('refit-clv')
    .description('refit BG/NBD + Gamma-Gamma on the store orders and rescore every customer')
    .option('--horizon-weeks <n>', 'prediction horizon in weeks', '52')
    .option('--calibration-end <iso>', 'ignore orders after this instant (default: now)')
    .action(async (o: { horizonWeeks: string; calibrationEnd?: string }) => {
      const horizonWeeks = z.coerce.number().int().min(1).max(520).parse(o.horizonWeeks);
      const calibrationEnd =
        o.calibrationEnd === undefined
          ? undefined
          : new Date(z.iso.datetime({ offset: true }).parse(o.calibrationEnd));
      await run((core) => refitClv(core, { horizonWeeks, ...(calibrationEnd ? { calibrationEnd } : {}) }));
    });

  profiles
    .command('rescore-rfm')
    .description('recompute RFM quintile scores against the current distribution')
    .action(async () => run(async (core) => ({ profiles: await rescoreRfm(core) })));

  profiles
    .command('reencrypt')
    .description('re-wrap sealed identities and traits under the primary key of PII_KEYRING (key rotation)')
    .action(async () =>
      run((core, pool, env) =>
        reencryptAll(pool, core.vault, LocalKeyring.fromString(env.PII_KEYRING).primaryKeyId),
      ),
    );

  profiles
    .command('partitions')
    .description('create the monthly event partitions for the coming months')
    .option('--months <n>', 'months ahead', '3')
    .action(async (o: { months: string }) =>
      run(async (_core, pool) => ({
        created: await ensurePartitions(pool, z.coerce.number().int().min(1).max(36).parse(o.months)),
      })),
    );
}
