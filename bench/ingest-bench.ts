/**
 * Ingest benchmark: accepted events/s and p50/p99 latency for single-event (`/v1/track`) and
 * batched (`/v1/batch`, BENCH_BATCH events) requests through the real pipeline (auth, zod,
 * normalization, Redis dedupe + rate limit, Kafka acks=all), each next to a bare fastify endpoint
 * that parses the same body and does nothing, in the same run, as a ratio. Writes
 * docs/benchmarks.md between the `bench:ingest` markers.
 *
 *   node bench/ts-runner.js bench/ingest-bench.ts
 *   (env: BENCH_DURATION_S, BENCH_CONNECTIONS, BENCH_BATCH, KAFKA_BROKERS, DATABASE_URL, REDIS_URL)
 */
import os from 'node:os';
import path from 'node:path';
import { execFileSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createStaticKeyDirectory, generateApiKey } from '@tessera/access';
import { createIdentifierHasher } from '@tessera/crypto';
import { createPool, migrate } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import { createLogger, createMetricsRegistry } from '@tessera/observability';
import {
  buildApp,
  createImportStore,
  createSourceStore,
  createStaticSuppressionChecker,
  migrations,
  suppressionKeysOf,
} from '@tessera/ingest';
import { writeBenchSection } from './bench-report';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const DURATION_S = env('BENCH_DURATION_S', 10);
const CONNECTIONS = env('BENCH_CONNECTIONS', 32);
const BATCH = env('BENCH_BATCH', 100);
/** `single`, `batch` or both (default): profiling one kind of request needs only that run. */
const MODES = (process.env.BENCH_MODES ?? 'single,batch').split(',');
/** Optional CPU pinning (taskset lists, e.g. `1` and `0`): load generator and server apart. */
const LOADGEN_CPUS = process.env.BENCH_LOADGEN_CPUS;
const SERVER_CPUS = process.env.BENCH_SERVER_CPUS;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Run {
  requestsPerSec: number;
  eventsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** CPU of the autocannon child, % of one core over the run. */
  loadgenCpuPct: number;
}

/** A run plus what the server process (the bench's own) spent on it. */
interface Measured extends Run {
  /** CPU of the server process (all its threads), % of one core over the run. */
  serverCpuPct: number;
  /** Server CPU per accepted event, µs: comparable across runs on a noisy machine. */
  serverUsPerEvent: number;
}

const LOADGEN_FLAG = '--load-generator';

interface LoadTarget {
  url: string;
  pathName: string;
  events: number;
  authorization: string;
}

// messageIds only need to be unique (identical ones would be deduplicated, not published): a run
// id plus a counter is as good as a UUID per event and keeps the load generator cheap.
const runId = randomUUID();
let counter = 0;

function trackEvent(): string {
  counter += 1;
  const n = counter % 100_000;
  return `{"type":"track","messageId":"${runId}-${counter}","userId":"u-${n}","event":"Product Viewed","properties":{"sku":"SNK-220","price":89.5},"context":{"traits":{"email":"p${n}@example.com"}}}`;
}

