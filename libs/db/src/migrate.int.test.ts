import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@tessera/testkit';
import type pg from 'pg';
import { migrate } from './migrate';
import { createPool } from './pool';
import { withTransaction } from './transaction';

interface TestDb {
  pools: pg.Pool[];
  pool(schema: string): pg.Pool;
  dir: string;
  write(file: string, sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** Its own database and migrations directory per test. */
async function createDb(): Promise<TestDb> {
  const database = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-migrations-'));
  const pools: pg.Pool[] = [];
  return {
    pools,
    dir,
    pool(schema) {
      const pool = createPool({ connectionString: database.url, schema, max: 3 });
      pools.push(pool);
      return pool;
    },
    write: (file, sql) => writeFile(path.join(dir, file), sql),
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      await rm(dir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

describe('migrate', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await createDb();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('should apply migrations in order once and be a no-op when re-run', async () => {
    await db.write('0001_create_people.sql', 'CREATE TABLE people (id bigint PRIMARY KEY, note text);');
    await db.write(
      '0002_add_column.sql',
      'ALTER TABLE people ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();',
    );
    const pool = db.pool('svc');
    expect(await migrate(pool, { schema: 'svc', migrationsDir: db.dir })).toEqual({
      applied: ['0001_create_people', '0002_add_column'],
    });
    expect(await migrate(pool, { schema: 'svc', migrationsDir: db.dir })).toEqual({ applied: [] });

    const { rows } = await pool.query<{ version: string; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM svc.schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => [r.version, r.name])).toEqual([
      ['0001', 'create_people'],
      ['0002', 'add_column'],
    ]);
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    // The pool's search_path reaches the schema without qualification.
    await pool.query('INSERT INTO people (id) VALUES (1)');
    expect((await pool.query('SELECT count(*)::int AS n FROM svc.people')).rows[0]).toEqual({ n: 1 });
  });

  it('should apply only new migrations added later', async () => {
    await db.write('0001_a.sql', 'CREATE TABLE a (x int);');
    const pool = db.pool('svc');
    await migrate(pool, { schema: 'svc', migrationsDir: db.dir });
    await db.write('0002_b.sql', 'CREATE TABLE b (x int);');
    expect(await migrate(pool, { schema: 'svc', migrationsDir: db.dir })).toEqual({ applied: ['0002_b'] });
  });

  it('should refuse to run when an applied migration was changed', async () => {
    await db.write('0001_a.sql', 'CREATE TABLE a (x int);');
    const pool = db.pool('svc');
    await migrate(pool, { schema: 'svc', migrationsDir: db.dir });
    await db.write('0001_a.sql', 'CREATE TABLE a (x bigint);');
    await db.write('0002_b.sql', 'CREATE TABLE b (x int);');
    await expect(migrate(pool, { schema: 'svc', migrationsDir: db.dir })).rejects.toThrow(
      /0001_a\.sql was changed after it was applied/,
    );
    const tables = await pool.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'svc' AND table_name = 'b'",
    );
    expect(tables.rowCount).toBe(0);
  });

  it('should roll back a failing migration entirely and leave it unrecorded', async () => {
    await db.write('0001_a.sql', 'CREATE TABLE a (x int);');
    await db.write('0002_broken.sql', 'CREATE TABLE half (x int);\nSELECT * FROM no_such_table;');
    const pool = db.pool('svc');
    await expect(migrate(pool, { schema: 'svc', migrationsDir: db.dir })).rejects.toThrow(
      /migration 0002_broken\.sql failed on schema "svc": relation "no_such_table" does not exist/,
    );
    const recorded = await pool.query<{ version: string }>('SELECT version FROM svc.schema_migrations');
    expect(recorded.rows.map((r) => r.version)).toEqual(['0001']);
    const half = await pool.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'svc' AND table_name = 'half'",
    );
    expect(half.rowCount).toBe(0);
    // Fixing the file lets the next run continue where it stopped.
    await db.write('0002_broken.sql', 'CREATE TABLE half (x int);');
    expect(await migrate(pool, { schema: 'svc', migrationsDir: db.dir })).toEqual({
      applied: ['0002_broken'],
    });
  });

  it('should run no-transaction migrations statement by statement', async () => {
    await db.write('0001_a.sql', 'CREATE TABLE a (x int);');
    await db.write(
      '0002_index.sql',
      '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_x_idx ON a (x);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_x2_idx ON a ((x * 2));\n',
    );
    const pool = db.pool('svc');
    expect(await migrate(pool, { schema: 'svc', migrationsDir: db.dir })).toEqual({
      applied: ['0001_a', '0002_index'],
    });
    const indexes = await pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'svc' ORDER BY indexname",
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['a_x_idx', 'a_x2_idx']));
  });

  it('should serialize concurrent runs so each migration is applied once', async () => {
    await db.write('0001_a.sql', 'CREATE TABLE a (x int);\nSELECT pg_sleep(0.3);');
    await db.write('0002_b.sql', 'CREATE TABLE b (x int);');
    const [first, second] = await Promise.all([
      migrate(db.pool('svc'), { schema: 'svc', migrationsDir: db.dir }),
      migrate(db.pool('svc'), { schema: 'svc', migrationsDir: db.dir }),
    ]);
    expect([first.applied, second.applied].sort((a, b) => b.length - a.length)).toEqual([
      ['0001_a', '0002_b'],
      [],
    ]);
  });

  it('should refuse an invalid schema name and misnamed files', async () => {
    const pool = db.pool('svc');
    await expect(migrate(pool, { schema: 'Bad-Schema', migrationsDir: db.dir })).rejects.toThrow(
      /invalid schema name/,
    );
    await db.write('create_things.sql', 'SELECT 1;');
    await expect(migrate(pool, { schema: 'svc', migrationsDir: db.dir })).rejects.toThrow(
      /not named NNNN_name\.sql/,
    );
  });
});

describe('withTransaction', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await createDb();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('should commit on success and roll back on error, releasing the client either way', async () => {
    const pool = db.pool('public');
    await pool.query('CREATE TABLE t (x int)');
    await withTransaction(pool, async (client) => {
      await client.query('INSERT INTO t VALUES (1)');
    });
    await expect(
      withTransaction(pool, async (client) => {
        await client.query('INSERT INTO t VALUES (2)');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await pool.query('SELECT x FROM t')).rows).toEqual([{ x: 1 }]);
    expect(pool.idleCount + pool.waitingCount).toBe(pool.totalCount);
    expect(pool.waitingCount).toBe(0);
  });

  it('should turn an unreachable database into a retryable error', async () => {
    const pool = createPool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      schema: 'svc',
      connectionTimeoutMs: 2000,
    });
    db.pools.push(pool);
    await expect(withTransaction(pool, async () => undefined)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
  });
});
