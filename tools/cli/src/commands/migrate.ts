import { migrate } from '@tessera/db';
import type { Command } from 'commander';
import pg from 'pg';
import type { CliContext } from '../cli-context';
import { usageError } from '../cli-error';
import { splitList } from '../format';

/** A service's Postgres schema and the directory of its NNNN_name.sql files. */
export interface ServiceMigrations {
  schema: string;
  dir: string;
}

/** Services in the order they are migrated (the order the data flows through them). */
export type MigrationCatalogue = ReadonlyArray<{ service: string; migrations: ServiceMigrations }>;

/** `--service ingest,consent` (or repeated) -> the catalogue entries, in catalogue order. */
export function selectServices(catalogue: MigrationCatalogue, requested: string[]): MigrationCatalogue {
  if (requested.length === 0) return catalogue;
  const names = requested.flatMap(splitList);
  const known = new Set(catalogue.map((c) => c.service));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw usageError(`unknown service(s): ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  }
  return catalogue.filter((c) => names.includes(c.service));
}

/** `CREATE DATABASE` takes an identifier, not a parameter: quote it the way Postgres does. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates the database named in `url` when it does not exist, connecting to the `postgres`
 * maintenance database of the same server. Returns whether it had to create it.
 */
export async function ensureDatabase(url: string): Promise<{ database: string; created: boolean }> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), application_name: 'tessera-cli' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount !== 0) return { database, created: false };
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    } catch (err) {
      // Another `tessera migrate --create-database` won the race: the database exists, which is the goal.
      if ((err as { code?: string }).code !== '42P04') throw err;
      return { database, created: false };
    }
    return { database, created: true };
  } finally {
    await client.end();
  }
}

export function registerMigrateCommand(
  program: Command,
  ctx: CliContext,
  catalogue: MigrationCatalogue,
): void {
  program
    .command('migrate')
    .description("apply every service's pending SQL migrations to its own Postgres schema (idempotent)")
    .option(
      '--service <names>',
      `only these services, comma-separated or repeated (${catalogue.map((c) => c.service).join(', ')})`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--create-database', 'create the database named in DATABASE_URL first when it is missing')
    .action(async (opts: { service: string[]; createDatabase?: boolean }) => {
      const selected = selectServices(catalogue, opts.service);
      const url = ctx.config().DATABASE_URL;
      if (opts.createDatabase) {
        const { database, created } = await ensureDatabase(url);
        if (created) ctx.io.out(`created database ${database}`);
      }
      for (const { service, migrations } of selected) {
        const pool = ctx.pool(migrations.schema);
        const { applied } = await migrate(pool, {
          schema: migrations.schema,
          migrationsDir: migrations.dir,
          logger: ctx.logger(),
        });
        ctx.io.out(
          applied.length === 0
            ? `${service} (schema ${migrations.schema}): up to date`
            : `${service} (schema ${migrations.schema}): applied ${applied.join(', ')}`,
        );
      }
    });
}
