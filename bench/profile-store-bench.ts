/**
 * Profile-store ingestion benchmark: resolved events/s into Postgres through the real batched
 * write path, next to a bare pg INSERT of the same rows batched the same way in the same run, as a
 * ratio. Writes docs/benchmarks.md between the `bench:profile-store` markers. (API lookup latency
 * is measured by bench/profile-lookup-bench.ts.)
 *
 *   node bench/ts-runner.js bench/profile-store-bench.ts
 *   (env: BENCH_EVENTS, BENCH_PROFILES, BENCH_BATCH, BENCH_CONCURRENCY, BENCH_RUNS, DATABASE_URL;
 *    BENCH_SQL_TIMING=1 prints the time spent per statement, and does not write the docs)
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { uuidv7, type ResolvedEventV1 } from '@tessera/contracts';
import { LocalKeyring } from '@tessera/crypto';
import { createPool, migrate } from '@tessera/db';
import { createProfileStoreCore, ingestResolvedBatch, migrations } from '@tessera/profile-store';
import { writeBenchSection } from './bench-report';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = env('BENCH_EVENTS', 30_000);
const PROFILES = env('BENCH_PROFILES', 10_000);
const BATCH = env('BENCH_BATCH', 1000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 3);
const RUNS = env('BENCH_RUNS', 3);
const SQL_TIMING = process.env.BENCH_SQL_TIMING === '1';
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const settings = {
  IDENTIFIER_HASH_KEY: 'YmVuY2gtaWRlbnRpZmllci1oYXNoLWtleS0zMi1ieXRlcy1sb25nISE',
  PII_KEYRING: `bench:${LocalKeyring.generateKey()}`,
  REPORTING_CURRENCY: 'USD',
};

const emailOf = (i: number) => `bench.user${i}@example.com`;

function makeEvents(
  profileIds: string[],
  hasher: (type: string, value: string) => string,
): ResolvedEventV1[][] {
  const streams: ResolvedEventV1[][] = Array.from({ length: CONCURRENCY }, () => []);
  const start = Date.now() - 90 * 86_400_000;
  for (let n = 0; n < EVENTS; n++) {
    const p = n % PROFILES;
    const first = n < PROFILES;
    const identifiers = [{ type: 'email', value: emailOf(p) }];
    const at = new Date(start + Math.floor((n / EVENTS) * 89 * 86_400_000)).toISOString();
    const isOrder = !first && n % 5 === 0;
    const event: ResolvedEventV1 = {
      schemaVersion: 1,
      profileId: profileIds[p]!,
      event: {
        schemaVersion: 1,
        eventId: uuidv7(),
        messageId: `m-${n}`,
        sourceId: n % 3 === 0 ? 'shop' : 'web',
        channel: n % 3 === 0 ? 'ecommerce' : 'web',
        type: first ? 'identify' : isOrder ? 'track' : 'page',
        ...(isOrder ? { event: 'Order Completed' } : {}),
        ...(!first && !isOrder ? { name: 'Home' } : {}),
        identifiers,
        traits: first ? { email: emailOf(p), firstName: `User${p}`, plan: p % 2 ? 'pro' : 'free' } : {},
        properties: isOrder ? { revenue: 10 + (n % 90), currency: 'USD' } : { path: '/' },
        context: {},
        timestamp: at,
        receivedAt: at,
        consentSignals: [],
      },
      identifierHashes: identifiers.map((i) => ({ type: i.type, hash: hasher(i.type, i.value) })),
      newProfile: first,
      decisions: [],
      resolvedAt: at,
    };
    // Like Kafka partitions keyed by profile id: one profile always lands in the same stream.
    streams[p % CONCURRENCY]!.push(event);
  }
  return streams;
}

/** Client-side time per statement (first words of the SQL), summed over every batch. */
function timeStatements(): Map<string, { calls: number; ms: number }> {
  const totals = new Map<string, { calls: number; ms: number }>();
  const original = pg.Client.prototype.query;
  const timed = async function (this: pg.Client, ...args: unknown[]) {
    const sql = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text);
    const label = sql.replace(/\s+/g, ' ').trim().slice(0, 70);
    const t = performance.now();
    try {
      return await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } finally {
      const entry = totals.get(label) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += performance.now() - t;
      totals.set(label, entry);
    }
  };
  pg.Client.prototype.query = timed as unknown as typeof original;
  return totals;
}

