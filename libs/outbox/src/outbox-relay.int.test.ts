import { AppError, uuidv7, type PrivacyStatusV1, type TopicId, type TopicMessage } from '@tessera/contracts';
import { createPool, withTransaction } from '@tessera/db';
import type { TypedProducer } from '@tessera/kafka';
import {
  collectMessages,
  createTestDatabase,
  createTestKafka,
  testLogger,
  waitFor,
  type TestDatabase,
  type TestKafka,
} from '@tessera/testkit';
import type pg from 'pg';
import { createOutboxRelay, type OutboxPublisher } from './outbox-relay';
import { enqueueOutbox } from './outbox-writer';

// Profile-store's own outbox tests (services/profile-store/src/features/outbox) cover crashes
// around the publish, concurrent relays and tombstones on its table; these cover what the library
// adds for every service: a table of its own in a schema of its own, validation before commit,
// the publish hook, and a run the topic refuses being set aside.

let db: TestDatabase;
let pool: pg.Pool;
let tk: TestKafka;
let producer: TypedProducer;
const logger = testLogger('outbox');
const location = { schema: 'svc', table: 'messages' };

beforeAll(async () => {
  db = await createTestDatabase();
  // Another schema first on the search_path: only the schema-qualified name reaches the table.
  pool = createPool({ connectionString: db.url, schema: 'other', max: 4 });
  await pool.query(`CREATE SCHEMA other; CREATE SCHEMA svc;
    CREATE TABLE svc.messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic text NOT NULL, key text NOT NULL,
      payload jsonb, created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz,
      failed_reason text)`);
  tk = await createTestKafka({ topics: ['privacyStatus'] });
  producer = tk.kafka.producer({ name: 'outbox-lib-test' });
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await tk.cleanup();
  await pool.end();
  await db.drop();
});

const status = (service = 'svc'): PrivacyStatusV1 => ({
  schemaVersion: 1,
  requestId: uuidv7(),
  service,
  status: 'done',
  details: { residue: 0 },
  at: new Date().toISOString(),
});

/** A relay of the svc.messages table through the real producer; `options` override the defaults. */
const svcRelay = (options: Partial<Parameters<typeof createOutboxRelay>[0]> = {}) =>
  createOutboxRelay({ pool, publisher: producer, logger, ...location, ...options });

