import { createTestRedis } from '@tessera/testkit';
import type { TestRedis } from '@tessera/testkit';
import { createResolver } from '../features/resolution/resolver';
import type { Resolver } from '../features/resolution/resolver';
import { noCandidateMatcher } from '../features/resolution/candidate-matcher';
import { compileRules, defaultIdentityRules } from '../rules/identity-rules';
import { MemoryJournal, testEvent, testHasher } from '../test-support/fixtures';
import { createGraphStore } from './graph-store';
import type { GraphStore } from './graph-store';

// Real infrastructure on a shared 2-core machine: generous, but bounded.
jest.setTimeout(60_000);

let infra: TestRedis;
let graph: GraphStore;
let resolver: Resolver;
const rules = compileRules(defaultIdentityRules);

beforeAll(async () => {
  infra = await createTestRedis();
});
afterAll(async () => {
  await infra.cleanup();
});
beforeEach(() => {
  graph = createGraphStore({
    redis: infra.redis,
    keyPrefix: `${infra.keyPrefix}${Math.random().toString(36).slice(2)}:`,
    graphName: 'graph',
    buckets: 64,
  });
  resolver = createResolver({
    graph,
    journal: new MemoryJournal(),
    rules,
    hasher: testHasher,
    matcher: noCandidateMatcher,
  });
});
afterEach(async () => {
  await graph.flush();
});

const lookup = async (type: string, value: string) => (await graph.lookup([testHasher(type, value)]))[0];

describe('graph store', () => {
  it('should stitch anonymous devices to one known profile', async () => {
    const a = await resolver.resolveBatch([
      testEvent([['anonymous_id', 'dev-1']]),
      testEvent([['anonymous_id', 'dev-2']]),
    ]);
    expect(a.resolved[0]!.profileId).not.toEqual(a.resolved[1]!.profileId);
    const b = await resolver.resolveBatch([
      testEvent(
        [
          ['user_id', 'u1'],
          ['anonymous_id', 'dev-1'],
        ],
        { type: 'identify' },
      ),
      testEvent(
        [
          ['user_id', 'u1'],
          ['anonymous_id', 'dev-2'],
        ],
        { type: 'identify' },
      ),
    ]);
    expect(b.changes).toHaveLength(1);
    const p = await lookup('user_id', 'u1');
    expect(await lookup('anonymous_id', 'dev-1')).toBe(p);
    expect(await lookup('anonymous_id', 'dev-2')).toBe(p);
  });

  it('should keep household members apart on a shared device', async () => {
    await resolver.resolveBatch([
      testEvent([
        ['user_id', 'alice'],
        ['anonymous_id', 'tablet'],
      ]),
    ]);
    const r = await resolver.resolveBatch([
      testEvent([
        ['user_id', 'bob'],
        ['anonymous_id', 'tablet'],
      ]),
    ]);
    expect(r.resolved[0]!.decisions.find((d) => d.outcome === 'refused_limit')?.rule).toBe('limit:user_id');
    expect(await lookup('user_id', 'alice')).not.toBe(await lookup('user_id', 'bob'));
    expect(r.resolved[0]!.profileId).toBe(await lookup('user_id', 'bob'));
  });

  it('should return the stored outcome when an event is replayed before acknowledgement', async () => {
    const e = testEvent([['email', 'x@y.org']]);
    const first = await resolver.resolveBatch([e]);
    const second = await resolver.resolveBatch([e]);
    expect(second.resolved[0]!.profileId).toBe(first.resolved[0]!.profileId);
    expect(second.resolved[0]!.newProfile).toBe(true);
    await resolver.acknowledge(second);
    const third = await resolver.resolveBatch([e]);
    expect(third.resolved[0]!.profileId).toBe(first.resolved[0]!.profileId);
    expect(third.resolved[0]!.newProfile).toBe(false);
  });

  it('should refuse to resolve against a graph built with another bucket count, retryably', async () => {
    await resolver.resolveBatch([testEvent([['email', 'b@c.org']])]);
    const other = createGraphStore({
      redis: infra.redis,
      keyPrefix: graph.keys.base.slice(0, graph.keys.base.indexOf('{')),
      graphName: 'graph',
      buckets: 65,
    });
    await expect(other.lookup([testHasher('email', 'b@c.org')])).rejects.toMatchObject({
      code: 'INTERNAL',
      retryable: true,
      message: expect.stringContaining('GRAPH_BUCKETS_MISMATCH'),
    });
  });
});
