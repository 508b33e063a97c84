import fc from 'fast-check';
import { createTestRedis } from '@tessera/testkit';
import type { TestRedis } from '@tessera/testkit';
import { CanonicalEventV1Schema, ResolvedEventV1Schema } from '@tessera/contracts';
import type { CanonicalEventV1 } from '@tessera/contracts';
import { createGraphStore } from '../../graph/graph-store';
import type { GraphStore } from '../../graph/graph-store';
import { UnionFind, canonicalPartition } from '../../graph/union-find';
import { compileRules, defaultIdentityRules } from '../../rules/identity-rules';
import { MemoryJournal, testEvent, testHasher } from '../../test-support/fixtures';
import { noCandidateMatcher } from './candidate-matcher';
import { createResolver } from './resolver';
import type { Resolver } from './resolver';

// Real infrastructure on a shared 2-core machine: generous, but bounded.
jest.setTimeout(60_000);

/** Rules under which the result cannot depend on order: plain connectivity (no limit binds, no quarantine). */
const connectivityRules = compileRules({
  types: Object.fromEntries(
    ['user_id', 'email', 'phone', 'anonymous_id'].map((t, i) => [t, { priority: 100 - i, limit: 100_000 }]),
  ),
  defaultType: { priority: 50, limit: 100_000 },
  globalBlocklist: [],
});
const defaultRules = compileRules(defaultIdentityRules);

let infra: TestRedis;
beforeAll(async () => {
  infra = await createTestRedis();
});
afterAll(async () => {
  await infra.cleanup();
});

// Each run gets a graph under a fresh prefix inside this file's; afterAll's cleanup removes them in
// one SCAN pass. Flushing per run scanned the whole keyspace 120 times, so other users' keys on
// the server (700k left by a killed bench) took the file from seconds to past its timeouts.
function freshResolver(rules = connectivityRules): { graph: GraphStore; resolver: Resolver } {
  const graph = createGraphStore({
    redis: infra.redis,
    keyPrefix: `${infra.keyPrefix}${Math.random().toString(36).slice(2)}:`,
    graphName: 'g',
    buckets: 16,
  });
  return {
    graph,
    resolver: createResolver({
      graph,
      journal: new MemoryJournal(),
      rules,
      hasher: testHasher,
      matcher: noCandidateMatcher,
    }),
  };
}

const TYPES = ['user_id', 'email', 'phone', 'anonymous_id'] as const;
const identifierArb = fc
  .tuple(fc.constantFrom(...TYPES), fc.integer({ min: 0, max: 14 }))
  .map(([t, n]) => [t, `${t}-v${n}`] as [string, string]);
const eventsArb = fc.array(
  fc.uniqueArray(identifierArb, { minLength: 1, maxLength: 3, selector: ([t, v]) => `${t}:${v}` }),
  { minLength: 1, maxLength: 40 },
);

/** Runs events through `workers` concurrent loops, each owning the events of its partitions, in batches. */
async function runWorkers(
  resolver: Resolver,
  events: CanonicalEventV1[],
  workers: number,
  assign: number[],
  batchSize: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const mine = events.filter((_, i) => assign[i]! % workers === w);
      for (let i = 0; i < mine.length; i += batchSize) {
        const batch = await resolver.resolveBatch(mine.slice(i, i + batchSize));
        await resolver.acknowledge(batch);
      }
    }),
  );
}

async function partitionOf(graph: GraphStore, ids: Array<[string, string]>): Promise<string[][]> {
  const unique = [...new Map(ids.map((id) => [`${id[0]}:${id[1]}`, id])).values()];
  const profiles = await graph.lookup(unique.map(([t, v]) => testHasher(t, v)));
  const groups = new Map<string, string[]>();
  unique.forEach(([t, v], i) => {
    const p = profiles[i];
    if (p === undefined) throw new Error(`${t}:${v} was never linked`);
    groups.set(p, [...(groups.get(p) ?? []), `${t}:${v}`]);
  });
  return canonicalPartition(groups.values());
}

