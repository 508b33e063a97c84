/**
 * Identity bench: (1) throughput of the identity consumer (events with 1–3 identifiers each,
 * resolve + Postgres durable copy + publish) next to a pass-through consumer→producer on the same
 * topics doing no work, as a ratio; (2) Redis memory per identifier after loading BENCH_IDENTIFIERS
 * identifiers through the resolver's batch path. Results go to docs/benchmarks.md between the
 * `bench:identity` markers.
 *
 *   node bench/ts-runner.js bench/identity-bench.ts
 *   BENCH_EVENTS=20000 BENCH_IDENTIFIERS=1000000 BENCH_BUCKETS=16384 node bench/ts-runner.js bench/identity-bench.ts
 *   profiling the consumer only (no memory load, docs untouched):
 *   BENCH_IDENTIFIERS=0 node --cpu-prof --cpu-prof-dir=/tmp/identity-prof bench/ts-runner.js bench/identity-bench.ts
 */
import os from 'node:os';
import type { CanonicalEventV1 } from '@tessera/contracts';
import { uuidv7 } from '@tessera/contracts';
import { createPool, migrate } from '@tessera/db';
import { createTestDatabase, createTestKafka, createTestRedis, testLogger } from '@tessera/testkit';
import {
  compileRules,
  createEventsIngestedConsumer,
  createGraphStore,
  createIdentityCore,
  createResolver,
  defaultIdentityRules,
  migrations,
  noCandidateMatcher,
} from '@tessera/identity';
import type { Resolver } from '@tessera/identity';
import { createIdentifierHasher } from '@tessera/crypto';
import { writeBenchSection } from './bench-report';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const IDENTIFIERS = Number(process.env.BENCH_IDENTIFIERS ?? 1_000_000);
const BUCKETS = Number(process.env.BENCH_BUCKETS ?? 16_384);
const PARTITIONS = 6;
const HASH_KEY = 'identity-bench-hash-key-0123456789abcdef';

/** A small deterministic PRNG so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A person's identifiers: devices always, a login/email/phone sometimes. */
function personIdentifiers(run: string, i: number, random: () => number): Array<[string, string]> {
  const ids: Array<[string, string]> = [];
  const devices = 1 + Math.floor(random() * 3);
  for (let d = 0; d < devices; d++) ids.push(['anonymous_id', `${run}-dev-${i}-${d}`]);
  if (random() < 0.6) ids.push(['user_id', `${run}-user-${i}`]);
  if (random() < 0.8) ids.push(['email', `p${i}.${run}@mail.bench.org`]);
  if (random() < 0.4) ids.push(['phone', `+1415${String(i % 10_000_000).padStart(7, '0')}`]);
  return ids;
}

function event(ids: Array<[string, string]>): CanonicalEventV1 {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    eventId: uuidv7(),
    messageId: uuidv7(),
    sourceId: 'bench',
    channel: 'web',
    type: 'track',
    event: 'Product Viewed',
    identifiers: ids.map(([type, value]) => ({ type, value })),
    traits: {},
    properties: { sku: 'SKU-1', price: 10 },
    context: {},
    timestamp: now,
    receivedAt: now,
    consentSignals: [],
  };
}

/** Events of 1–3 identifiers; consecutive events of a person overlap so they link. */
function* personEvents(
  run: string,
  random: () => number,
): Generator<{ ids: Array<[string, string]>; fresh: number }> {
  for (let i = 0; ; i++) {
    const all = personIdentifiers(run, i, random);
    let at = 0;
    while (at < all.length) {
      const size = 1 + Math.floor(random() * 3);
      const start = Math.max(0, at - 1);
      const chunk = all.slice(start, Math.max(start + size, at + 1));
      yield { ids: chunk, fresh: start + chunk.length - at };
      at = start + chunk.length;
    }
  }
}

interface Rate {
  perSec: number;
  cpuUs: number;
}

