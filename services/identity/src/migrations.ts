import path from 'node:path';

/** The identity service's Postgres schema and its SQL migrations (for `tessera migrate` and main). */
export const migrations = { schema: 'identity', dir: path.join(__dirname, '../migrations') } as const;
