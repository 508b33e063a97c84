import { createPool, migrate } from '@tessera/db';
import { createTestDatabase, type TestDatabase } from '@tessera/testkit';
import type pg from 'pg';
import { migrations } from '../migrations';
import { createProfileStoreCore, type ProfileStoreCore } from '../profile-store-core';
import { testSettings } from './fixtures';

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

/**
 * A suite on its own migrated database with a store core over it: registers the beforeAll that
 * creates them and the afterAll that drops them. Read `pool` and `core` inside tests and hooks.
 */
export function useMigratedCore(): { readonly pool: pg.Pool; readonly core: ProfileStoreCore } {
  let state: { pool: pg.Pool; core: ProfileStoreCore; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    const { pool, close } = await migratedDatabase();
    state = { pool, core: createProfileStoreCore(testSettings, pool), close };
  });
  afterAll(async () => state?.close());
  const current = () => {
    if (!state) throw new Error('useMigratedCore: read pool and core inside tests, after beforeAll');
    return state;
  };
  return {
    get pool() {
      return current().pool;
    },
    get core() {
      return current().core;
    },
  };
}
