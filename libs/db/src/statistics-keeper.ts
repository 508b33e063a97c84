import type pg from 'pg';
import type { Logger } from '@tessera/observability';
import { assertSchemaName } from './identifiers';

export interface StatisticsKeeper {
  /** Checks every `intervalMs` (first check at once). */
  start(): void;
  /** Stops the timer and waits for a check in flight. */
  stop(): Promise<void>;
  /** One check: the tables analyzed (none while the server's autovacuum is on). */
  runOnce(): Promise<string[]>;
}

/**
 * Keeps the planner's statistics of one schema's tables current when the server's autovacuum is
 * off. The hot paths join a batch of keys (unnest, jsonb_to_recordset, `= ANY` of hundreds of
 * ids) against large tables; on a table never analyzed Postgres assumes each key matches 0.5 % of
 * it and plans a (parallel) sequential scan with an on-disk sort. Measured on ~600k-row tables:
 * consent's activation-member lock 87–218 ms per batch and profile-store's observation read
 * 380–720 ms, against an index scan once analyzed. With autovacuum on (Postgres' default, and
 * what docs/operations.md asks for) this does nothing. The trigger is autovacuum's own: rows
 * changed since the last analyze above 50 + 10 % of the table. Replicas take turns through an
 * advisory lock.
 */
export function createStatisticsKeeper(opts: {
  pool: pg.Pool;
  schema: string;
  logger: Logger;
  intervalMs?: number;
}): StatisticsKeeper {
  const schema = assertSchemaName(opts.schema);
  const log = opts.logger.child({ module: 'statistics-keeper', schema });
  const lockKey = `tessera:analyze:${schema}`;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let warned = false;

  async function runOnce(): Promise<string[]> {
    const client = await opts.pool.connect();
    try {
      const { rows: settings } = await client.query<{ on: boolean }>(
        "SELECT current_setting('autovacuum') = 'on' AS on",
      );
      if (settings[0]?.on) return [];
      if (!warned) {
        warned = true;
        log.warn(
          'autovacuum is off on this server: the service analyzes its own tables (docs/operations.md)',
        );
      }
      const { rows: locks } = await client.query<{ got: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS got',
        [lockKey],
      );
      if (!locks[0]?.got) return [];
      try {
        const { rows } = await client.query<{ name: string }>(
          `SELECT format('%I.%I', s.schemaname, s.relname) AS name
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = $1 AND c.relkind = 'r'
              AND s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
            ORDER BY s.n_mod_since_analyze DESC`,
          [schema],
        );
        const started = Date.now();
        for (const { name } of rows) await client.query(`ANALYZE ${name}`);
        const tables = rows.map((r) => r.name);
        if (tables.length > 0) log.info({ tables, ms: Date.now() - started }, 'tables analyzed');
        return tables;
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
      }
    } finally {
      client.release();
    }
  }

  const tick = () => {
    inFlight = inFlight
      .then(runOnce)
      .catch((err: unknown) => log.warn({ err }, 'analyzing tables failed; trying again next round'));
  };

  return {
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, opts.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
    runOnce,
  };
}