/** CPU seconds (user + system) of the Postgres backends serving this database, from /proc. */
async function backendCpuSeconds(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const { pid } of rows) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // the backend exited between the query and the read
    }
  }
  return total;
}

async function benchIngestion(
  pool: pg.Pool,
  core: ReturnType<typeof createProfileStoreCore>,
  profileIds: string[],
) {
  const streams = makeEvents(profileIds, core.hasher);
  const statements = SQL_TIMING ? timeStatements() : undefined;
  // Open the pool's connections first so every backend that does the work is counted.
  const warm = await Promise.all(Array.from({ length: CONCURRENCY + 1 }, () => pool.connect()));
  warm.forEach((c) => c.release());
  const pgCpuBefore = await backendCpuSeconds(pool);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // First sight (identify of a new profile: new identity, three traits, two of them personal, all
  // sealed) costs more than a returning profile's page view or order; each stream's batches holding
  // any first sight end the first phase.
  const firstPhaseEnds: number[] = [];
  await Promise.all(
    streams.map(async (events) => {
      for (let i = 0; i < events.length; i += BATCH) {
        const batch = events.slice(i, i + BATCH);
        await ingestResolvedBatch(core, batch);
        if (batch.some((e) => e.newProfile)) firstPhaseEnds.push(performance.now());
      }
    }),
  );
  const ended = performance.now();
  const seconds = (ended - started) / 1000;
  const firstPhaseEnd = Math.max(...firstPhaseEnds);
  const firstEvents = Math.min(EVENTS, Math.ceil(PROFILES / CONCURRENCY / BATCH) * BATCH * CONCURRENCY);
  const cpu = process.cpuUsage(cpuBefore);
  const pgCpu = (await backendCpuSeconds(pool)) - pgCpuBefore;
  if (statements) {
    const sorted = [...statements].sort((a, b) => b[1].ms - a[1].ms);
    for (const [sql, t] of sorted)
      console.log(`${t.ms.toFixed(0).padStart(7)} ms ${String(t.calls).padStart(5)}×  ${sql}`);
  }
  // Baseline: the same number of rows, batched the same way, into a plain table with one index.
  await pool.query(
    'CREATE TABLE bare_events (event_id uuid PRIMARY KEY, profile_id uuid, occurred_at timestamptz, payload jsonb)',
  );
  const bareStarted = performance.now();
  await Promise.all(
    streams.map(async (events) => {
      for (let i = 0; i < events.length; i += BATCH) {
        const rows = events
          .slice(i, i + BATCH)
          .map((e) => ({ id: e.event.eventId, p: e.profileId, t: e.event.timestamp, payload: e.event }));
        await pool.query(
          `INSERT INTO bare_events SELECT id, p, t, payload FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, p uuid, t timestamptz, payload jsonb)`,
          [JSON.stringify(rows)],
        );
      }
    }),
  );
  const bareSeconds = (performance.now() - bareStarted) / 1000;
  return {
    eventsPerSecond: EVENTS / seconds,
    firstSightPerSecond: firstEvents / ((firstPhaseEnd - started) / 1000),
    returningPerSecond: (EVENTS - firstEvents) / ((ended - firstPhaseEnd) / 1000),
    bareRowsPerSecond: EVENTS / bareSeconds,
    seconds,
    nodeCpuMsPerEvent: (cpu.user + cpu.system) / 1000 / EVENTS,
    pgCpuMsPerEvent: (pgCpu * 1000) / EVENTS,
  };
}

type IngestResult = Awaited<ReturnType<typeof benchIngestion>>;

