/**
 * An open-loop, fixed-rate load generator for latency benches, run in a child process pinned to
 * one core (`taskset`), so the generator neither shares the server's event loop nor competes with
 * it for every core.
 *
 * Why not autocannon's `overallRate`: autocannon limits each connection to rate/connections
 * requests per one-second window and sends them back to back, so a 2,000 req/s run offers ~6,000
 * req/s for the first third of every second and nothing for the rest (measured: 300 arrivals per
 * 50 ms, then silence). It also corrects coordinated omission with an "expected interval" of
 * ceil(1/rate) = 1 ms, which adds synthetic samples to every response slower than 1 ms. Here
 * request i is due at start + i/rate, whatever happened to earlier ones, and its latency runs from
 * that due time (so a stalled server or generator shows up in the percentiles instead of lowering
 * the offered rate).
 */
import pg from 'pg';
import { Pool } from 'undici';

export interface HttpLoadSpec {
  kind: 'http';
  /** `http://host:port` */
  origin: string;
  /** Request paths, used round-robin. */
  paths: string[];
  headers: Record<string, string>;
  rate: number;
  durationS: number;
  /** Unmeasured seconds at the same rate first, on the same connections (paths from the end). */
  warmupS?: number;
}

export interface PgLoadSpec {
  kind: 'pg';
  connectionString: string;
  schema: string;
  /** Connections in the client-side pool (the API's pool size, for a like-for-like floor). */
  connections: number;
  sql: string;
  /** One parameter per query, used round-robin. */
  params: string[];
  rate: number;
  durationS: number;
  /** Unmeasured seconds at the same rate first, on the same connections (params from the end). */
  warmupS?: number;
}

export type LoadSpec = HttpLoadSpec | PgLoadSpec;

export interface LoadResult {
  /** Requests due in the run (rate × duration). */
  offered: number;
  completed: number;
  /** Completed per second of the run (until the last response). */
  achievedRps: number;
  /** Transport errors plus non-2xx answers. */
  errors: number;
  /** Latency from each request's due time to its complete response, ms. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Worst delay between a request's due time and its actual send (generator lag), ms. */
  maxSendLagMs: number;
  /** Requests completed in the unmeasured warm-up before the run (`warmupS`), 0 without one. */
  warmupCompleted: number;
}

const quantile = (sorted: Float64Array, q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * Fires `send(i)` for i = 0, 1, … at `rate` per second for `durationS` seconds (open loop: a slow
 * answer never delays the next request) and resolves once every request has settled.
 */
async function openLoop(
  rate: number,
  durationS: number,
  send: (i: number) => Promise<boolean>,
): Promise<LoadResult> {
  const total = Math.round(rate * durationS);
  const latencies = new Float64Array(total);
  const intervalMs = 1000 / rate;
  let errors = 0;
  let completed = 0;
  let maxSendLagMs = 0;
  let lastDone = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        const i = next++;
        const due = start + i * intervalMs;
        maxSendLagMs = Math.max(maxSendLagMs, now - due);
        pending.push(
          send(i).then(
            (ok) => {
              lastDone = performance.now();
              latencies[completed++] = lastDone - due;
              if (!ok) errors++;
            },
            () => {
              lastDone = performance.now();
              latencies[completed++] = lastDone - due;
              errors++;
            },
          ),
        );
      }
      if (next >= total) resolve();
      // setTimeout(0) fires after ~1 ms: each tick sends the requests that fell due meanwhile.
      else setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  const sorted = latencies.subarray(0, completed).sort();
  return {
    offered: total,
    completed,
    achievedRps: completed / ((lastDone - start) / 1000),
    errors,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? NaN,
    maxSendLagMs,
    warmupCompleted: 0,
  };
}

async function httpLoad(spec: HttpLoadSpec): Promise<LoadResult> {
  // undici's client (Node's own fetch engine) costs a fraction of node:http's per request, and the
  // generator's CPU is taken from the two cores the server under test runs on. Enough connections
  // that requests never queue in the client at this rate (open loop); no pipelining.
  const pool = new Pool(spec.origin, { connections: 512, pipelining: 1 });
  const send = async (path: string): Promise<boolean> => {
    const { statusCode, body } = await pool.request({ method: 'GET', path, headers: spec.headers });
    await body.dump({ limit: Number.MAX_SAFE_INTEGER });
    return statusCode < 300;
  };
  try {
    return await warmThenMeasure(spec, (i, fromEnd) => send(pick(spec.paths, i, fromEnd)));
  } finally {
    await pool.close();
  }
}

const pick = <T>(list: readonly T[], i: number, fromEnd: boolean): T =>
  list[fromEnd ? list.length - 1 - (i % list.length) : i % list.length]!;

/**
 * The measured run, after `warmupS` of the same rate on the same client. A step from idle to the
 * full rate is a transient of its own (new client connections, the server's heap and pools coming
 * back from idle: up to ~150 ms for the first requests on these VMs) that would otherwise land in
 * the measured window, while the targets are about a steady rate.
 */
async function warmThenMeasure(
  spec: LoadSpec,
  send: (i: number, fromEnd: boolean) => Promise<boolean>,
): Promise<LoadResult> {
  const warmup =
    (spec.warmupS ?? 0) > 0 ? await openLoop(spec.rate, spec.warmupS!, (i) => send(i, true)) : undefined;
  const measured = await openLoop(spec.rate, spec.durationS, (i) => send(i, false));
  return { ...measured, warmupCompleted: warmup?.completed ?? 0 };
}

async function pgLoad(spec: PgLoadSpec): Promise<LoadResult> {
  const pool = new pg.Pool({
    connectionString: spec.connectionString,
    max: spec.connections,
    options: `-c search_path=${spec.schema},public`,
  });
  try {
    // Open the connections first, as the API's pool is warm when it is measured.
    await Promise.all(Array.from({ length: spec.connections }, () => pool.query('SELECT 1')));
    return await warmThenMeasure(spec, async (i, fromEnd) => {
      const { rowCount } = await pool.query(spec.sql, [pick(spec.params, i, fromEnd)]);
      return rowCount === 1;
    });
  } finally {
    await pool.end();
  }
}

/** Runs one load spec in this process (the child's side). */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return spec.kind === 'http' ? httpLoad(spec) : pgLoad(spec);
}