async function throughput(): Promise<{ passThrough: Rate; identity: Rate; identifiersPerEvent: number }> {
  const tk = await createTestKafka({
    topics: ['eventsIngested', 'eventsResolved', 'identityChanges', 'audit'],
    partitions: PARTITIONS,
  });
  const db = await createTestDatabase();
  const redis = await createTestRedis();
  const pool = createPool({ connectionString: db.url, schema: migrations.schema, max: 10 });
  const producer = tk.kafka.producer({ name: 'bench' });
  try {
    await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
    await producer.connect();
    const random = rng(42);
    const gen = personEvents('t', random);
    const events: CanonicalEventV1[] = [];
    let identifierCount = 0;
    while (events.length < EVENTS) {
      const { ids } = gen.next().value!;
      identifierCount += ids.length;
      events.push(event(ids));
    }
    for (let i = 0; i < events.length; i += 1000)
      await producer.publish('eventsIngested', events.slice(i, i + 1000));

    /** Events/s, and this process's CPU per event (µs): the consumer runs in-process, so that is its cost. */
    const timed = async (
      start: (done: () => void, count: (n: number) => void) => Promise<{ stop(): Promise<void> }>,
    ): Promise<{ perSec: number; cpuUs: number }> => {
      let seen = 0;
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((r) => (finish = r));
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const consumer = await start(finish, (n) => {
        seen += n;
        if (seen >= EVENTS) finish();
      });
      await finished;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      await consumer.stop();
      return { perSec: EVENTS / seconds, cpuUs: (cpu.user + cpu.system) / EVENTS };
    };

    const profileId = uuidv7();
    const passThrough = await timed(async (_done, count) => {
      const c = tk.kafka.consumer({
        groupId: 'bench-pass-through',
        topics: ['eventsIngested'],
        partitionsConsumedConcurrently: 3,
        handle: async (messages) => {
          const out = messages.flatMap((m) =>
            m.value
              ? [
                  {
                    schemaVersion: 1 as const,
                    profileId,
                    event: m.value,
                    identifierHashes: [],
                    newProfile: false,
                    decisions: [],
                    resolvedAt: new Date().toISOString(),
                  },
                ]
              : [],
          );
          await producer.publish('eventsResolved', out);
          count(messages.length);
        },
      });
      await c.start();
      return c;
    });
    console.log(
      'pass-through events/s',
      Math.round(passThrough.perSec),
      'cpu µs/event',
      passThrough.cpuUs.toFixed(0),
    );

    const logger = testLogger('identity-bench');
    const core = createIdentityCore(
      {
        IDENTIFIER_HASH_KEY: HASH_KEY,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        IDENTITY_GRAPH_NAME: 'bench',
        IDENTITY_BUCKETS: BUCKETS,
      },
      { pool, redis: redis.redis, publisher: producer, logger },
    );
    const identity = await timed(async (_done, count) => {
      const counting: Resolver = {
        resolveBatch: (batch) => core.resolver.resolveBatch(batch),
        acknowledge: async (batch) => {
          await core.resolver.acknowledge(batch);
          count(batch.eventIds.length);
        },
      };
      const c = createEventsIngestedConsumer({
        kafka: tk.kafka,
        producer,
        resolver: counting,
        quarantine: core.quarantine,
        logger,
        metrics: { observeBatch: () => undefined },
        groupId: 'bench-identity',
        maxBatchSize: 500,
        partitionsConsumedConcurrently: 3,
      });
      await c.start();
      return c;
    });
    console.log('identity events/s', Math.round(identity.perSec), 'cpu µs/event', identity.cpuUs.toFixed(0));
    return { passThrough, identity, identifiersPerEvent: identifierCount / events.length };
  } finally {
    await producer.disconnect();
    await pool.end();
    await redis.cleanup();
    await db.drop();
    await tk.cleanup();
  }
}