/** One run in a database of its own (migrated, empty), dropped afterwards. */
async function oneRun(): Promise<{ ingest: IngestResult; serverVersion: string }> {
  const dbName = `bench_profile_store_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const pool = createPool({ connectionString: url.toString(), schema: migrations.schema, max: 20 });
  try {
    await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
    const core = createProfileStoreCore(settings, pool);
    const profileIds = Array.from({ length: PROFILES }, () => uuidv7());
    const ingest = await benchIngestion(pool, core, profileIds);
    console.log('ingestion', ingest);
    const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
    return { ingest, serverVersion: rows[0]?.server_version ?? '?' };
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]!.toFixed(1);
  const results: IngestResult[] = [];
  let serverVersion = '?';
  for (let run = 0; run < (SQL_TIMING ? 1 : RUNS); run++) {
    const r = await oneRun();
    results.push(r.ingest);
    serverVersion = r.serverVersion;
  }
  if (SQL_TIMING) return;
  // Other work shares the 2 cores: report the median run (by events/s) and the spread.
  const byRate = [...results].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  const ingest = byRate[Math.floor(byRate.length / 2)]!;
  const spread = `${Math.round(byRate[0]!.eventsPerSecond)}–${Math.round(byRate[byRate.length - 1]!.eventsPerSecond)}`;
  const cpus = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`;
  const load = os.loadavg()[0]!.toFixed(1);
  writeBenchSection(
    'profile-store',
    [
      '## Profile store',
      '',
      `Run ${new Date().toISOString().slice(0, 16)}Z on ${cpus} (shared with other work; load average ${loadBefore} before, ${load} at the end), PostgreSQL ${serverVersion} local (synchronous_commit on), Node ${process.version}.`,
      `Command: \`node bench/ts-runner.js bench/profile-store-bench.ts\` (BENCH_EVENTS=${EVENTS}, BENCH_PROFILES=${PROFILES}, BENCH_BATCH=${BATCH}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_RUNS=${RUNS}). The median of ${RUNS} runs (by events/s), each in a fresh database; all runs: ${spread} events/s.`,
      '',
      '| measure | profile store | bare pg baseline | ratio | target |',
      '|---|---|---|---|---|',
      `| ingestion, resolved events/s (batches of ${BATCH}, ${CONCURRENCY} concurrent streams) | ${Math.round(ingest.eventsPerSecond)} | ${Math.round(ingest.bareRowsPerSecond)} rows/s (plain INSERT) | ${(ingest.bareRowsPerSecond / ingest.eventsPerSecond).toFixed(1)}× slower | ≥ 10,000 |`,
      `| same, batches with first sightings of profiles (${Math.ceil(PROFILES / CONCURRENCY / BATCH) * BATCH * CONCURRENCY} events) | ${Math.round(ingest.firstSightPerSecond)} | | | |`,
      `| same, the remaining batches (returning profiles: page views, orders) | ${Math.round(ingest.returningPerSecond)} | | | |`,
      '',
      `CPU per event: ${(ingest.nodeCpuMsPerEvent * 1000).toFixed(0)} µs in the Node process, ${(ingest.pgCpuMsPerEvent * 1000).toFixed(0)} µs in the Postgres backends serving it (from /proc; WAL writer and checkpointer not included). Each ingested event writes the timeline row, its idempotency key, the identity sighting, trait observations (personal ones encrypted), golden-record and computed-trait updates and one outbox row per changed profile, in one transaction per batch; the baseline inserts the same number of rows (id, profile, time, whole event as jsonb) into a table with only a primary key. The workload: ${PROFILES} profiles, the first event of each an identify with three traits, then page views and orders (every fifth event), a third of them from a second source.`,
      '',
      'Where the time goes (2026-11-29, `node --cpu-prof` and EXPLAIN (ANALYZE, BUFFERS, WAL) per statement on this workload): the Node process is two thirds of the CPU. A first sighting seals three values (raw identifier, email, first name), and `crypto.randomBytes`, called three times per sealed value inside `FieldEncryptor`, was the largest single item (~17 µs per event on average); the rest is garbage collection, JSON building for the set-based statements and the pg driver. In Postgres the identities upsert, the events INSERT, the profiles UPDATE and the trait-observation INSERT lead (about 10–25 ms each per batch of 1000). Changes that moved the ratio: ingestion writes only `computed`/`version` plus the golden columns whose values changed (no snapshot serialisation); `profiles` and `identities` have a fillfactor so these updates are HOT (profiles UPDATE 4,007 → 1,595 WAL records per batch); an identity row is rewritten only when a sighting changes it or moves last_seen by an hour; personal values are opened once for the feed (bounded cache) instead of decrypted for every message; the identity pre-check returns only identifiers without a sealed value. Before/after, three alternating runs each of this bench on the code before these changes and after them, same machine, load average 2.9–4.2 (2026-11-29 09:34Z): before 4,100–4,700 events/s (returning profiles 5,500–7,200, Node 167–177 µs and Postgres 73–74 µs CPU per event), after 5,700–6,800 events/s (returning profiles 10,500–10,750, first sightings 3,400–4,400, Node 134–137 µs and Postgres 71–74 µs CPU per event).',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
