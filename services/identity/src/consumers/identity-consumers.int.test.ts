import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { CanonicalEventV1 } from '@tessera/contracts';
import type { BatchConsumer, TypedProducer } from '@tessera/kafka';
import { collectMessages, createTestKafka, testLogger, waitFor } from '@tessera/testkit';
import type { TestKafka } from '@tessera/testkit';
import { createMetricsRegistry } from '@tessera/observability';
import { UnionFind, canonicalPartition } from '../graph/union-find';
import { createIdentityMetrics } from '../metrics';
import { compileRules } from '../rules/identity-rules';
import { testEvent, testHasher } from '../test-support/fixtures';
import { createIdentityHarness } from '../test-support/identity-harness';
import type { IdentityHarness } from '../test-support/identity-harness';
import { createEventsIngestedConsumer } from './events-ingested-consumer';
import { createPrivacyCommandsConsumer } from './privacy-commands-consumer';

// Real infrastructure on a shared 2-core machine: generous, but bounded.
jest.setTimeout(120_000);

const TYPES = ['user_id', 'email', 'phone', 'anonymous_id'] as const;
let tk: TestKafka;
let producer: TypedProducer;
let h: IdentityHarness;
const consumers: BatchConsumer[] = [];

beforeAll(async () => {
  tk = await createTestKafka({
    topics: [
      'eventsIngested',
      'eventsResolved',
      'identityChanges',
      'privacyCommands',
      'privacyStatus',
      'audit',
    ],
  });
  producer = tk.kafka.producer({ name: 'identity-test' });
  await producer.connect();
  // Rules under which order cannot matter (no limit binds, no quarantine): plain connectivity.
  const rules = compileRules({
    types: Object.fromEntries(TYPES.map((t, i) => [t, { priority: 100 - i, limit: 100_000 }])),
    defaultType: { priority: 50, limit: 100_000 },
    globalBlocklist: [],
  });
  h = await createIdentityHarness({ publisher: producer, rules });
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await producer.disconnect();
  await h.close();
  await tk.cleanup();
});

function startInstances(count: number, groupId: string): Promise<void[]> {
  const started = Array.from({ length: count }, () => {
    const consumer = createEventsIngestedConsumer({
      kafka: tk.kafka,
      producer,
      resolver: h.core.resolver,
      quarantine: h.core.quarantine,
      logger: testLogger('identity-consumer'),
      metrics: createIdentityMetrics(
        createMetricsRegistry({ service: 'identity-test', collectDefault: false }),
      ),
      groupId,
      maxBatchSize: 7,
      partitionsConsumedConcurrently: 1,
    });
    consumers.push(consumer);
    return consumer.start();
  });
  return Promise.all(started);
}

const eventsArb = fc.array(
  fc.uniqueArray(fc.tuple(fc.constantFrom(...TYPES), fc.integer({ min: 0, max: 40 })), {
    minLength: 1,
    maxLength: 3,
    selector: ([t, n]) => `${t}${n}`,
  }),
  { minLength: 40, maxLength: 80 },
);

describe('identity consumers on real Kafka', () => {
  it('should resolve overlapping identifiers on different partitions with three instances into the components of the events', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, async (generated) => {
        const run = randomUUID().slice(0, 8);
        // Per-user values make limits irrelevant here: the rules cannot depend on order.
        const ids = generated.map((e) =>
          e.map(
            ([t, n]) =>
              [
                t,
                t === 'email'
                  ? `v${n}-${run}@mail.org`
                  : t === 'phone'
                    ? `+1415${run.replace(/\D/g, '').padEnd(4, '7').slice(0, 4)}${String(n).padStart(3, '0')}`
                    : `v${n}-${run}`,
              ] as [string, string],
          ),
        );
        const uf = new UnionFind();
        for (const e of ids) {
          const keys = e.map(([t, v]) => `${t}:${v}`);
          keys.forEach((k) => uf.add(k));
          keys.slice(1).forEach((k) => uf.union(keys[0]!, k));
        }
        const events: CanonicalEventV1[] = ids.map((e) => testEvent(e));
        await producer.publish('eventsIngested', events);
        await startInstances(3, `identity-${run}`);
        const wanted = new Set(events.map((e) => e.eventId));
        const resolved = await collectMessages(tk.kafka, 'eventsResolved', {
          until: (msgs) => [...wanted].every((id) => msgs.some((m) => m.value?.event.eventId === id)),
          timeoutMs: 45_000,
        });
        expect(resolved.length).toBeGreaterThanOrEqual(events.length);
        const unique = [...new Map(ids.flat().map((id) => [`${id[0]}:${id[1]}`, id])).values()];
        const profiles = await h.core.graph.lookup(unique.map(([t, v]) => testHasher(t, v)));
        const groups = new Map<string, string[]>();
        unique.forEach(([t, v], i) =>
          groups.set(profiles[i] ?? 'missing', [
            ...(groups.get(profiles[i] ?? 'missing') ?? []),
            `${t}:${v}`,
          ]),
        );
        const components = canonicalPartition(uf.components());
        expect(canonicalPartition(groups.values())).toEqual(components);
        // Every resolved event is keyed by its profile id.
        for (const m of resolved) expect(m.key).toBe(m.value!.profileId);
      }),
      { numRuns: 1 },
    );
  });

  it('should erase a subject on a privacy command and report zero residue', async () => {
    const u = randomUUID().slice(0, 8);
    const batch = await h.resolve(
      testEvent([
        ['user_id', `erase-${u}`],
        ['email', `erase-${u}@mail.org`],
      ]),
    );
    const profileId = batch.resolved[0]!.profileId;
    const privacy = createPrivacyCommandsConsumer({
      kafka: tk.kafka,
      erase: h.core.erase,
      groupId: `identity-privacy-${u}`,
    });
    consumers.push(privacy);
    await privacy.start();
    const requestId = randomUUID();
    await producer.publish('privacyCommands', [
      {
        schemaVersion: 1,
        requestId,
        kind: 'erase',
        profileIds: [profileId],
        identifiers: [],
        requestedAt: new Date().toISOString(),
      },
    ]);
    // The status is published right after the durable copy is cleaned; read the topic once that happened.
    await waitFor(
      async () => {
        const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM profiles WHERE profile_id = $1', [
          profileId,
        ]);
        return rows[0].n === 0 && (await h.profileOf('email', `erase-${u}@mail.org`)) === undefined;
      },
      { timeoutMs: 30_000, message: 'erase never applied' },
    );
    const status = await collectMessages(tk.kafka, 'privacyStatus', {
      until: (msgs) => msgs.some((m) => m.value?.requestId === requestId),
      timeoutMs: 30_000,
    });
    expect(status.find((m) => m.value?.requestId === requestId)?.value).toMatchObject({
      service: 'identity',
      status: 'done',
      details: { residue: 0 },
    });
    expect(await h.profileOf('email', `erase-${u}@mail.org`)).toBeUndefined();
  });
});
