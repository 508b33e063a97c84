import path from 'node:path';

/** The profile store's Postgres schema and migration files, for `migrate()` and `tessera migrate`. */
export const migrations = { schema: 'profile_store', dir: path.join(__dirname, '../migrations') } as const;
