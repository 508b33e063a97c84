import type { Logger } from '@tessera/observability';
import type pg from 'pg';
import { refitClv, rescoreRfm, type ScoringDeps } from './scoring-jobs';

// Advisory lock keys: one replica runs a job at a time (others skip the round).
const LOCK_SCORING = 0x7072_6f66; // "prof"
const LOCK_PARTITIONS = 0x7061_7274; // "part"

/** Runs `fn` only if this session wins the advisory lock; the lock is released after. */
export async function withJobLock<T>(
  pool: pg.Pool,
  key: number,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
    if (!rows[0]!.ok) return undefined;
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}

/** Creates next months' event partitions (the migration made the first ones). */
export async function ensurePartitions(pool: pg.Pool, monthsAhead = 3): Promise<number> {
  const { rows } = await pool.query<{ created: number }>(
    `SELECT ensure_event_partitions(date_trunc('month', now())::date, $1) AS created`,
    [monthsAhead + 1],
  );
  return rows[0]!.created;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
}

/**
 * In-process scheduler for the periodic jobs: partitions ahead (hourly), RFM rescoring and CLV
 * refit (every `intervalMinutes`). Each round takes an advisory lock, so N replicas do the work once.
 */
export function createScheduler(
  deps: ScoringDeps & { logger: Logger; intervalMinutes: number; horizonWeeks: number },
): Scheduler {
  const log = deps.logger.child({ module: 'scheduler' });
  const timers: NodeJS.Timeout[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  const every = (ms: number, name: string, job: () => Promise<unknown>) => {
    const run = () => {
      inFlight = inFlight
        .then(job)
        .catch((err: unknown) =>
          log.warn({ err, job: name }, 'scheduled job failed; it runs again next round'),
        );
    };
    timers.push(setTimeout(run, 5_000), setInterval(run, ms));
  };
  return {
    start() {
      every(3_600_000, 'partitions', () =>
        withJobLock(deps.pool, LOCK_PARTITIONS, () => ensurePartitions(deps.pool)),
      );
      if (deps.intervalMinutes > 0) {
        every(deps.intervalMinutes * 60_000, 'scoring', () =>
          withJobLock(deps.pool, LOCK_SCORING, async () => {
            const rfm = await rescoreRfm(deps);
            const clv = await refitClv(deps, { horizonWeeks: deps.horizonWeeks });
            log.info(
              {
                rfmProfiles: rfm,
                clvProfiles: clv.profilesScored,
                customers: clv.customers,
                reason: clv.reason,
              },
              'scoring round done',
            );
          }),
        );
      }
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      await inFlight;
    },
  };
}
