import path from 'node:path';

/** Ingest's Postgres schema and migration files, for `migrate()` and `tessera migrate`. */
export const migrations = { schema: 'ingest', dir: path.join(__dirname, '../migrations') } as const;
