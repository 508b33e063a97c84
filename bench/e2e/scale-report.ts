/**
 * The "Scaling with the graph" part of the e2e section: how throughput, freshness and memory
 * change as the graph grows.
 */
import { mb, n0 } from './format';
import type { ResourceUse } from './resources';
import type { ScalePoint } from './report';

const use = (rs: ResourceUse[], name: string) => rs.find((r) => r.name === name);
const SERVICES = ['ingest', 'identity', 'profile-store'] as const;
const BUSY = [
  'ingest',
  'identity',
  'profile-store',
  'postgres (all backends)',
  'kafka (broker JVM)',
] as const;

function label(p: ScalePoint): string {
  return p.target === 0 ? 'after the rate steps' : n0(p.target);
}

export function scaleLines(scale: ScalePoint[], batch: number, concurrency: number): string[] {
  const grown = scale.filter((p) => p.preload !== undefined);
  const short = grown.filter((p) => p.profiles < p.target);
  return [
    '### Scaling with the graph',
    '',
    "Each point grows the platform with the traffic generator's **roster**: one `identify` per synthetic person (user id, anonymous id, email, and for three in four a mobile phone; name and city as traits — a signup or CRM backfill), " +
      `sent through the same public path as everything else (ingest \`/v1/batch\` with ${batch} calls per request and ${concurrency} requests in flight; identity resolves each into a new profile in Redis and Postgres; profile-store writes its golden record), in chunks that never run more than the backlog ahead of profile-store. ` +
      "Nothing is bulk-loaded behind the services: the graph and the golden records at each point are what the pipeline built. The preload is timed until profile-store holds the target count. Then the same unpaced step as above (the generator's full Segment histories: sessions, identify, track…) is measured at that size.",
    '',
    '| profiles (target) | profiles reached | preload time | preload profiles/s | preload CPU cores ingest / identity / profile-store / postgres / kafka | measured step accepted/s | settled/s | freshness p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...scale.map((p) => {
      const pre = p.preload;
      const preRate = pre ? (pre.reached - pre.before) / pre.seconds : Number.NaN;
      const cpu = pre
        ? BUSY.map((name) => use(pre.resources, name)?.cpuCores.toFixed(2) ?? '–').join(' / ')
        : '–';
      return `| ${label(p)} | ${n0(p.profiles)} | ${pre ? `${(pre.seconds / 60).toFixed(1)} min` : '–'} | ${n0(preRate)} | ${cpu} | ${n0(p.step.acceptedPerSec)} | ${n0(p.step.settledPerSec)} | ${n0(p.step.p50)} / ${n0(p.step.p99)} |`;
    }),
    '',
    "Planner statistics matter at these sizes: the Postgres this bench ran on has autovacuum off, and until the services analyzed their own tables (2026-11-29 evening, `DATABASE_ANALYZE_INTERVAL_MS`, docs/operations.md) no table was ever analyzed and the batch statements scanned whole tables, so the measured step fell from 3,703 settled events/s at 10,000 profiles to 2,002 at 1,000,000 (run of 10bbd0b, a faster hour of the same kind of VM); with statistics kept it holds at the small graph's figure.",
    '',
    "Memory at each point (after its measured step). Redis: the platform's own keys (`MEMORY USAGE` summed over its key prefix; the identity graph and ingest's dedup/rate-limit keys) and the whole instance's `used_memory` (shared with other users of the server). Postgres: per schema, tables with indexes and TOAST. RSS: peak of each service process during the measured step.",
    '',
    '| profiles | Redis platform keys MB (keys) | Redis instance MB | Postgres identity MB | Postgres profile_store MB | Postgres database MB | RSS MB ingest / identity / profile-store |',
    '|---|---|---|---|---|---|---|',
    ...scale.map(
      (p) =>
        `| ${n0(p.profiles)} | ${mb(p.redisPlatformMb)} (${n0(p.redisKeys)}) | ${mb(p.redisMb)} | ${mb(p.pgSchemaMb.identity)} | ${mb(p.pgSchemaMb.profile_store)} | ${mb(p.pgMb)} | ${SERVICES.map((name) => mb(use(p.step.resources, name)?.rssMb)).join(' / ')} |`,
    ),
    '',
    ...short.map(
      (p) =>
        `- The ${n0(p.target)}-profile point was not reached (${n0(p.profiles)} profiles: the preload stalled or hit its time bound); its row is measured at the size reached.`,
    ),
    ...(grown.length === 0 ? ['- No scaling runs in this run (`BENCH_SCALE` empty).'] : []),
  ];
}
