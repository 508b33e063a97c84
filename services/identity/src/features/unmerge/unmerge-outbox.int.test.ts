import { randomUUID } from 'node:crypto';
import { createStaticKeyDirectory, generateApiKey } from '@tessera/access';
import type { TopicId, TopicMessage } from '@tessera/contracts';
import type { TypedProducer } from '@tessera/kafka';
import { createMetricsRegistry } from '@tessera/observability';
import { collectMessages, createTestKafka, testLogger, waitFor } from '@tessera/testkit';
import type { TestKafka } from '@tessera/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app';
import { testEvent, testHasher } from '../../test-support/fixtures';
import { createIdentityHarness } from '../../test-support/identity-harness';
import type { IdentityHarness } from '../../test-support/identity-harness';
import type { Publisher } from '../publisher';

// Real Postgres, Redis and Kafka on a shared 2-core machine: generous, but bounded.
jest.setTimeout(120_000);

/** The real producer, except that the next `failNext` sends throw (Kafka away, process dying). */
class FlakyPublisher implements Publisher {
  failNext = 0;
  constructor(private readonly producer: TypedProducer) {}
  async publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('broker unavailable');
    }
    await this.producer.publish(topic, messages);
  }
  async publishTombstone(topic: TopicId, keys: string[]): Promise<void> {
    await this.producer.publishTombstone(topic, keys);
  }
}

let tk: TestKafka;
let producer: TypedProducer;
let flaky: FlakyPublisher;
let h: IdentityHarness;
let app: FastifyInstance;
const admin = generateApiKey({ name: 'privacy-admin', scopes: ['privacy:admin'] });

beforeAll(async () => {
  tk = await createTestKafka({ topics: ['identityChanges', 'audit', 'privacyStatus'] });
  producer = tk.kafka.producer({ name: 'identity-outbox-test' });
  await producer.connect();
  flaky = new FlakyPublisher(producer);
  h = await createIdentityHarness({ publisher: flaky });
  app = await buildApp({
    logger: testLogger('identity-http'),
    registry: createMetricsRegistry({ service: 'identity-test', collectDefault: false }),
    pool: h.pool,
    redis: h.redis.redis,
    keys: createStaticKeyDirectory([admin.record]),
    unmerge: h.core.unmerge,
  });
});
afterAll(async () => {
  await h.core.outbox.stop();
  await app.close();
  await producer.disconnect();
  await h.close();
  await tk.cleanup();
});

const unique = () => randomUUID().slice(0, 8);

/** The outbox rows keyed by a profile (a split and its audit event are both keyed by it). */
async function outboxRows(profileId: string) {
  const { rows } = await h.pool.query<{ topic: string; change_id: string | null; published: boolean }>(
    `SELECT topic, payload->>'changeId' AS change_id, published_at IS NOT NULL AS published
       FROM outbox WHERE key = $1 ORDER BY id`,
    [profileId],
  );
  return rows;
}

/** Runs the relay loop until nothing is pending, as the service does after a failed publish. */
async function relayUntilDrained(): Promise<void> {
  h.core.outbox.start();
  try {
    await waitFor(async () => (await h.core.outbox.pending()) === 0, { message: 'outbox drained' });
  } finally {
    await h.core.outbox.stop();
  }
}