function expectedComponents(eventIds: Array<Array<[string, string]>>): string[][] {
  const uf = new UnionFind();
  for (const ids of eventIds) {
    const keys = ids.map(([t, v]) => `${t}:${v}`);
    keys.forEach((k) => uf.add(k));
    keys.slice(1).forEach((k) => uf.union(keys[0]!, k));
  }
  return canonicalPartition(uf.components());
}

describe('resolver properties against real Redis', () => {
  it('should reach the same partition with 1 and N concurrent workers when rules do not depend on order', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.nat(11), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (eventIds, workers, assign, batchSize) => {
          const events = eventIds.map((ids) => testEvent(ids));
          const sequential = freshResolver();
          await runWorkers(sequential.resolver, events, 1, assign, batchSize);
          const concurrent = freshResolver();
          await runWorkers(concurrent.resolver, events, workers, assign, batchSize);
          const all = eventIds.flat();
          const expected = expectedComponents(eventIds);
          expect(await partitionOf(sequential.graph, all)).toEqual(expected);
          expect(await partitionOf(concurrent.graph, all)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('should change nothing when events are processed twice, before or after acknowledgement', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        async (eventIds, acked) => {
          const { graph, resolver } = freshResolver(defaultRules);
          const events = eventIds.map((ids) => testEvent(ids));
          const first: Awaited<ReturnType<Resolver['resolveBatch']>>[] = [];
          for (const [i, event] of events.entries()) {
            const batch = await resolver.resolveBatch([event]);
            first.push(batch);
            if (acked[i]) await resolver.acknowledge(batch);
          }
          const all = eventIds.flat().filter(([t, v]) => defaultRules.blocklistedBy(t, v) === undefined);
          const hashes = all.map(([t, v]) => testHasher(t, v));
          const before = await graph.lookup(hashes);
          // Replay everything (a crash before the offset commit): unacknowledged events get their stored outcome back.
          for (const [i, event] of events.entries()) {
            const replay = await resolver.resolveBatch([event]);
            if (!acked[i]) expect(replay.resolved[0]!.profileId).toBe(first[i]!.resolved[0]!.profileId);
            expect(replay.changes.length === 0 || !acked[i]).toBe(true);
            // Same change ids, so downstream deduplicates the republished merges.
            const strip = (c: (typeof replay.changes)[number]) => ({ ...c, at: undefined });
            if (!acked[i]) expect(replay.changes.map(strip)).toEqual(first[i]!.changes.map(strip));
          }
          expect(await graph.lookup(hashes)).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('should build resolved events that satisfy the ResolvedEventV1 contract as they are (published prevalidated)', async () => {
    // junk values (blocklist), shared ones (limits, quarantine fan-in) and plain ones, in batches
    const valueArb = fc.oneof(
      fc.integer({ min: 0, max: 30 }).map((n) => `v${n}`),
      fc.constantFrom('test', 'unknown', '0000000000', 'test@test.com', 'n/a'),
    );
    const idsArb = fc.uniqueArray(fc.tuple(fc.constantFrom(...TYPES), valueArb), {
      minLength: 1,
      maxLength: 5,
      selector: ([t, v]) => `${t}:${v}`,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(idsArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        async (eventIds, batchSize) => {
          const { resolver } = freshResolver(defaultRules);
          // as the consumer hands them over: parsed by the topic's schema
          const events = eventIds.map((ids) => CanonicalEventV1Schema.parse(testEvent(ids)));
          for (let i = 0; i < events.length; i += batchSize) {
            const batch = await resolver.resolveBatch(events.slice(i, i + batchSize));
            for (const r of batch.resolved) expect(ResolvedEventV1Schema.parse(r)).toEqual(r);
            await resolver.acknowledge(batch);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
