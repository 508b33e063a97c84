import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafka, type TesseraKafka } from '@tessera/kafka';
import { createTestDatabase, getInfra, testLogger, uniqueName, waitFor } from '@tessera/testkit';
import pg from 'pg';
import { createCliContext } from './cli-context';
import { ExitCodes } from './cli-error';
import type { MigrationCatalogue } from './commands/migrate';
import { createProgram, runCli } from './program';

/**
 * The CLI as operators run it (real commander parsing, real context) against the real broker and
 * Postgres. Every test uses its own topic prefix and database, so the file can run twice in a row.
 */

// Each command joins a consumer group or connects afresh, as a real invocation does.
jest.setTimeout(120_000);

let brokers: string[];
const prefixes: string[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'tessera-cli-'));

beforeAll(async () => {
  brokers = (await getInfra()).kafkaBrokers;
});

afterAll(async () => {
  const kafka = createKafka({ brokers, clientId: 'cli-int-cleanup', logger: testLogger() });
  const admin = kafka.admin();
  for (const prefix of prefixes) {
    await admin.deleteTopicsByPrefix(prefix);
    await admin.deleteGroupsByPrefix(prefix);
  }
  await admin.disconnect();
  rmSync(scratch, { recursive: true, force: true });
});

function newPrefix(): string {
  const prefix = `${uniqueName('cli')}.`;
  prefixes.push(prefix);
  return prefix;
}

async function tessera(args: string[], env: Record<string, string>, migrations: MigrationCatalogue = []) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = createCliContext({
    env: { KAFKA_BROKERS: brokers.join(','), LOG_LEVEL: 'silent', ...env },
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
  });
  const program = createProgram(ctx, { version: '0.0.0-test', migrations, serviceCommands: [] });
  const code = await runCli(program, ['node', 'tessera', ...args], ctx);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function migrationsFixture(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, sql] of Object.entries(files)) writeFileSync(path.join(dir, file), sql);
  return dir;
}

describe('tessera topics (real Kafka)', () => {
  it('topics create should provision every catalogue topic and describe should show their settings', async () => {
    const prefix = newPrefix();
    const created = await tessera(['topics', 'create', '--partitions', '2'], { TOPIC_PREFIX: prefix });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(ExitCodes.ok);

    const described = await tessera(['topics', 'describe', '--json'], { TOPIC_PREFIX: prefix });
    expect(described.code).toBe(ExitCodes.ok);
    const rows = JSON.parse(described.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(12);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: `${prefix}tessera.events.ingested.v1`,
          partitions: 2,
          cleanupPolicy: 'delete',
          retentionMs: String(7 * 86_400_000),
        }),
        expect.objectContaining({
          name: `${prefix}tessera.access.keys.v1`,
          partitions: 1,
          cleanupPolicy: 'compact',
        }),
      ]),
    );
    expect(rows.filter((r) => r.status === 'missing')).toEqual([]);

    // Idempotent: a second create changes nothing and succeeds.
    expect((await tessera(['topics', 'create', '--partitions', '2'], { TOPIC_PREFIX: prefix })).code).toBe(
      ExitCodes.ok,
    );
  });

  it('topics describe --check should fail for a prefix with no topics', async () => {
    const r = await tessera(['topics', 'describe', '--check', '--topics', 'audit'], {
      TOPIC_PREFIX: newPrefix(),
    });
    expect(r.code).toBe(ExitCodes.failure);
    expect(r.stdout).toMatch(/tessera\.audit\.v1\s+audit\s+-\s+-\s+-\s+missing/);
  });

  it('an unreachable broker should end with a readable error, not a hang', async () => {
    const r = await tessera(['topics', 'describe'], {
      KAFKA_BROKERS: '127.0.0.1:1',
      TOPIC_PREFIX: newPrefix(),
    });
    expect(r.code).toBe(ExitCodes.unavailable);
    expect(r.stderr).toMatch(/^error: cannot reach a dependency: .*ECONNREFUSED 127\.0\.0\.1:1/);
  }, 90_000);
});

