/**
 * Profile-store ingestion benchmark: resolved events/s into Postgres through the real batched
 * write path, next to a bare pg INSERT of the same rows batched the same way in the same run, as a
 * ratio. Writes docs/benchmarks.md between the `bench:profile-store` markers. (API lookup latency
 * is measured by bench/profile-lookup-bench.ts.)
 *
 *   node bench/ts-runner.js bench/profile-store-bench.ts
 *   (env: BENCH_EVENTS, BENCH_PROFILES, BENCH_BATCH, BENCH_CONCURRENCY, BENCH_RUNS, BENCH_WARMUP_RUNS, DATABASE_URL;
 *    BENCH_SQL_TIMING=1 prints the time spent per statement, and does not write the docs;
 *    BENCH_CPU_PROFILE_DIR=dir writes a CPU profile of each run's ingestion window there)
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { uuidv7 } from '@tessera/contracts';
import { createProfileStoreCore, ingestResolvedBatch } from '@tessera/profile-store';
import { writeBenchSection } from './bench-report';
import { startCpuProfile } from './cpu-profile';
import { benchCoreSettings, createBenchDatabase, makeResolvedEvents } from './profile-seed';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = env('BENCH_EVENTS', 30_000);
const PROFILES = env('BENCH_PROFILES', 10_000);
const BATCH = env('BENCH_BATCH', 1000);
// Like the service's PROFILE_STORE_PARTITIONS_CONCURRENTLY default: every partition at once.
const CONCURRENCY = env('BENCH_CONCURRENCY', 12);
const RUNS = env('BENCH_RUNS', 3);
const WARMUP_RUNS = env('BENCH_WARMUP_RUNS', 1);
const SQL_TIMING = process.env.BENCH_SQL_TIMING === '1';
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
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
  const cpuProfile = PROFILE_DIR ? await startCpuProfile() : undefined;
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
  if (cpuProfile)
    console.log('CPU profile:', await cpuProfile.stop(PROFILE_DIR!, `profile-store-ingestion-${Date.now()}`));
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
  // The service runs for hours: the JIT-cold first pass of a fresh process is not its steady
  // state, so it is run first and reported, not counted.
  const warmups: IngestResult[] = [];
  for (let run = 0; run < (SQL_TIMING ? 0 : WARMUP_RUNS); run++) warmups.push((await oneRun()).ingest);
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
      `Command: \`node bench/ts-runner.js bench/profile-store-bench.ts\` (BENCH_EVENTS=${EVENTS}, BENCH_PROFILES=${PROFILES}, BENCH_BATCH=${BATCH}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_RUNS=${RUNS}, BENCH_WARMUP_RUNS=${WARMUP_RUNS}). The median of ${RUNS} runs (by events/s), each in a fresh database, after ${WARMUP_RUNS} warm-up run${WARMUP_RUNS === 1 ? '' : 's'} in the same process (BENCH_WARMUP_RUNS; JIT-cold, not counted: ${warmups.map((w) => Math.round(w.eventsPerSecond)).join(', ') || 'none'} events/s); measured runs: ${spread} events/s.`,
      '',
      '| measure | profile store | bare pg baseline | ratio | target |',
      '|---|---|---|---|---|',
      `| ingestion, resolved events/s (batches of ${BATCH}, ${CONCURRENCY} concurrent streams) | ${Math.round(ingest.eventsPerSecond)} | ${Math.round(ingest.bareRowsPerSecond)} rows/s (plain INSERT) | ${(ingest.bareRowsPerSecond / ingest.eventsPerSecond).toFixed(1)}× slower | ≥ 10,000 |`,
      `| same, batches with first sightings of profiles (${Math.ceil(PROFILES / CONCURRENCY / BATCH) * BATCH * CONCURRENCY} events) | ${Math.round(ingest.firstSightPerSecond)} | | | |`,
      `| same, the remaining batches (returning profiles: page views, orders) | ${Math.round(ingest.returningPerSecond)} | | | |`,
      '',
      `CPU per event: ${(ingest.nodeCpuMsPerEvent * 1000).toFixed(0)} µs in the Node process, ${(ingest.pgCpuMsPerEvent * 1000).toFixed(0)} µs in the Postgres backends serving it (from /proc; WAL writer and checkpointer not included). Each ingested event writes the timeline row, its idempotency key, the identity sighting, trait observations (personal ones encrypted), golden-record and computed-trait updates and one outbox row per changed profile, in one transaction per batch; the baseline inserts the same number of rows (id, profile, time, whole event as jsonb) into a table with only a primary key. The workload: ${PROFILES} profiles, the first event of each an identify with three traits, then page views and orders (every fifth event), a third of them from a second source.`,
      '',
      `Target ≥ 10,000 events/s: ${ingest.eventsPerSecond >= 10_000 ? 'met' : 'not met'} in this run's median (${Math.round(ingest.eventsPerSecond)} events/s; slowest run ${Math.round(byRate[0]!.eventsPerSecond)}). `,
      '',
      'Where the time goes (CPU profile of the ingestion window of a warm run, `BENCH_CPU_PROFILE_DIR=…`, 2026-11-29 14:55Z, Intel Xeon VM; BENCH_SQL_TIMING=1 gives the time per statement): Node ~70 µs per event, Postgres ~56 µs. In Node, garbage collection is the largest item (~19 µs per event, almost all scavenges: a batch of 1000 events stays alive across its ~14 round trips, so much of it is copied before it dies), then building the JSON of the set-based statements (outbox ~5 µs, timeline rows ~4.5 µs, profiles UPDATE ~3 µs), crypto for first sightings (AES-GCM ~4.4 µs and HMAC value keys ~2.2 µs per event on average; each new customer seals three values and an identity), survivorship for touched traits (~3 µs), the pg driver parsing locked rows (~2.5 µs) and opening personal traits for the feed (~3.6 µs, most from the cache of opened values). About a quarter of the wall time the Node thread waited for Postgres with three batches in flight (the concurrency then). In Postgres the events INSERT, the identities upsert, the profiles UPDATE and the outbox INSERT lead.',
      '',
      'Third round (2026-11-29 afternoon, Intel Xeon VM): a data key now seals up to 10,000 values instead of one (`FieldEncryptor`, see docs/privacy.md; one AES-GCM operation per value instead of two), uuid[] parameters are sent as prebuilt literals instead of being quoted per element by pg, the idempotency-key insert returns only keys already stored instead of every fresh one, and locked profiles parse their provenance and timestamps only when used. Two alternating pairs of 3-run processes, the code before (9ae6c0c) against after, same machine: Node 74–79 µs per event before and 70–72 after in the warm runs, Postgres unchanged (56–57 µs), warm runs 10,000–10,200 events/s before and 10,300–10,700 after. Then the service and this bench went from 3 to 12 batches in flight (PROFILE_STORE_PARTITIONS_CONCURRENTLY and BENCH_CONCURRENCY default to 12, every partition of events.resolved; the reason was the e2e freshness tail, see src/config.ts): two alternating pairs of 3-run processes (after a warm-up run) gave 9,320–9,640 events/s at 3 and 10,070–10,640 at 12, Postgres CPU per event 61–62 → 80–83 µs (more statements in parallel on the same two cores; Node spends less time waiting). Run to run this bench moves by ±5 % on this VM: the section above is one run; five more runs at 12 streams (two in the A/B at 15:45Z, three of the final code at 16:35Z) gave medians of 10,346, 10,553, 9,854, 9,843 and 9,743 events/s, so the store sits at the 10,000 target here rather than safely over it.',
      '',
      'Earlier rounds (same day, the Intel VM; bench runs then reported 5,700–8,100 events/s): personal values opened once for the feed (bounded cache), only changed golden columns written, HOT updates through a fillfactor on `profiles` and `identities` (profiles UPDATE 4,007 → 1,595 WAL records per batch), identity rows rewritten only on change or an hour of last_seen (Node 167–177 → 134–137 µs per event); then a pooled CSPRNG buffer for keys and IVs, change detection without JSON.stringify, one-pass event mapping, and the profiles UPDATE carrying only changed computed keys (Node → 87–94 µs in warm runs).',
      '',
      `Machines differ: the rounds above were measured on 2-core Intel Xeon VMs. The table at the top comes from whatever machine ran it last (${cpus} this time); compare the ratio column across machines, not events/s. On a 2-core AMD EPYC VM at 2.1 GHz whose bare INSERT was ~1.7× slower (~72k rows/s), the code before the third round landed at 4,600–6,100 events/s, and 10,000 events/s there would need under 200 µs of Node + Postgres CPU per event with both cores doing nothing else (now ~126 µs on the Intel VM).`,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
