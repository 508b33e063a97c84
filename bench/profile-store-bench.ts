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
import { uuidv7 } from '@tessera/contracts';
import { createProfileStoreCore, ingestResolvedBatch } from '@tessera/profile-store';
import { writeBenchSection } from './bench-report';
import { benchCoreSettings, createBenchDatabase, makeResolvedEvents } from './profile-seed';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = env('BENCH_EVENTS', 30_000);
const PROFILES = env('BENCH_PROFILES', 10_000);
const BATCH = env('BENCH_BATCH', 1000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 3);
const RUNS = env('BENCH_RUNS', 3);
const SQL_TIMING = process.env.BENCH_SQL_TIMING === '1';
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
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
  // Like Kafka partitions keyed by profile id: one profile always lands in the same stream.
  const streams = makeResolvedEvents(profileIds, core.hasher, {
    events: EVENTS,
    streams: CONCURRENCY,
    emailOnly: true,
  });
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
  const db = await createBenchDatabase(ADMIN_URL, 'bench_profile_store', 20);
  const pool = db.pool;
  try {
    const core = createProfileStoreCore(benchCoreSettings(), pool);
    const profileIds = Array.from({ length: PROFILES }, () => uuidv7());
    const ingest = await benchIngestion(pool, core, profileIds);
    console.log('ingestion', ingest);
    const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
    return { ingest, serverVersion: rows[0]?.server_version ?? '?' };
  } finally {
    await db.drop();
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
      'Where the time goes (2026-11-29 10:00Z, `node --cpu-prof` of a BENCH_RUNS=1 run, which also covers setup, so per-event figures are approximate; BENCH_SQL_TIMING=1 per statement): the Node process is still well over half of the CPU. Garbage collection is the largest Node item (~25 µs per event, almost all scavenges: a batch of 1000 events stays alive across its ~15 round trips), then socket writes of the statements (~11 µs), crypto (~13 µs per event on average, ~40 µs per first sighting: each of its three sealed values is envelope-encrypted with a fresh data key, two AES-256-GCM operations, plus an HMAC value key), the pg driver parsing locked profile and observation rows (~9 µs) and JSON building for the set-based statements (~10 µs). In Postgres the events INSERT, the identities upsert, the profiles UPDATE and the outbox INSERT lead (about 60–75 ms each per batch of 1000 with 3 batches in flight).',
      '',
      'Second round of CPU work (2026-11-29, Node only; the statements Postgres runs are the same): `FieldEncryptor` draws data keys and IVs from a pooled CSPRNG buffer (16 KiB per `randomBytes` call, a fresh buffer per refill, each byte handed out once; same `e1` format and envelope design) instead of three `randomBytes` calls per sealed value (~17 µs per event before); computed-trait and golden-value change detection compares values directly instead of two `JSON.stringify` per key; events are mapped in one pass and identity sightings folded without per-sighting copies; `foldEvents` parses each time once; the profiles UPDATE carries only the computed keys that changed (`computed || patch`; its statement time did not change measurably). Before/after: three alternating pairs of this bench (BENCH_RUNS=1), the code before this round (b0d144c) against the current code, same machine, three times while the round progressed (load average 1.3–3.7): Node CPU per event 133–140 µs before, 118–125 µs after (Postgres 70–74 µs in both); in the two quieter sets (load ≤ 2.9) 6,500–6,900 events/s before and 7,200–7,600 after, first sightings 3,950–4,460 → 4,650–5,020, returning profiles about the same (10,200–11,600 → 10,900–12,200). Those are single, cold runs; in a 3-run process (as for the table) runs after the first are JIT-warm, and two alternating 3-run pairs (load average 2.7–5.0) gave Node 107–115 µs per event before and 87–94 µs after in the warm runs (first runs 129–130 → 112–121 µs). Earlier round (09:34Z, same method): writing only the changed golden columns, HOT updates through a fillfactor on `profiles` and `identities` (profiles UPDATE 4,007 → 1,595 WAL records per batch), identity rows rewritten only on change or an hour of last_seen, personal values opened once for the feed (bounded cache), took the bench from 4,100–4,700 to 5,700–6,800 events/s (Node 167–177 → 134–137 µs per event). The ≥ 10,000 target is not met on these shared cores: at 90–120 µs Node plus ~72 µs Postgres CPU per event, 10,000 events/s needs 1.6–1.9 of the 2 cores for ingestion alone (WAL writer, checkpointer and Kafka not counted), and the single Node thread tops out near 8,000–11,000 events/s; getting there needs less work per event in both processes (garbage and statement size first) or more cores.',
      '',
      `Machines differ: the two rounds above were measured on a 2-core Intel Xeon VM, where the same command gave 8,144 events/s against a bare-INSERT baseline of 122,721 rows/s (15.1× slower). The table at the top comes from whatever machine ran it last (${cpus} this time); compare the ratio column across machines, not events/s. On a VM whose bare INSERT is ~1.7× slower, as here when this note was written (AMD EPYC at 2.1 GHz: ~72k rows/s), the store lands near 5,000–6,000 events/s for the same ~230 µs of Node + Postgres CPU per event, and 10,000 events/s would need under 200 µs per event with both cores doing nothing else.`,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
