import { createTestDatabase, testLogger, waitFor, type TestDatabase } from '@tessera/testkit';
import type pg from 'pg';
import { createPool } from './pool';
import { createStatisticsKeeper } from './statistics-keeper';

describe('statistics keeper', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool({ connectionString: database.url, schema: 'keeper', max: 2 });
    await pool.query('CREATE SCHEMA keeper');
    // Ten rows per profile, looked up by a non-unique index (like activation members or trait
    // observations): the case where a missing estimate turns into a scan of the whole table.
    await pool.query(
      'CREATE TABLE keeper.members (id integer PRIMARY KEY, profile_id integer NOT NULL, payload text NOT NULL)',
    );
    await pool.query('CREATE INDEX members_profile ON keeper.members (profile_id)');
    await pool.query(
      "INSERT INTO keeper.members SELECT i, i % 5000, repeat('x', 200) FROM generate_series(1, 50000) AS i",
    );
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const planOf = async (ids: number[]) => {
    const { rows } = await pool.query<Record<string, string>>(
      `EXPLAIN (FORMAT TEXT) SELECT * FROM members WHERE profile_id = ANY('{${ids.join(',')}}'::int[])`,
    );
    return rows.map((r) => Object.values(r)[0]).join('\n');
  };

  it('should analyze changed tables while autovacuum is off, and leave them to autovacuum otherwise', async () => {
    const keeper = createStatisticsKeeper({ pool, schema: 'keeper', logger: testLogger() });
    const { rows } = await pool.query<{ on: boolean }>("SELECT current_setting('autovacuum') = 'on' AS on");
    if (rows[0]!.on) {
      expect(await keeper.runOnce()).toEqual([]);
      return;
    }
    const batch = Array.from({ length: 300 }, (_, i) => i * 13 + 1);
    const planBefore = await planOf(batch);
    // Row-change counters reach the statistics views within a second or so of the commit.
    const analyzed = await waitFor(async () => {
      const tables = await keeper.runOnce();
      return tables.length > 0 ? tables : undefined;
    });
    expect(analyzed).toEqual(['keeper.members']);
    const { rows: stats } = await pool.query<{ reltuples: number }>(
      "SELECT reltuples FROM pg_class WHERE oid = 'keeper.members'::regclass",
    );
    expect(stats[0]!.reltuples).toBe(50000);
    // The batch lookup the services run: before, a scan of the whole table; now the index.
    expect(planBefore).toMatch(/Seq Scan on members/);
    expect(await planOf(batch)).toMatch(
      /Index Scan using members_profile|Bitmap Index Scan on members_profile/,
    );
    // Nothing changed since: nothing to do; a large change is analyzed again.
    expect(await keeper.runOnce()).toEqual([]);
    await pool.query("UPDATE keeper.members SET payload = 'y' WHERE id <= 6000");
    expect(
      await waitFor(async () => {
        const tables = await keeper.runOnce();
        return tables.length > 0 ? tables : undefined;
      }),
    ).toEqual(['keeper.members']);
  });
});
