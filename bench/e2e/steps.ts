/**
 * One measured step: offer the traffic generator's Segment messages to ingest at a rate (or as fast
 * as possible) for a bounded time, then wait (bounded) for them to settle in profile-store.
 */
import { sendWorld, type WorldMessage } from '@tessera/traffic';
import { startResourceWindow, type ProcessGroup, type ResourceUse } from './resources';
import { percentile, type SettleTracker, type StepOutcome } from './settle-tracker';

export interface StepResult {
  label: string;
  offeredPerSec: number | null;
  sendSeconds: number;
  accepted: number;
  rejected: number;
  acceptedPerSec: number;
  settled: number;
  settledPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  /** p50 / p99 ms of each hop of the freshness (see StepOutcome.hops). */
  hops: Record<keyof StepOutcome['hops'], { p50: number; p99: number }>;
  resources: ResourceUse[];
  /** Deadlocks Postgres detected in the platform's database during the step (each stalls ~1 s). */
  deadlocks: number;
}

export interface StepOptions {
  label: string;
  /** Events per second; null: as fast as `concurrency` allows. */
  rate: number | null;
  seconds: number;
  drainSeconds: number;
  next: (n: number) => WorldMessage[];
  ingestUrl: string;
  writeKey: string;
  tracker: SettleTracker;
  groups: ProcessGroup[];
  batchSize: number;
  concurrency: number;
  /** The platform database's cumulative deadlock count (pg_stat_database). */
  deadlocks: () => Promise<number>;
  log: (line: string) => void;
}

// as-fast-as-possible steps are cut by time; this bounds how many messages we generate for them
const MAX_STEP_EVENTS = 400_000;

export async function runStep(opts: StepOptions): Promise<StepResult> {
  const total = opts.rate === null ? MAX_STEP_EVENTS : Math.round(opts.rate * opts.seconds);
  const messages = opts.next(total);
  const acks = new Map<string, number>();
  const window = startResourceWindow(opts.groups);
  const deadlocksBefore = await opts.deadlocks();
  const startedAt = Date.now();
  // nothing produced before this step can settle one of its events
  opts.tracker.ignoreBefore(startedAt);
  const signal = AbortSignal.timeout(opts.rate === null ? opts.seconds * 1000 : (opts.seconds + 30) * 1000);
  const sent = await sendWorld({
    messages,
    collectOutcomes: false,
    ingestUrl: opts.ingestUrl,
    writeKeys: { default: opts.writeKey },
    ...(opts.rate === null ? {} : { rate: opts.rate }),
    concurrency: opts.concurrency,
    batchSize: opts.batchSize,
    maxAttempts: 3,
    signal,
    onOutcome: (o) => {
      if (o.accepted && o.ackAt !== undefined) acks.set(o.id, o.ackAt);
    },
  }).catch((err: unknown) => {
    // an aborted send still reports what it acknowledged through onOutcome
    if (signal.aborted) return undefined;
    throw err;
  });
  const sendSeconds = (Date.now() - startedAt) / 1000;
  opts.log(`  ${opts.label}: ${acks.size} accepted in ${sendSeconds.toFixed(1)} s; draining`);

  // bounded drain: until everything settled, no progress for 10 s, or the drain budget is spent
  const drainDeadline = Date.now() + opts.drainSeconds * 1000;
  let settled = opts.tracker.countSettled(acks);
  let seen = opts.tracker.seen;
  let lastProgress = Date.now();
  while (settled < acks.size && Date.now() < drainDeadline && Date.now() - lastProgress < 10_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = opts.tracker.countSettled(acks);
    // progress: events settled, or the feed consumers still reading what came before them
    if (now > settled || opts.tracker.seen > seen) lastProgress = Date.now();
    settled = now;
    seen = opts.tracker.seen;
  }
  const resources = window();
  const outcome = opts.tracker.outcome(acks);
  const settleSeconds = Math.max(0.001, ((outcome.lastSettledAt || Date.now()) - startedAt) / 1000);
  const result: StepResult = {
    label: opts.label,
    offeredPerSec: opts.rate,
    sendSeconds,
    accepted: acks.size,
    rejected: sent?.rejected ?? 0,
    acceptedPerSec: acks.size / sendSeconds,
    settled: outcome.settled,
    settledPerSec: outcome.settled / settleSeconds,
    p50: percentile(outcome.freshness, 50),
    p95: percentile(outcome.freshness, 95),
    p99: percentile(outcome.freshness, 99),
    hops: {
      identity: { p50: percentile(outcome.hops.identity, 50), p99: percentile(outcome.hops.identity, 99) },
      profileStore: {
        p50: percentile(outcome.hops.profileStore, 50),
        p99: percentile(outcome.hops.profileStore, 99),
      },
      feed: { p50: percentile(outcome.hops.feed, 50), p99: percentile(outcome.hops.feed, 99) },
    },
    resources,
    deadlocks: (await opts.deadlocks()) - deadlocksBefore,
  };
  opts.log(
    `  ${opts.label}: accepted ${result.acceptedPerSec.toFixed(0)}/s, settled ${result.settled}/${result.accepted} at ${result.settledPerSec.toFixed(0)}/s, ` +
      `freshness p50 ${result.p50} p95 ${result.p95} p99 ${result.p99} ms ` +
      `(p50/p99 by hop: to identity ${result.hops.identity.p50}/${result.hops.identity.p99}, ` +
      `through profile-store ${result.hops.profileStore.p50}/${result.hops.profileStore.p99}, ` +
      `feed to bench ${result.hops.feed.p50}/${result.hops.feed.p99}; ${result.deadlocks} deadlocks)`,
  );
  return result;
}
