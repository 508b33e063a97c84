import { createPool, migrate } from '@tessera/db';
import { createTestDatabase, type TestDatabase } from '@tessera/testkit';
import type pg from 'pg';
import { migrations } from '../migrations';

/** A fresh migrated database with a pool on the profile_store schema. */
export async function migratedDatabase(): Promise<{
  db: TestDatabase;
  url: string;
  pool: pg.Pool;
  close(): Promise<void>;
}> {
  const db = await createTestDatabase();
  const pool = createPool({ connectionString: db.url, schema: migrations.schema, max: 5 });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
  return {
    db,
    url: db.url,
    pool,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}