describe('unmerge through the outbox', () => {
  it('should answer the HTTP caller with the committed split when the immediate publish fails, and deliver it and its audit event once through the relay', async () => {
    const u = unique();
    const phone = `+1415${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    await h.resolve(
      testEvent([
        ['email', `x-${u}@mail.org`],
        ['phone', phone],
      ]),
    );
    await h.resolve(
      testEvent([
        ['phone', phone],
        ['email', `y-${u}@mail.org`],
      ]),
    );
    const profileId = (await h.profileOf('email', `x-${u}@mail.org`))!;
    flaky.failNext = 1;

    const res = await app.inject({
      method: 'POST',
      url: `/v1/profiles/${profileId}/unmerge`,
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { identifier: { type: 'phone', hash: testHasher('phone', phone) }, reason: 'shared phone' },
    });

    // Committed is committed: the caller gets the split, and it is already in effect.
    expect(res.statusCode).toBe(200);
    const split = res.json<{ changeId: string; components: unknown[] }>();
    expect(split.components).toHaveLength(3);
    expect(flaky.failNext).toBe(0);
    expect(await h.profileOf('email', `y-${u}@mail.org`)).not.toBe(profileId);
    // Nothing reached Kafka; both messages wait in the outbox.
    expect(await outboxRows(profileId)).toEqual([
      { topic: 'identityChanges', change_id: split.changeId, published: false },
      { topic: 'audit', change_id: null, published: false },
    ]);

    await relayUntilDrained();

    // Published rows leave the outbox in the transaction that published them.
    expect(await outboxRows(profileId)).toEqual([]);
    const changes = await collectMessages(tk.kafka, 'identityChanges', {
      until: (m) => m.some((x) => x.value?.changeId === split.changeId),
    });
    expect(changes.filter((m) => m.value?.changeId === split.changeId).map((m) => m.value)).toEqual([split]);
    const audits = await collectMessages(tk.kafka, 'audit', {
      until: (m) => m.some((x) => x.value?.subject.profileId === profileId),
    });
    expect(audits.filter((m) => m.value?.subject.profileId === profileId).map((m) => m.value)).toEqual([
      expect.objectContaining({
        action: 'graph.unmerge',
        actor: admin.record.keyId,
        purpose: 'shared phone',
        details: expect.objectContaining({ removedIdentifierHash: testHasher('phone', phone) }),
      }),
    ]);
  });

  it('should keep a quarantine split whose publish fails, without failing the batch, and deliver it through the relay', async () => {
    const u = unique();
    const phone = `+4420${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
    const phoneHash = testHasher('phone', phone);
    flaky.failNext = 1;

    // The fourth person crosses the quarantine threshold; the automatic unmerge's publish fails.
    for (const email of [1, 2, 3, 4, 5].map((i) => `q${i}-${u}@mail.org`))
      await h.resolve(
        testEvent([
          ['email', email],
          ['phone', phone],
        ]),
      );

    expect(flaky.failNext).toBe(0);
    const { rows } = await h.pool.query<{ change_id: string; published: boolean }>(
      `SELECT payload->>'changeId' AS change_id, published_at IS NOT NULL AS published FROM outbox
        WHERE topic = 'identityChanges' AND payload->'removedIdentifier'->>'hash' = $1`,
      [phoneHash],
    );
    expect(rows).toEqual([{ change_id: expect.any(String), published: false }]);

    await relayUntilDrained();

    const changes = await collectMessages(tk.kafka, 'identityChanges', {
      until: (m) => m.some((x) => x.value?.changeId === rows[0]!.change_id),
    });
    const splits = changes.filter(
      (m) => m.value?.kind === 'split' && m.value.removedIdentifier.hash === phoneHash,
    );
    expect(splits).toHaveLength(1);
    expect(splits[0]!.value).toMatchObject({
      changeId: rows[0]!.change_id,
      actor: 'system:identity-quarantine',
    });
  });

  it('should erase the split rows that name an erased subject from the outbox and keep its audit event', async () => {
    const u = unique();
    const phone = `+3120${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    await h.resolve(
      testEvent([
        ['email', `e1-${u}@mail.org`],
        ['phone', phone],
      ]),
    );
    await h.resolve(
      testEvent([
        ['phone', phone],
        ['email', `e2-${u}@mail.org`],
      ]),
    );
    const profileId = (await h.profileOf('email', `e1-${u}@mail.org`))!;
    // Kafka away: the split and its audit event stay pending (published rows leave the outbox).
    flaky.failNext = 1;
    await h.core.unmerge.unmerge({
      profileId,
      identifier: { type: 'phone', hash: testHasher('phone', phone) },
      reason: 'shared phone',
      actor: 'cli:test',
    });
    // The other person's profile after the split: the split row names it in its components.
    const other = (await h.profileOf('email', `e2-${u}@mail.org`))!;
    expect((await outboxRows(profileId)).map((r) => [r.topic, r.published])).toEqual([
      ['identityChanges', false],
      ['audit', false],
    ]);

    const status = await h.core.erase.erase({
      schemaVersion: 1,
      requestId: randomUUID(),
      kind: 'erase',
      profileIds: [other],
      identifiers: [],
      requestedAt: new Date().toISOString(),
    });

    expect(status.details.residue).toBe(0);
    expect((await outboxRows(profileId)).map((r) => r.topic)).toEqual(['audit']);
  });
});