describe('tessera migrate (real Postgres)', () => {
  it('migrate should apply each service schema once and report up to date after', async () => {
    const db = await createTestDatabase();
    try {
      const catalogue: MigrationCatalogue = [
        {
          service: 'alpha',
          migrations: {
            schema: 'cli_alpha',
            dir: migrationsFixture('alpha', {
              '0001_things.sql': 'CREATE TABLE IF NOT EXISTS things (id text PRIMARY KEY);',
              '0002_more.sql': 'ALTER TABLE things ADD COLUMN IF NOT EXISTS label text;',
            }),
          },
        },
        {
          service: 'beta',
          migrations: {
            schema: 'cli_beta',
            dir: migrationsFixture('beta', {
              '0001_items.sql': 'CREATE TABLE IF NOT EXISTS items (id bigint);',
            }),
          },
        },
      ];
      const first = await tessera(['migrate'], { DATABASE_URL: db.url }, catalogue);
      expect(first.stderr).toBe('');
      expect(first.stdout.split('\n')).toEqual([
        'alpha (schema cli_alpha): applied 0001_things, 0002_more',
        'beta (schema cli_beta): applied 0001_items',
      ]);
      const again = await tessera(['migrate', '--service', 'beta'], { DATABASE_URL: db.url }, catalogue);
      expect(again.stdout).toBe('beta (schema cli_beta): up to date');

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const tables = await client.query<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_schema IN ('cli_alpha', 'cli_beta') AND table_name IN ('things', 'items') ORDER BY 1`,
      );
      await client.end();
      expect(tables.rows).toEqual([
        { table_schema: 'cli_alpha', table_name: 'things' },
        { table_schema: 'cli_beta', table_name: 'items' },
      ]);
    } finally {
      await db.drop();
    }
  });

  it('migrate --create-database should create a missing database first', async () => {
    const db = await createTestDatabase();
    const url = new URL(db.url);
    const fresh = `${url.pathname.slice(1)}_new`.slice(0, 63);
    url.pathname = `/${fresh}`;
    try {
      const catalogue: MigrationCatalogue = [
        {
          service: 'alpha',
          migrations: { schema: 'cli_alpha', dir: migrationsFixture('gamma', { '0001_x.sql': 'SELECT 1;' }) },
        },
      ];
      const r = await tessera(['migrate', '--create-database'], { DATABASE_URL: url.toString() }, catalogue);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')).toEqual([
        `created database ${fresh}`,
        'alpha (schema cli_alpha): applied 0001_x',
      ]);
      const again = await tessera(
        ['migrate', '--create-database'],
        { DATABASE_URL: url.toString() },
        catalogue,
      );
      expect(again.stdout).toBe('alpha (schema cli_alpha): up to date');
    } finally {
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${fresh}" WITH (FORCE)`);
      await admin.end();
      await db.drop();
    }
  });

  it('a failing migration should exit non-zero with its file named', async () => {
    const db = await createTestDatabase();
    try {
      const catalogue: MigrationCatalogue = [
        {
          service: 'alpha',
          migrations: {
            schema: 'cli_bad',
            dir: migrationsFixture('bad', { '0001_bad.sql': 'CREATE TABL oops;' }),
          },
        },
      ];
      const r = await tessera(['migrate'], { DATABASE_URL: db.url }, catalogue);
      expect(r.code).toBe(ExitCodes.failure);
      expect(r.stderr).toMatch(/0001_bad\.sql/);
    } finally {
      await db.drop();
    }
  });
});