describe('@tessera/outbox', () => {
  it('should relay committed messages from a table of its own, once, keyed by the catalogue, keeping them marked when asked to', async () => {
    const published: number[] = [];
    const relay = svcRelay({ retainPublishedMs: 60_000, onPublished: (n) => published.push(n) });
    const messages = [status(), status()];
    await withTransaction(pool, (tx) =>
      enqueueOutbox(
        tx,
        messages.map((payload) => ({ topic: 'privacyStatus', payload })),
        location,
      ),
    );
    expect(await relay.pending()).toBe(2);
    expect(await relay.relayOnce()).toBe(2);
    expect(await relay.relayOnce()).toBe(0);
    expect(await relay.pending()).toBe(0);
    expect(published).toEqual([2]);
    const { rows } = await pool.query<{ key: string }>(
      'SELECT key FROM svc.messages WHERE published_at IS NOT NULL ORDER BY id',
    );
    expect(rows.map((r) => r.key)).toEqual(messages.map((m) => m.requestId));
    const seen = await collectMessages(tk.kafka, 'privacyStatus', {
      until: (m) => messages.every((s) => m.some((x) => x.key === s.requestId)),
    });
    for (const s of messages) expect(seen.filter((m) => m.key === s.requestId)).toHaveLength(1);
  });

  it('should delete what it published in the same transaction by default', async () => {
    const relay = svcRelay();
    const message = status();
    await withTransaction(pool, (tx) =>
      enqueueOutbox(tx, [{ topic: 'privacyStatus', payload: message }], location),
    );
    expect(await relay.relayOnce()).toBe(1);
    const { rows } = await pool.query('SELECT id FROM svc.messages WHERE key = $1', [message.requestId]);
    expect(rows).toEqual([]);
    const seen = await collectMessages(tk.kafka, 'privacyStatus', {
      until: (m) => m.some((x) => x.key === message.requestId),
    });
    expect(seen.filter((m) => m.key === message.requestId)).toHaveLength(1);
  });

  it('should run a round as soon as it is nudged instead of at its next idle poll', async () => {
    const published: number[] = [];
    const relay = svcRelay({ idleMs: 60_000, onPublished: (n) => published.push(n) });
    relay.start();
    try {
      // The first round publishes whatever is pending and the loop then sleeps for a minute.
      await waitFor(
        async () =>
          (
            await pool.query(
              'SELECT 1 FROM svc.messages WHERE published_at IS NULL AND failed_reason IS NULL',
            )
          ).rows.length === 0,
      );
      await new Promise((r) => setTimeout(r, 200));
      const message = status();
      await withTransaction(pool, (tx) =>
        enqueueOutbox(tx, [{ topic: 'privacyStatus', payload: message }], location),
      );
      relay.nudge();
      await waitFor(
        async () =>
          (await pool.query('SELECT 1 FROM svc.messages WHERE key = $1', [message.requestId])).rows.length ===
          0,
        { timeoutMs: 5_000 },
      );
      expect(published.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    } finally {
      await relay.stop();
    }
  });

  it('should refuse a message its topic would reject before the transaction commits', async () => {
    const bad = { ...status(), status: 'maybe' } as unknown as PrivacyStatusV1;
    const before = await pool.query('SELECT count(*)::int AS n FROM svc.messages');
    await expect(
      withTransaction(pool, (tx) =>
        enqueueOutbox(
          tx,
          [
            { topic: 'privacyStatus', payload: status() },
            { topic: 'privacyStatus', payload: bad },
          ],
          location,
        ),
      ),
    ).rejects.toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    await expect(
      enqueueOutbox(pool, [{ topic: 'privacyStatus', key: 'k', payload: null }], location),
    ).rejects.toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    expect((await pool.query('SELECT count(*)::int AS n FROM svc.messages')).rows).toEqual(before.rows);
  });

  it('should set aside a run the publisher refuses as invalid and keep relaying the rows behind it', async () => {
    const ok = status();
    const refused = status('refused-by-schema');
    await enqueueOutbox(
      pool,
      [
        { topic: 'privacyStatus', payload: refused },
        { topic: 'privacyStatus', payload: ok },
      ],
      location,
    );
    // A row that validated when written but no longer does (the catalogue moved on, say).
    await pool.query(
      `UPDATE svc.messages SET topic = 'audit' WHERE key = $1`, // audit's schema rejects a status
      [refused.requestId],
    );
    const sent: string[] = [];
    const publisher: OutboxPublisher = {
      async publish<T extends TopicId>(topic: T, batch: TopicMessage<T>[]) {
        if (topic === 'audit')
          throw new AppError('EVENT_SCHEMA_INVALID', 'refusing to publish invalid audit');
        sent.push(...batch.map((m) => (m as PrivacyStatusV1).requestId));
        await producer.publish(topic, batch);
      },
      publishTombstone: (topic, keys) => producer.publishTombstone(topic, keys),
    };
    const relay = createOutboxRelay({ pool, publisher, logger, ...location });
    expect(await relay.relayOnce()).toBe(2);
    expect(sent).toEqual([ok.requestId]);
    expect(await relay.pending()).toBe(0);
    const { rows } = await pool.query<{ failed_reason: string | null; published: boolean }>(
      `SELECT failed_reason, published_at IS NOT NULL AS published FROM svc.messages WHERE key = $1`,
      [refused.requestId],
    );
    expect(rows).toEqual([{ failed_reason: 'refusing to publish invalid audit', published: false }]);
  });

  it('should read about one batch of the pending index per round however large the backlog, with no statistics on the table', async () => {
    // A service's outbox as its migration makes it, filled without ANALYZE (autovacuum off or
    // behind): the planner has only defaults to go on.
    await pool.query(`CREATE TABLE svc.backlog (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic text NOT NULL, key text NOT NULL,
        payload jsonb, created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz,
        failed_reason text);
      CREATE INDEX backlog_pending ON svc.backlog (id) WHERE published_at IS NULL AND failed_reason IS NULL;
      INSERT INTO svc.backlog (topic, key, payload)
        SELECT 'privacyStatus', g::text, jsonb_build_object('n', repeat('x', 1500))
          FROM generate_series(1, 50000) AS g;`);
    const indexReads = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            `SELECT idx_tup_read AS n FROM pg_stat_user_indexes WHERE indexrelname = 'backlog_pending'`,
          )
        ).rows[0]!.n,
      );
    const before = await indexReads();
    const sent: number[] = [];
    const relay = createOutboxRelay({
      pool,
      logger,
      schema: 'svc',
      table: 'backlog',
      batchSize: 500,
      publisher: {
        publish: async (_topic, batch) => void sent.push(batch.length),
        publishTombstone: async () => undefined,
      },
    });
    expect(await relay.relayOnce()).toBe(500);
    expect(sent).toEqual([500]);
    // Backends report their counters within about a second of going idle.
    await waitFor(async () => (await indexReads()) > before, { message: 'index statistics flushed' });
    // Before the fix the claim was a bitmap scan of all 50,000 pending entries plus a sort.
    expect((await indexReads()) - before).toBeLessThanOrEqual(1000);
    expect(await relay.pending()).toBe(49_500);
  });
});
