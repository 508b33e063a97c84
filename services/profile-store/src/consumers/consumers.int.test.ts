import { uuidv7, type ConsentChangeV1 } from '@tessera/contracts';
import type { BatchConsumer, TypedProducer } from '@tessera/kafka';
import { createOutboxRelay, type OutboxRelay } from '@tessera/outbox';
import {
  collectMessages,
  createTestKafka,
  testLogger,
  uniqueName,
  waitFor,
  type TestKafka,
} from '@tessera/testkit';
import type pg from 'pg';
import { findProfile } from '../features/profiles/profile-repository';
import { createProfileStoreCore, type ProfileStoreCore } from '../profile-store-core';
import { migratedDatabase } from '../test-support/database';
import { order, resolvedEvent, testSettings } from '../test-support/fixtures';
import { createConsentChangesConsumer } from './consent-changes-consumer';
import { createEventsResolvedConsumer } from './events-resolved-consumer';
import { createIdentityChangesConsumer } from './identity-changes-consumer';
import { createPrivacyCommandsConsumer } from './privacy-commands-consumer';

jest.setTimeout(60_000);

let pool: pg.Pool;
let close: () => Promise<void>;
let tk: TestKafka;
let producer: TypedProducer;
let consumers: BatchConsumer[];
let relay: OutboxRelay;
let core: ProfileStoreCore;
const logger = testLogger('profile-store-consumers');

beforeAll(async () => {
  ({ pool, close } = await migratedDatabase());
  tk = await createTestKafka({
    topics: [
      'eventsResolved',
      'identityChanges',
      'consentChanges',
      'privacyCommands',
      'profileUpdates',
      'privacyStatus',
    ],
  });
  producer = tk.kafka.producer();
  await producer.connect();
  core = createProfileStoreCore(testSettings, pool);
  const groupId = uniqueName('ps');
  consumers = [
    createEventsResolvedConsumer(tk.kafka, { ...core, logger, groupId, batchSize: 500, concurrency: 3 }),
    createIdentityChangesConsumer(tk.kafka, { ...core, logger, groupId }),
    createConsentChangesConsumer(tk.kafka, { pool, vault: core.vault, logger, groupId }),
    createPrivacyCommandsConsumer(tk.kafka, { pool, logger, groupId, openedValues: core.openedValues }),
  ];
  for (const c of consumers) await c.start();
  relay = createOutboxRelay({ pool, publisher: producer, logger, idleMs: 20 });
  relay.start();
});
afterAll(async () => {
  await relay.stop();
  for (const c of consumers) await c.stop();
  await producer.disconnect();
  await tk.cleanup();
  await close();
});

const eventCount = async (id: string) =>
  Number(
    (await pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE profile_id = $1', [id])).rows[0]!
      .n,
  );

describe('profile store consumers', () => {
  it('should apply resolved events once even when the topic carries them twice, and publish the change feed', async () => {
    const id = uuidv7();
    const batch = [
      resolvedEvent({ profileId: id, traits: { plan: 'pro' } }),
      order(id, 20, '2026-06-01T00:00:00.000Z'),
      order(id, 22, '2026-06-02T00:00:00.000Z'),
    ];
    await producer.publish('eventsResolved', batch);
    await producer.publish('eventsResolved', batch);
    await waitFor(async () => (await eventCount(id)) === 3, { timeoutMs: 20_000 });
    const updates = await collectMessages(tk.kafka, 'profileUpdates', {
      until: (m) =>
        m.some((x) => x.key === id && (x.value?.computed as { orderCount?: number }).orderCount === 2),
      timeoutMs: 20_000,
    });
    const latest = updates.filter((m) => m.key === id).pop()!.value!;
    expect(latest).toMatchObject({ kind: 'upsert', traits: { plan: 'pro' }, computed: { totalRevenue: 42 } });
    // the replay changed nothing: it committed no outbox row
    expect(await eventCount(id)).toBe(3);
    expect((await findProfile(pool, id))!.computed).toMatchObject({ orderCount: 2 });
  });

  it('should apply merges, carry consent into the feed and erase on command', async () => {
    const [s, a] = [uuidv7(), uuidv7()];
    await producer.publish('identityChanges', [
      {
        schemaVersion: 1,
        kind: 'merge',
        changeId: uuidv7(),
        survivorId: s,
        absorbedId: a,
        linkingIdentifier: { type: 'email', hash: 'aaaaaaaaaaaaaaaaaaaaaa' },
        rule: 'email',
        at: new Date().toISOString(),
      },
    ]);
    await producer.publish('eventsResolved', [order(a, 5, '2026-06-03T00:00:00.000Z')]);
    await waitFor(async () => (await eventCount(s)) === 1, { timeoutMs: 20_000 });
    const consent: ConsentChangeV1 = {
      schemaVersion: 1,
      changeId: uuidv7(),
      subject: { profileId: a },
      purpose: 'email_marketing',
      status: 'denied',
      previousStatus: 'unknown',
      source: 'cmp',
      effectiveAt: new Date().toISOString(),
      recordedAt: new Date().toISOString(),
    };
    await producer.publish('consentChanges', [consent]);
    const updates = await collectMessages(tk.kafka, 'profileUpdates', {
      // Keys spread over partitions, so the absorbed id's notice may arrive after the survivor's update.
      until: (m) =>
        m.some((x) => x.key === s && x.value?.consent.email_marketing === 'denied') &&
        m.some((x) => x.key === a && x.value?.kind === 'merged'),
      timeoutMs: 20_000,
    });
    expect(updates.some((m) => m.key === a && m.value?.kind === 'merged' && m.value.mergedInto === s)).toBe(
      true,
    );

    core.openedValues.set('e1.probe', 'opened before the erasure');
    const requestId = uuidv7();
    await producer.publish('privacyCommands', [
      {
        schemaVersion: 1,
        requestId,
        kind: 'erase',
        profileIds: [a],
        identifiers: [],
        requestedAt: new Date().toISOString(),
      },
    ]);
    const statuses = await collectMessages(tk.kafka, 'privacyStatus', {
      until: (m) => m.some((x) => x.key === requestId),
      timeoutMs: 20_000,
    });
    expect(statuses.find((x) => x.key === requestId)!.value).toMatchObject({
      status: 'done',
      details: { profiles: 2, residue: 0 },
    });
    expect(await findProfile(pool, s)).toBeUndefined();
    // Personal values opened for the feed do not outlive an erasure in this replica.
    expect(core.openedValues.get('e1.probe')).toBeUndefined();
  });
});