describe('tessera keys and dlq (real Kafka)', () => {
  let prefix: string;
  let kafka: TesseraKafka;

  beforeAll(async () => {
    prefix = newPrefix();
    expect((await tessera(['topics', 'create', '--partitions', '1'], { TOPIC_PREFIX: prefix })).code).toBe(
      ExitCodes.ok,
    );
    kafka = createKafka({ brokers, clientId: 'cli-int', topicPrefix: prefix, logger: testLogger() });
  });

  it('keys create, list, rotate and revoke should round-trip through the access-keys topic', async () => {
    const env = { TOPIC_PREFIX: prefix };
    const created = await tessera(
      ['keys', 'create', '--name', 'web', '--scopes', 'ingest:write', '--source', 'dev-web', '--json'],
      env,
    );
    expect(created.stderr).toBe('');
    const key = JSON.parse(created.stdout) as {
      keyId: string;
      token: string;
      scopes: string[];
      sourceId: string;
    };
    expect(key.token).toMatch(new RegExp(`^tsk_${key.keyId}_`));
    expect(key).toMatchObject({ scopes: ['ingest:write'], sourceId: 'dev-web' });
    expect(created.stdout).not.toContain('secretSha256');

    const listed = await tessera(['keys', 'list', '--quiet'], env);
    expect(listed.stdout.split('\n')).toContain(key.keyId);

    const rotated = await tessera(['keys', 'rotate', key.keyId, '--json'], env);
    const next = JSON.parse(rotated.stdout) as { keyId: string; token: string };
    expect(next.keyId).not.toBe(key.keyId);

    const revoked = await tessera(['keys', 'revoke', next.keyId], env);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked key ${next.keyId} \\(web\\) at `));

    const all = await tessera(['keys', 'list', '--all'], env);
    expect(all.stdout).toMatch(
      new RegExp(`${key.keyId}\\s+web\\s+ingest:write\\s+dev-web\\s+\\S+\\s+revoked`),
    );
    expect(all.stdout).toMatch(
      new RegExp(`${next.keyId}\\s+web\\s+ingest:write\\s+dev-web\\s+\\S+\\s+revoked`),
    );
    expect((await tessera(['keys', 'list', '--quiet'], env)).stdout).toBe('');

    const missing = await tessera(['keys', 'revoke', 'nosuchkey0'], env);
    expect(missing.code).toBe(ExitCodes.failure);
    expect(missing.stderr).toBe('error: NOT_FOUND: no API key with id nosuchkey0');
  });

  it('dlq list and replay should show a dead letter and re-publish its original message', async () => {
    const producer = kafka.producer({ name: 'cli-int-dlq' });
    await producer.connect();
    const original = { sourceId: 'dev-web', type: 'track', messageId: uniqueName('m'), event: 'Replayed' };
    await producer.publish('deadLetter', [
      {
        schemaVersion: 1,
        originalTopic: kafka.topic('intake'),
        partition: 0,
        offset: '41',
        consumerGroup: `${prefix}ingest`,
        key: original.messageId,
        value: JSON.stringify(original),
        valueEncoding: 'utf8',
        headers: { 'x-test': 'yes' },
        error: { code: 'UPSTREAM_UNAVAILABLE', message: 'gave up after 5 attempts' },
        attempts: 5,
        failedAt: new Date().toISOString(),
      },
    ]);
    await producer.disconnect();

    const listed = await tessera(['dlq', 'list', '--topic', 'intake'], { TOPIC_PREFIX: prefix });
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toMatch(/UPSTREAM_UNAVAILABLE: gave up after 5 attempts/);
    const entry = /^(\d+:\d+)\s/m.exec(listed.stdout.split('\n')[1] ?? '')?.[1];
    expect(entry).toBeDefined();

    const received: Array<{ value: unknown; headers: Record<string, string> }> = [];
    const consumer = kafka.consumer({
      groupId: uniqueName('cli-int-replay'),
      topics: ['intake'],
      handle: async (messages) => {
        received.push(...messages.map((m) => ({ value: m.value, headers: m.headers })));
      },
    });
    await consumer.start();
    try {
      const replayed = await tessera(['dlq', 'replay', '--entry', entry!], { TOPIC_PREFIX: prefix });
      expect(replayed.stdout).toBe(`replayed 1 message(s) to ${kafka.topic('intake')}`);
      await waitFor(async () => received.length > 0, { timeoutMs: 30_000, message: 'replayed message' });
    } finally {
      await consumer.stop();
    }
    expect(received[0]!.value).toEqual(original);
    expect(received[0]!.headers).toMatchObject({
      'x-test': 'yes',
      'x-tessera-replayed-from': `${kafka.topic('deadLetter')}/${entry!.replace(':', '/')}`,
    });
  });
});
