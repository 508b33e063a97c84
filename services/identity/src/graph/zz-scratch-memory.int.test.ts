import { Redis } from 'ioredis';
import { createGraphStore } from './graph-store';
import { createResolver } from '../features/resolution/resolver';
import { noCandidateMatcher } from '../features/resolution/candidate-matcher';
import { compileRules, defaultIdentityRules } from '../rules/identity-rules';
import { testEvent, testHasher } from '../test-support/fixtures';

it('scratch memory', async () => {
  const redis = new Redis();
  const N = Number(process.env.N ?? 200000);
  const graph = createGraphStore({
    redis,
    keyPrefix: 'scratchmem:',
    graphName: 'g',
    buckets: Number(process.env.B ?? 16384),
  });
  await graph.flush();
  let gt = 0;
  const orig = graph.resolve.bind(graph);
  const timed = {
    ...graph,
    resolve: async (...a: Parameters<typeof orig>) => {
      const t = process.hrtime.bigint();
      const r = await orig(...a);
      gt += Number(process.hrtime.bigint() - t) / 1e6;
      return r;
    },
  };
  const resolver = createResolver({
    graph: timed,
    journal: { record: async () => {} },
    rules: compileRules(defaultIdentityRules),
    hasher: testHasher,
    matcher: noCandidateMatcher,
  });
  const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  let ids = 0;
  let n = 0;
  const t0 = Date.now();
  const types = ['email', 'phone', 'anonymous_id', 'user_id'];
  while (ids < N) {
    const batch = [];
    for (let i = 0; i < 500 && ids < N; i++) {
      const k = 1 + (n % 3);
      const e: Array<[string, string]> = [];
      for (let j = 0; j < k; j++) {
        e.push([types[(n + j) % 4]!, `v${n}-${j}`]);
        ids++;
      }
      n++;
      batch.push(testEvent(e));
    }
    const r = await resolver.resolveBatch(batch);
    await resolver.acknowledge(r);
  }
  const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  console.log({ gt, ids, events: n, ms: Date.now() - t0, bytesPerId: (after - before) / ids });
  await graph.flush();
  await redis.quit();
}, 600000);
