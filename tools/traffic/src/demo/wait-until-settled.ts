import type { PlatformClient } from '../platform/platform-client';
import type { Clustering } from '../quality/compute-quality';
import { fetchClustering } from '../quality/fetch-clustering';
import type { TruthRecord } from '../world/model';

export interface SettleResult {
  clustering: Clustering;
  settled: boolean;
  polls: number;
  elapsedMs: number;
}

const sameClustering = (a: Clustering, b: Clustering): boolean =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * Polls the profile API until every lookup answers the same as on the previous poll (and at
 * least something resolved): the pipeline has drained. Gives up at the deadline and says so.
 */
export async function waitUntilSettled(
  client: Pick<PlatformClient, 'lookup'>,
  truth: readonly TruthRecord[],
  opts: {
    timeoutMs: number;
    intervalMs?: number;
    /** Poll only about this many messages' identifiers (spread over the world, plus the last ones sent). */
    sampleMessages?: number;
    onPoll?: (resolved: number, changed: boolean) => void;
  },
): Promise<SettleResult> {
  const sample = sampleTruth(truth, opts.sampleMessages ?? Number.POSITIVE_INFINITY);
  const started = Date.now();
  const interval = opts.intervalMs ?? 1500;
  let previous: Clustering | undefined;
  let polls = 0;
  let stableRounds = 0;
  for (;;) {
    const round = Date.now();
    const clustering = await fetchClustering(client, sample, { concurrency: 16 });
    polls++;
    const changed = previous === undefined || !sameClustering(previous, clustering);
    stableRounds = changed || clustering.size === 0 ? 0 : stableRounds + 1;
    opts.onPoll?.(clustering.size, changed);
    previous = clustering;
    // two unchanged rounds in a row: one could be a lull between consumer batches
    if (stableRounds >= 2) return { clustering, settled: true, polls, elapsedMs: Date.now() - started };
    if (Date.now() - started >= opts.timeoutMs)
      return { clustering, settled: false, polls, elapsedMs: Date.now() - started };
    const wait = interval - (Date.now() - round);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Every k-th message and the last ones: enough to see whether the pipeline still moves, at a fraction of the lookups. */
export function sampleTruth(truth: readonly TruthRecord[], size: number): readonly TruthRecord[] {
  if (truth.length <= size) return truth;
  const step = truth.length / (size / 2);
  const picked = new Set<TruthRecord>();
  for (let i = 0; i < truth.length; i += step) picked.add(truth[Math.floor(i)]!);
  for (const r of truth.slice(-Math.floor(size / 2))) picked.add(r);
  return [...picked];
}