async function loadGenerator(target: LoadTarget): Promise<void> {
  const { url, pathName, events, authorization } = target;
  const body = () => {
    if (events === 1) return trackEvent();
    const parts: string[] = [];
    for (let i = 0; i < events; i += 1) parts.push(trackEvent());
    return `{"batch":[${parts.join(',')}]}`;
  };
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: `${url}${pathName}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const ok = result['2xx'];
  const run: Run = {
    requestsPerSec: ok / DURATION_S,
    eventsPerSec: (ok * events) / DURATION_S,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    loadgenCpuPct: (cpu.user + cpu.system) / 1e4 / DURATION_S,
  };
  process.send?.(run);
}

/** Runs autocannon in a child process so the load generator does not share the server's event loop. */
async function load(url: string, pathName: string, events: number, authorization: string): Promise<Measured> {
  // Re-runs this script through the ts runner (which removed itself from argv) in load-generator mode.
  const runner = path.resolve(__dirname, 'ts-runner.js');
  const target: LoadTarget = { url, pathName, events, authorization };
  const child = fork(runner, [__filename, LOADGEN_FLAG, JSON.stringify(target)], {
    execArgv: process.execArgv.filter((a) => !a.startsWith('--cpu-prof')),
  });
  if (LOADGEN_CPUS && child.pid !== undefined)
    execFileSync('taskset', ['-apc', LOADGEN_CPUS, String(child.pid)], { stdio: 'ignore' });
  const cpuBefore = process.cpuUsage();
  const run = await new Promise<Run>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Run));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
  });
  const cpu = process.cpuUsage(cpuBefore);
  const serverUs = cpu.user + cpu.system;
  return {
    ...run,
    serverCpuPct: serverUs / 1e4 / DURATION_S,
    serverUsPerEvent: serverUs / Math.max(1, run.eventsPerSec * DURATION_S),
  };
}

const writeResults = (section: string): void => writeBenchSection('ingest', section);

async function main(): Promise<void> {
  const logger = createLogger({ name: 'ingest-bench', level: 'warn' });
  const dbName = `bench_ingest_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const pool = createPool({ connectionString: dbUrl.toString(), schema: migrations.schema, max: 4 });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
  const prefix = `bench${Date.now()}.`;
  const kafka = createKafka({ brokers: BROKERS, clientId: 'ingest-bench', topicPrefix: prefix, logger });
  const topicAdmin = kafka.admin();
  await topicAdmin.ensureTopics(['eventsIngested', 'deadLetter']);
  const producer = kafka.producer({ name: 'ingest-bench' });
  await producer.connect();
  const redis = new Redis(REDIS_URL);
  const keyPrefix = `${prefix}`;
  const { token, record } = generateApiKey({ name: 'bench', scopes: ['ingest:write'], sourceId: 'bench' });
  const registry = createMetricsRegistry({ service: 'ingest-bench', collectDefault: false });
  const hasher = createIdentifierHasher('YmVuY2gtaWRlbnRpZmllci1oYXNoLWtleS0zMi1ieXRlcy1sb25nISE');
  // A deployment that has honoured erasures: 10,000 erased subjects (none of them in the load).
  const suppression = createStaticSuppressionChecker(
    Array.from({ length: 10_000 }, (_, i) =>
      suppressionKeysOf([{ type: 'email', value: `erased-${i}@example.com` }], hasher),
    ).flat(),
  );
  const app = await buildApp(
    {
      REDIS_KEY_PREFIX: keyPrefix,
      INGEST_DEDUPE_WINDOW_SECONDS: 3600,
      INGEST_RATE_LIMIT_PER_SECOND: 10_000_000,
      INGEST_ALLOW_UNREGISTERED_SOURCES: true,
      INGEST_DEFAULT_CHANNEL: 'web',
      INGEST_DEFAULT_REGION: 'US',
      INGEST_SOURCE_CACHE_SECONDS: 60,
    },
    {
      logger,
      registry,
      keys: createStaticKeyDirectory([record]),
      producer,
      redis,
      sources: createSourceStore(pool),
      imports: createImportStore(pool),
      suppression,
      hasher,
    },
  );
  const bare = fastify({ logger: false, bodyLimit: 1024 * 1024 });
  bare.post('/v1/track', async () => ({ success: true }));
  bare.post('/v1/batch', async () => ({ success: true }));
  const ingestUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const authorization = `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
  if (SERVER_CPUS) execFileSync('taskset', ['-apc', SERVER_CPUS, String(process.pid)], { stdio: 'ignore' });
  try {
    const rows: string[] = [];
    const runs = [
      ['single', 'single event', '/v1/track', 1],
      ['batch', `batch of ${BATCH}`, '/v1/batch', BATCH],
    ] as const;
    for (const [mode, label, pathName, events] of runs) {
      if (!MODES.includes(mode)) continue;
      const ingest = await load(ingestUrl, pathName, events, authorization);
      const baseline = await load(bareUrl, pathName, events, authorization);
      const n = (v: number) => Math.round(v).toLocaleString('en-US');
      rows.push(
        `| ${label} | ${n(ingest.eventsPerSec)} | ${ingest.p50} / ${ingest.p99} | ${n(baseline.eventsPerSec)} | ${baseline.p50} / ${baseline.p99} | ${(ingest.eventsPerSec / baseline.eventsPerSec).toFixed(2)} | ${ingest.non2xx} | ${n(ingest.serverCpuPct)} % / ${ingest.serverUsPerEvent.toFixed(1)} µs | ${n(ingest.loadgenCpuPct)} % |`,
      );
      console.log(label, { ingest, baseline });
    }
    const [load1, load5] = os.loadavg().map((l) => l.toFixed(2));
    const pinning =
      LOADGEN_CPUS || SERVER_CPUS
        ? `pinned with taskset: server on CPU ${SERVER_CPUS ?? 'any'}, autocannon on CPU ${LOADGEN_CPUS ?? 'any'}`
        : 'nothing pinned (BENCH_SERVER_CPUS / BENCH_LOADGEN_CPUS pin them with taskset)';
    const section = [
      '## Ingest',
      '',
      `Command: \`node bench/ts-runner.js bench/ingest-bench.ts\` (BENCH_DURATION_S=${DURATION_S}, BENCH_CONNECTIONS=${CONNECTIONS}, BENCH_BATCH=${BATCH}); ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load1} / ${load5} (1 / 5 min) at the end, Kafka/Redis/Postgres on the same machine, autocannon in a child process (its own event loop), ${pinning}. Node ${process.version}, ${process.execArgv.length > 0 ? `flags ${process.execArgv.join(' ')}` : 'default V8 flags'}.`,
      '',
      'Accepted events/s count only 2xx responses (each acknowledged by Kafka, acks=all, idempotent producer; deduplicated in Redis, rate-limited, suppression-checked). The bare endpoint is fastify parsing the same body and doing nothing. Server CPU is the bench process (which hosts ingest) over the ingest run, all threads, in % of one core and per accepted event; autocannon CPU shows whether the load generator could be the limit. Every batch holds 100 different users (the worst case for the per-request identifier-hash memo). Where the time goes: docs/ingest.md, "Performance".',
      '',
      '| requests | ingest events/s | ingest p50 / p99 ms | bare events/s | bare p50 / p99 ms | ratio | ingest non-2xx | server CPU / per event | autocannon CPU |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n');
    // A partial run (profiling one mode) must not replace the published table.
    if (runs.every(([mode]) => MODES.includes(mode))) writeResults(section);
    console.log(section);
  } finally {
    await app.close();
    await bare.close();
    await producer.disconnect();
    await topicAdmin.deleteTopicsByPrefix(prefix).catch(() => undefined);
    await topicAdmin.disconnect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    await redis.quit();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.end();
  }
}

const loadgenAt = process.argv.indexOf(LOADGEN_FLAG);
(loadgenAt >= 0 ? loadGenerator(JSON.parse(process.argv[loadgenAt + 1]!) as LoadTarget) : main()).catch(
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