async function memory(): Promise<{
  identifiers: number;
  events: number;
  infoBytesPerId: number;
  keyBytesPerId: number;
  seconds: number;
  profiles: number;
}> {
  const redis = await createTestRedis();
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.redis.info('memory'))![1]);
  try {
    const graph = createGraphStore({
      redis: redis.redis,
      keyPrefix: redis.keyPrefix,
      graphName: 'mem',
      buckets: BUCKETS,
    });
    // The Redis footprint is the question here: the durable copy is discarded.
    const resolver = createResolver({
      graph,
      journal: { record: async () => undefined },
      rules: compileRules(defaultIdentityRules),
      hasher: createIdentifierHasher(HASH_KEY),
      matcher: noCandidateMatcher,
    });
    const before = await usedMemory();
    const gen = personEvents('m', rng(7));
    let identifiers = 0;
    let events = 0;
    const t0 = Date.now();
    while (identifiers < IDENTIFIERS) {
      const batch: CanonicalEventV1[] = [];
      while (batch.length < 500 && identifiers < IDENTIFIERS) {
        const { ids, fresh } = gen.next().value!;
        identifiers += fresh;
        batch.push(event(ids));
      }
      events += batch.length;
      const resolved = await resolver.resolveBatch(batch);
      await resolver.acknowledge(resolved);
      if (events % 50_000 < 500) console.log(`memory load: ${identifiers} identifiers`);
    }
    const seconds = (Date.now() - t0) / 1000;
    const after = await usedMemory();
    // Other work shares this Redis, so also sum MEMORY USAGE over this graph's own keys.
    let cursor = '0';
    let keyBytes = 0;
    let profiles = 0;
    do {
      const [next, keys] = await redis.redis.scan(cursor, 'MATCH', `${redis.keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      const pipeline = redis.redis.pipeline();
      for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
      for (const key of keys) if (key.includes('}:p:')) pipeline.hlen(key);
      const results = (await pipeline.exec()) ?? [];
      results.slice(0, keys.length).forEach(([, v]) => (keyBytes += Number(v ?? 0)));
      results.slice(keys.length).forEach(([, v]) => (profiles += Number(v ?? 0)));
    } while (cursor !== '0');
    return {
      identifiers,
      events,
      infoBytesPerId: (after - before) / identifiers,
      keyBytesPerId: keyBytes / identifiers,
      seconds,
      profiles,
    };
  } finally {
    await redis.cleanup();
  }
}

const writeResults = (section: string): void => writeBenchSection('identity', section);

async function main(): Promise<void> {
  const t = await throughput();
  if (IDENTIFIERS === 0) return; // a profiling run: the throughput above is printed, not recorded
  const m = await memory();
  console.log('memory', m);
  const ratio = t.identity.perSec / t.passThrough.perSec;
  const cpus = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`;
  writeResults(
    [
      '## Identity',
      '',
      `Run ${new Date().toISOString().slice(0, 16)}Z on ${cpus} (shared with other work; load average ${os.loadavg()[0]!.toFixed(1)} at the end), Kafka 3.9 single node, Redis 7, PostgreSQL local, Node ${process.version}.`,
      `Command: \`node bench/ts-runner.js bench/identity-bench.ts\` (BENCH_EVENTS=${EVENTS}, BENCH_IDENTIFIERS=${IDENTIFIERS}, BENCH_BUCKETS=${BUCKETS}; ${PARTITIONS} partitions, one consumer with 3 partitions concurrently, batches ≤ 500).`,
      '',
      '| measure | identity | baseline | ratio | target |',
      '|---|---|---|---|---|',
      `| throughput, events/s (${t.identifiersPerEvent.toFixed(2)} identifiers/event) | ${Math.round(t.identity.perSec)} | ${Math.round(t.passThrough.perSec)} (pass-through consumer→producer, no work) | ${(ratio * 100).toFixed(0)}% | ≥ 50% |`,
      `| CPU per event of the consuming process, µs (user + system; Redis and Postgres work not included) | ${t.identity.cpuUs.toFixed(0)} | ${t.passThrough.cpuUs.toFixed(0)} | | |`,
      `| Redis memory per identifier at ${m.identifiers.toLocaleString('en')} identifiers (INFO used_memory delta) | ${m.infoBytesPerId.toFixed(1)} B | | | ≤ 100 B |`,
      `| same, summed MEMORY USAGE of the graph's keys | ${m.keyBytesPerId.toFixed(1)} B | | | ≤ 100 B |`,
      '',
      `Identity per batch: blocklist screening and HMAC of every identifier, one Lua call resolving the batch (lookups, union-find, limits, quarantine fan-in, outcome journal), multi-row upserts of links, edges, merges, decisions into Postgres, publish of resolved events and merges, then acknowledgement. Memory load: ${m.events.toLocaleString('en')} events into ${m.profiles.toLocaleString('en')} profile records in ${m.seconds.toFixed(0)} s through the resolver's batch path (durable copy discarded).`,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
