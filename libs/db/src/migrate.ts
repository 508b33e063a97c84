import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@tessera/observability';
import type pg from 'pg';
import { assertSchemaName, quoteIdent } from './identifiers';
import { splitSqlStatements } from './sql-split';

export interface MigrateOptions {
  schema: string;
  migrationsDir: string;
  logger?: Logger;
}

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
  sql: string;
  checksum: string;
  transactional: boolean;
}

const FILE_PATTERN = /^(\d{4,})_([a-z0-9][a-z0-9_-]*)\.sql$/;
const NO_TRANSACTION_MARKER = /^--\s*migrate:no-transaction\s*$/m;

/** Thrown when migrations cannot be applied safely; the message says what to fix. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Line endings are normalized first so a checkout with CRLF does not look like an edit. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads `NNNN_name.sql` files in version order; refuses misnamed files and duplicate versions. */
export async function loadMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Map<string, string>();
  const files: MigrationFile[] = [];
  for (const file of entries) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`migration file "${file}" in ${dir} is not named NNNN_name.sql`);
    const [, version, name] = match as unknown as [string, string, string];
    const clash = seen.get(version);
    if (clash)
      throw new MigrationError(`migrations "${clash}" and "${file}" in ${dir} share version ${version}`);
    seen.set(version, file);
    const sql = await readFile(path.join(dir, file), 'utf8');
    files.push({
      version,
      name,
      file,
      sql,
      checksum: migrationChecksum(sql),
      transactional: !NO_TRANSACTION_MARKER.test(sql),
    });
  }
  return files;
}

/**
 * Creates the schema and `<schema>.schema_migrations`, then applies pending migrations in order.
 * Runs under a session advisory lock per schema, so N replicas starting together apply each
 * migration once (the others wait, then find nothing to do). Refuses to run when an applied
 * migration's file changed: editing history silently diverges databases.
 */
export async function migrate(pool: pg.Pool, opts: MigrateOptions): Promise<{ applied: string[] }> {
  const schema = assertSchemaName(opts.schema);
  const files = await loadMigrations(opts.migrationsDir);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await acquireLock(client, schema, opts.logger);
    let result: { applied: string[] };
    try {
      result = await migrateLocked(client, schema, files, opts.logger);
    } catch (err) {
      // The client is destroyed below, which frees the lock even if this unlock cannot run.
      await client.query(UNLOCK, [schema]).catch(() => undefined);
      throw err;
    }
    await client.query(UNLOCK, [schema]);
    return result;
  } catch (err) {
    broken = err instanceof Error ? err : undefined;
    throw err;
  } finally {
    // A client that failed mid-migration may hold session state; discard it rather than reuse.
    client.release(broken);
  }
}

const TRY_LOCK = `SELECT pg_try_advisory_lock(hashtext('tessera.migrate.' || $1::text)) AS locked`;
const LOCK = `SELECT pg_advisory_lock(hashtext('tessera.migrate.' || $1::text))`;
const UNLOCK = `SELECT pg_advisory_unlock(hashtext('tessera.migrate.' || $1::text))`;

async function acquireLock(client: pg.PoolClient, schema: string, logger: Logger | undefined): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK, [schema]);
  if (rows[0]?.locked) return;
  logger?.info({ schema }, 'another instance is migrating; waiting for it');
  await client.query(LOCK, [schema]);
}

async function migrateLocked(
  client: pg.PoolClient,
  schema: string,
  files: MigrationFile[],
  logger: Logger | undefined,
): Promise<{ applied: string[] }> {
  const table = `${quoteIdent(schema)}.schema_migrations`;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       version text PRIMARY KEY,
       name text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now(),
       checksum text NOT NULL
     )`,
  );
  const { rows } = await client.query<{ version: string; name: string; checksum: string }>(
    `SELECT version, name, checksum FROM ${table}`,
  );
  const appliedByVersion = new Map(rows.map((row) => [row.version, row]));

  for (const file of files) {
    const applied = appliedByVersion.get(file.version);
    if (applied && applied.checksum !== file.checksum) {
      throw new MigrationError(
        `migration ${file.file} was changed after it was applied to schema "${schema}" ` +
          `(checksum ${applied.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk); ` +
          `restore the original file and add a new migration instead`,
      );
    }
  }
  const known = new Set(files.map((f) => f.version));
  const unknown = rows.filter((row) => !known.has(row.version)).map((row) => row.version);
  if (unknown.length > 0) {
    // An older build running against a newer schema (rollback): expand/contract keeps that safe.
    logger?.warn({ schema, versions: unknown }, 'database has migrations this build does not know');
  }

  const appliedNow: string[] = [];
  for (const file of files) {
    if (appliedByVersion.has(file.version)) continue;
    const startedAt = Date.now();
    try {
      if (file.transactional) await applyInTransaction(client, schema, table, file);
      else await applyWithoutTransaction(client, schema, table, file);
    } catch (err) {
      throw new MigrationError(
        `migration ${file.file} failed on schema "${schema}": ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    appliedNow.push(`${file.version}_${file.name}`);
    logger?.info({ schema, migration: file.file, durationMs: Date.now() - startedAt }, 'migration applied');
  }
  return { applied: appliedNow };
}

async function applyInTransaction(client: pg.PoolClient, schema: string, table: string, file: MigrationFile) {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}, public`);
    await client.query(file.sql);
    await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
      file.version,
      file.name,
      file.checksum,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Statement by statement in autocommit mode. A failure part-way leaves earlier statements in
 * place and the migration unrecorded, so such files must be idempotent (`IF NOT EXISTS`).
 */
async function applyWithoutTransaction(
  client: pg.PoolClient,
  schema: string,
  table: string,
  file: MigrationFile,
) {
  await client.query(`SET search_path TO ${quoteIdent(schema)}, public`);
  try {
    for (const statement of splitSqlStatements(file.sql)) await client.query(statement);
    await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
      file.version,
      file.name,
      file.checksum,
    ]);
  } finally {
    await client.query('RESET search_path');
  }
}
