import { AppError, type TopicId, type TopicMessage } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import type { Logger } from '@tessera/observability';
import type pg from 'pg';
import { outboxRelation, type OutboxLocation } from './outbox-table';

/** The part of the Kafka producer the relay needs (a TypedProducer satisfies it). */
export interface OutboxPublisher {
  publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[]): Promise<void>;
  publishTombstone(topic: TopicId, keys: string[]): Promise<void>;
}

export interface OutboxRelayOptions extends OutboxLocation {
  pool: pg.Pool;
  publisher: OutboxPublisher;
  logger: Logger;
  batchSize?: number;
  /** Poll interval when the outbox is empty. */
  idleMs?: number;
  /**
   * Called after each background round with rows published and rows still pending (0 after a
   * round that was not full; after a full one, the backlog as counted at most 5 s before), at
   * least every 10 s.
   */
  onRound?: (published: number, pending: number) => void;
  /** Called with the number of rows each committed `relayOnce` published (any caller). */
  onPublished?: (published: number) => void;
  /**
   * 0 (default): a published row is deleted in the transaction that published it. Above 0: it is
   * marked published and deleted this long after (to look at what went out while debugging), at
   * the price of a second row version per message and a periodic prune.
   */
  retainPublishedMs?: number;
}

export interface OutboxRelay {
  /** Starts the background loop: publishes whatever is pending (left by a crash, a failed send). */
  start(): void;
  /** Finishes the in-flight round, then stops. */
  stop(): Promise<void>;
  /**
   * One round: publishes up to batchSize pending rows in id order and returns how many it took
   * (published or set aside). Safe to call concurrently with the loop and other replicas: rows
   * another round holds are skipped. Call it right after a commit for low latency.
   */
  relayOnce(): Promise<number>;
  /**
   * Says rows were just committed: the background loop runs its next round now instead of after
   * its idle poll (or, mid-round, right after it). Cheap; call it after every commit that wrote rows.
   */
  nudge(): void;
  /** Pending (unpublished, not set aside) rows, for readiness and metrics. */
  pending(): Promise<number>;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  payload: unknown;
}

const BACKLOG_COUNT_INTERVAL_MS = 5_000;

/**
 * Publishes outbox rows in id order and deletes (or marks) them in the same transaction that locked
 * them (`FOR UPDATE SKIP LOCKED`, so replicas share the work). A crash after publishing but before
 * the commit republishes the rows: delivery is at-least-once and consumers dedupe (by `version`,
 * `changeId`, `auditId`, …). Nothing is published that was not committed, because rows only exist
 * once their change committed.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const batchSize = opts.batchSize ?? 500;
  const idleMs = opts.idleMs ?? 100;
  const retainMs = opts.retainPublishedMs ?? 0;
  const outbox = outboxRelation(opts);
  const log = opts.logger.child({ module: 'outbox-relay' });
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let nudged = false;
  let lastPrune = 0;
  let lastReport = 0;
  let lastCount = { at: Number.NEGATIVE_INFINITY, pending: 0 };
  const pendingCount = async () => {
    const { rows } = await opts.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${outbox} WHERE published_at IS NULL AND failed_reason IS NULL`,
    );
    return Number(rows[0]!.n);
  };

  // Counting the backlog reads every pending row, so under a backlog the loop counts at most every
  // few seconds (one count per full round made a backlog cost quadratic time to drain).
  async function backlog(): Promise<number> {
    if (Date.now() - lastCount.at >= BACKLOG_COUNT_INTERVAL_MS)
      lastCount = { at: Date.now(), pending: await pendingCount() };
    return lastCount.pending;
  }

  async function relayOnce(): Promise<number> {
    let published: string[] = [];
    const taken = await withTransaction(opts.pool, async (client) => {
      published = [];
      // The claim must walk the pending index in id order and stop after batchSize rows. Without
      // statistics on the table (new, or autovacuum off or behind, as on CI machines) the planner
      // guesses a handful of pending rows and prefers a bitmap scan of all of them plus a sort,
      // which made every round cost as much as the whole backlog (seconds per round at ~100k
      // pending, so the relay fell further behind the more it had to do). Ruling the sort out
      // leaves the ordered index scan.
      await client.query('SET LOCAL enable_sort = off');
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, topic, key, payload FROM ${outbox} WHERE published_at IS NULL AND failed_reason IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      // Consecutive rows of one topic and kind go in one send; order across runs is kept.
      let run: OutboxRow[] = [];
      const flush = async () => {
        if (run.length === 0) return;
        const topic = run[0]!.topic as TopicId;
        try {
          if (run[0]!.payload === null)
            await opts.publisher.publishTombstone(
              topic,
              run.map((r) => r.key),
            );
          else await opts.publisher.publish(topic, run.map((r) => r.payload) as TopicMessage<typeof topic>[]);
          published.push(...run.map((r) => r.id));
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'EVENT_SCHEMA_INVALID')) throw err;
          // Validation fails before anything is sent: set the run aside so the rows behind it flow.
          log.error(
            { err, topic, ids: run.map((r) => r.id) },
            'outbox messages rejected by the topic schema; set aside',
          );
          await client.query(`UPDATE ${outbox} SET failed_reason = $2 WHERE id = ANY($1::bigint[])`, [
            run.map((r) => r.id),
            err.message.slice(0, 2000),
          ]);
        }
        run = [];
      };
      for (const row of rows) {
        const last = run[run.length - 1];
        if (last && (last.topic !== row.topic || (last.payload === null) !== (row.payload === null)))
          await flush();
        run.push(row);
      }
      await flush();
      await client.query(
        retainMs > 0
          ? `UPDATE ${outbox} SET published_at = now() WHERE id = ANY($1::bigint[])`
          : `DELETE FROM ${outbox} WHERE id = ANY($1::bigint[])`,
        [published],
      );
      return rows.length;
    });
    if (published.length > 0) opts.onPublished?.(published.length);
    return taken;
  }

  async function prune(): Promise<void> {
    if (retainMs === 0 || Date.now() - lastPrune < 60_000) return;
    lastPrune = Date.now();
    await opts.pool.query(`DELETE FROM ${outbox} WHERE published_at < now() - make_interval(secs => $1)`, [
      retainMs / 1000,
    ]);
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (running) {
      try {
        nudged = false;
        const n = await relayOnce();
        failures = 0;
        if (opts.onRound && (n > 0 || Date.now() - lastReport > 10_000)) {
          lastReport = Date.now();
          opts.onRound(n, n === batchSize ? await backlog() : 0);
        }
        if (n === batchSize || nudged) continue;
        await prune();
      } catch (err) {
        failures += 1;
        // The broker or database being away heals by itself; say so loudly only when it persists.
        if (failures >= 10) log.error({ err, failures }, 'outbox relay keeps failing');
        else log.warn({ err, failures }, 'outbox relay round failed; retrying');
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        const delay = failures === 0 ? idleMs : Math.min(idleMs * 2 ** failures, 10_000);
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
    relayOnce,
    nudge() {
      nudged = true;
      wake?.();
    },
    pending: pendingCount,
  };
}
