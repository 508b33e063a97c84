import { uuidv7, type TopicId } from '@tessera/contracts';
import { createPool } from '@tessera/db';
import type { TypedProducer } from '@tessera/kafka';
import { createOutboxRelay, insertOutboxRows, type OutboxPublisher } from '@tessera/outbox';
import { collectMessages, createTestKafka, testLogger, type TestKafka } from '@tessera/testkit';
import type pg from 'pg';
import { createProfileStoreCore, type ProfileStoreCore } from '../../profile-store-core';
import { migratedDatabase } from '../../test-support/database';
import { order, testSettings } from '../../test-support/fixtures';
import { ingestResolvedBatch } from '../ingestion/ingest-batch';
import { eraseSubject } from '../privacy/erasure-service';

let pool: pg.Pool;
let url: string;
let close: () => Promise<void>;
let core: ProfileStoreCore;
let tk: TestKafka;
let producer: TypedProducer;
const logger = testLogger('outbox');

beforeAll(async () => {
  ({ pool, close, url } = await migratedDatabase());
  core = createProfileStoreCore(testSettings, pool);
  tk = await createTestKafka({ topics: ['profileUpdates', 'privacyStatus'] });
  producer = tk.kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await tk.cleanup();
  await close();
});

/** A relay that dies at a chosen point: before publishing, or after publishing but before commit. */
function crashingPublisher(when: 'before' | 'after'): OutboxPublisher {
  return {
    async publish(topic, messages) {
      if (when === 'after') await producer.publish(topic, messages);
      throw new Error('relay process killed');
    },
    async publishTombstone(topic: TopicId, keys: string[]) {
      if (when === 'after') await producer.publishTombstone(topic, keys);
      throw new Error('relay process killed');
    },
  };
}

const pending = async () =>
  Number(
    (await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0]!
      .n,
  );

describe('outbox relay', () => {
  it('should publish a committed change exactly once when the relay dies before publishing and restarts', async () => {
    const id = uuidv7();
    await ingestResolvedBatch(core, [order(id, 12, '2026-05-01T00:00:00.000Z')]);
    const dying = createOutboxRelay({ pool, publisher: crashingPublisher('before'), logger });
    await expect(dying.relayOnce()).rejects.toThrow('relay process killed');
    expect(await pending()).toBe(1);

    const relay = createOutboxRelay({ pool, publisher: producer, logger });
    expect(await relay.relayOnce()).toBe(1);
    expect(await relay.relayOnce()).toBe(0);
    const msgs = await collectMessages(tk.kafka, 'profileUpdates', {
      until: (m) => m.some((x) => x.key === id),
    });
    const mine = msgs.filter((m) => m.key === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.value).toMatchObject({
      profileId: id,
      kind: 'upsert',
      version: 1,
      computed: { orderCount: 1, totalRevenue: 12 },
    });
  });

  it('should never publish a change whose transaction rolled back', async () => {
    const ghost = uuidv7();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await insertOutboxRows(client, [{ topic: 'profileUpdates', key: ghost, payload: null }]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await pool.query('SELECT 1 FROM outbox WHERE key = $1', [ghost]).then((r) => r.rowCount)).toBe(0);
  });

  it('should republish with the same version when the relay dies after publishing (at-least-once)', async () => {
    const id = uuidv7();
    await ingestResolvedBatch(core, [order(id, 3, '2026-05-02T00:00:00.000Z')]);
    await expect(
      createOutboxRelay({ pool, publisher: crashingPublisher('after'), logger }).relayOnce(),
    ).rejects.toThrow();
    await createOutboxRelay({ pool, publisher: producer, logger }).relayOnce();
    const msgs = await collectMessages(tk.kafka, 'profileUpdates', {
      until: (m) => m.filter((x) => x.key === id).length >= 2,
    });
    const versions = msgs.filter((m) => m.key === id).map((m) => m.value?.version);
    expect(versions).toEqual([1, 1]);
  });

  it('should let concurrent relays share the outbox without publishing a row twice', async () => {
    const ids = Array.from({ length: 30 }, () => uuidv7());
    await ingestResolvedBatch(
      core,
      ids.map((id, i) => order(id, i + 1, '2026-05-03T00:00:00.000Z')),
    );
    const second = createPool({ connectionString: url, schema: 'profile_store', max: 2 });
    try {
      const a = createOutboxRelay({ pool, publisher: producer, logger, batchSize: 7 });
      const b = createOutboxRelay({ pool: second, publisher: producer, logger, batchSize: 7 });
      const drain = async (r: typeof a) => {
        let total = 0;
        for (let n = await r.relayOnce(); n > 0; n = await r.relayOnce()) total += n;
        return total;
      };
      const [na, nb] = await Promise.all([drain(a), drain(b)]);
      expect(na + nb).toBe(30);
    } finally {
      await second.end();
    }
    const msgs = await collectMessages(tk.kafka, 'profileUpdates', {
      until: (m) => ids.every((id) => m.some((x) => x.key === id)),
    });
    for (const id of ids) expect(msgs.filter((m) => m.key === id)).toHaveLength(1);
  });

  it('should publish a deleted notice, a tombstone and the privacy status on erasure, idempotently', async () => {
    const id = uuidv7();
    await ingestResolvedBatch(core, [order(id, 9, '2026-05-04T00:00:00.000Z')]);
    const command = {
      schemaVersion: 1 as const,
      requestId: uuidv7(),
      kind: 'erase' as const,
      profileIds: [id],
      identifiers: [],
      requestedAt: new Date().toISOString(),
    };
    const first = await eraseSubject(pool, command);
    expect(first).toMatchObject({ profiles: 1, events: 1, residue: 0, repeated: false });
    expect((await eraseSubject(pool, command)).repeated).toBe(true);
    for (const table of ['profiles WHERE id', 'events WHERE profile_id', 'identities WHERE profile_id']) {
      expect((await pool.query(`SELECT 1 FROM ${table} = $1`, [id])).rowCount).toBe(0);
    }
    const relay = createOutboxRelay({ pool, publisher: producer, logger });
    while ((await relay.relayOnce()) > 0);
    const updates = await collectMessages(tk.kafka, 'profileUpdates', {
      until: (m) => m.some((x) => x.key === id && x.value === null),
    });
    const mine = updates.filter((m) => m.key === id);
    expect(mine.map((m) => m.value?.kind ?? 'tombstone').slice(-2)).toEqual(['deleted', 'tombstone']);
    const statuses = await collectMessages(tk.kafka, 'privacyStatus', {
      until: (m) => m.filter((x) => x.key === command.requestId).length >= 2,
    });
    expect(statuses.find((s) => s.key === command.requestId)?.value).toMatchObject({
      service: 'profile-store',
      status: 'done',
      details: { residue: 0 },
    });
  });
});
