import type { FetchLike } from '../platform/platform-client';
import type { Route, WorldMessage } from '../world/model';
import { unitsOf, type SendUnit } from './send-units';
import { TokenBucket } from './token-bucket';

/** What happened to one message. */
export interface MessageOutcome {
  id: string;
  route: Route;
  accepted: boolean;
  status: number;
  /** The platform's error code (`VALIDATION_FAILED`…) or `NETWORK` when no answer came. */
  code?: string;
  /** Wall-clock time the platform acknowledged it (ms since epoch), for freshness measurements. */
  ackAt?: number;
}

export interface SendStats {
  total: number;
  sent: number;
  accepted: number;
  rejected: number;
  requests: number;
  /** 429/5xx answers that were retried. */
  retries: number;
  /** Accepted messages ingest had already seen (same source and messageId): a re-run changes nothing. */
  duplicates: number;
  /** Identifier values ingest found invalid and left out of accepted events. */
  warnings: number;
  elapsedMs: number;
  /** Messages per second so far. */
  rate: number;
}

export interface SendOptions {
  /** An array, or any iterable (e.g. mapped from `generateWorldChunks`) for worlds too large for memory. */
  messages: readonly WorldMessage[] | Iterable<WorldMessage>;
  /** For progress when `messages` is not an array. */
  total?: number;
  /** Keep every outcome in the result (default true; turn off for very large runs and use `onOutcome`). */
  collectOutcomes?: boolean;
  ingestUrl: string;
  /** Write key per route (each source has its own); `default` for routes not listed. */
  writeKeys: Partial<Record<Route | 'default', string>>;
  /** Target messages per second; omitted: as fast as `concurrency` allows. */
  rate?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Segment calls per /v1/batch request (default 50; 1 sends every call on its own). */
  batchSize?: number;
  /** Attempts for 429/5xx/network failures before a message counts as rejected (default 5). */
  maxAttempts?: number;
  fetch?: FetchLike;
  onProgress?: (stats: SendStats) => void;
  onOutcome?: (outcome: MessageOutcome) => void;
  signal?: AbortSignal;
  /** Clock, for tests. */
  now?: () => number;
}

export interface SendResult extends SendStats {
  outcomes: MessageOutcome[];
}

const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** The parts of ingest's answer the sender counts: error `code`, or `duplicates` and `warnings` on success. */
function readAnswer(text: string): { code?: string; duplicates: number; warnings: number } {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof body.code === 'string' ? { code: body.code } : {}),
      duplicates: typeof body.duplicates === 'number' ? body.duplicates : 0,
      warnings: Array.isArray(body.warnings) ? body.warnings.length : 0,
    };
  } catch {
    return { duplicates: 0, warnings: 0 }; // not JSON: the status says enough
  }
}

/**
 * Sends a world's messages through ingest's public HTTP API: Segment calls batched per source,
 * connector payloads one by one, paced by a token bucket or as fast as the concurrency allows.
 * Retries 429 (honouring Retry-After), 5xx and network errors with backoff; a 4xx other than 429
 * is a rejection and is not retried. Every message gets an outcome.
 */
export async function sendWorld(opts: SendOptions): Promise<SendResult> {
  const fetchFn = opts.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const now = opts.now ?? (() => Date.now());
  const baseUrl = opts.ingestUrl.replace(/\/+$/, '');
  const keyFor = (route: Route): string => {
    const key = opts.writeKeys[route] ?? opts.writeKeys.default;
    if (!key) throw new Error(`no write key for: ${route}`);
    return key;
  };
  if (Array.isArray(opts.messages)) {
    const missing = [...new Set((opts.messages as readonly WorldMessage[]).map((m) => m.route))].filter(
      (r) => !opts.writeKeys[r] && !opts.writeKeys.default,
    );
    if (missing.length > 0) throw new Error(`no write key for: ${missing.join(', ')}`);
  }
  const units = unitsOf(opts.messages, opts.batchSize ?? 50);
  const collect = opts.collectOutcomes ?? true;
  const bucket = opts.rate !== undefined ? new TokenBucket(opts.rate) : undefined;
  const maxAttempts = opts.maxAttempts ?? 5;
  const started = now();
  const stats: SendStats = {
    total: Array.isArray(opts.messages) ? opts.messages.length : (opts.total ?? 0),
    sent: 0,
    accepted: 0,
    rejected: 0,
    requests: 0,
    retries: 0,
    duplicates: 0,
    warnings: 0,
    elapsedMs: 0,
    rate: 0,
  };
  const outcomes: MessageOutcome[] = [];
  const record = (unit: SendUnit, accepted: boolean, status: number, code?: string): void => {
    const ackAt = accepted ? Date.now() : undefined;
    for (const m of unit.messages) {
      const outcome: MessageOutcome = {
        id: m.id,
        route: m.route,
        accepted,
        status,
        ...(code ? { code } : {}),
        ...(ackAt ? { ackAt } : {}),
      };
      if (collect) outcomes.push(outcome);
      opts.onOutcome?.(outcome);
    }
    stats.sent += unit.messages.length;
    if (accepted) stats.accepted += unit.messages.length;
    else stats.rejected += unit.messages.length;
    stats.elapsedMs = now() - started;
    stats.rate = stats.elapsedMs > 0 ? (stats.sent * 1000) / stats.elapsedMs : 0;
    opts.onProgress?.({ ...stats });
  };

  let stopped = false;
  let networkFailures = 0;
  const unreachableAfter = Math.max(10, 2 * (opts.concurrency ?? 16));
  const sendUnit = async (unit: SendUnit): Promise<void> => {
    if (opts.signal?.aborted || stopped) return;
    await bucket?.acquire(unit.messages.length);
    const init = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basic(keyFor(unit.route)),
      },
      body: JSON.stringify(unit.body),
    };
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let code: string | undefined = 'NETWORK';
      let retryAfterMs: number | undefined;
      try {
        stats.requests++;
        const res = await fetchFn(`${baseUrl}${unit.path}`, { ...init, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        networkFailures = 0;
        status = res.status;
        const answer = readAnswer(text);
        code = answer.code;
        if (status >= 200 && status < 300) {
          stats.duplicates += answer.duplicates;
          stats.warnings += answer.warnings;
          return record(unit, true, status);
        }
        if (status !== 429 && status < 500) return record(unit, false, status, code ?? `HTTP_${status}`);
        const retryAfter = Number(res.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
      } catch {
        // nothing answers at all (wrong URL, ingest down): stop instead of retrying every message
        if (++networkFailures >= unreachableAfter) {
          stopped = true;
          throw new Error(
            `cannot reach ingest at ${baseUrl} (${networkFailures} connection failures in a row)`,
          );
        }
        // connection refused/reset or timeout: retried like a 5xx
      }
      if (attempt >= maxAttempts || opts.signal?.aborted)
        return record(unit, false, status, code ?? `HTTP_${status}`);
      stats.retries++;
      const backoff = retryAfterMs ?? Math.min(5_000, 100 * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  };

  // workers pull from one lazy iterator, so memory stays flat whatever the world's size
  const worker = async (): Promise<void> => {
    try {
      for (let next = units.next(); !next.done && !stopped; next = units.next()) await sendUnit(next.value);
    } catch (err) {
      stopped = true; // a configuration error (missing key): stop every worker, report it once
      throw err;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  stats.elapsedMs = now() - started;
  stats.rate = stats.elapsedMs > 0 ? (stats.sent * 1000) / stats.elapsedMs : 0;
  return { ...stats, outcomes };
}
