import path from 'node:path';

/** The consent service's Postgres schema and its SQL migrations (for `migrate` and `tessera migrate`). */
export const migrations = { schema: 'consent', dir: path.join(__dirname, '../migrations') } as const;
