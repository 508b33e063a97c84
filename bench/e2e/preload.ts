/**
 * Grows the platform to a number of profiles through its public path: the traffic generator's
 * roster (one `identify` per person with user id, anonymous id, email and, for most, a phone) sent
 * to ingest's `/v1/batch` in large batches, then resolved by identity and folded into golden
 * records by profile-store exactly as live traffic is. Nothing is written behind the services'
 * backs, so the graph and the profile store at each scale point are the real thing.
 *
 * Sending is chunked with a bounded backlog: chunk k+1 is sent while profile-store works through
 * chunk k, but never more than `backlog` roster people run ahead of the golden records, so Kafka
 * lag (and the freshness of the step measured afterwards) does not depend on how far ingest
 * outran the consumers.
 */
import { generateRoster, sendWorld } from '@tessera/traffic';
import { startResourceWindow, type ProcessGroup, type ResourceUse } from './resources';

export interface PreloadOptions {
  target: number;
  /** Golden records in profile-store now (the count the preload waits for). */
  countProfiles: () => Promise<number>;
  ingestUrl: string;
  writeKey: string;
  seed: number;
  namespace: string;
  /** Next unused roster index (the roster continues across scale points). */
  from: number;
  batchSize: number;
  concurrency: number;
  chunk: number;
  backlog: number;
  /** Give up waiting when the profile count has not moved for this long. */
  stallSeconds: number;
  /** Hard bound on the whole preload of this point. */
  maxSeconds: number;
  groups: ProcessGroup[];
  log: (line: string) => void;
}

export interface PreloadResult {
  target: number;
  before: number;
  reached: number;
  sent: number;
  rejected: number;
  seconds: number;
  /** Seconds until the last chunk was accepted by ingest. */
  sendSeconds: number;
  /** Roster index after this preload. */
  next: number;
  resources: ResourceUse[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function preloadRoster(opts: PreloadOptions): Promise<PreloadResult> {
  const started = Date.now();
  const hardDeadline = started + opts.maxSeconds * 1000;
  const window = startResourceWindow(opts.groups, 5000);
  const before = await opts.countProfiles();
  const need = Math.max(0, opts.target - before);
  let profiles = before;
  let lastMove = Date.now();
  let stalled = false;
  /** Polls the golden-record count until it reaches `goal`; false when it stalls or time is up. */
  const waitFor = async (goal: number): Promise<boolean> => {
    while (profiles < goal) {
      if (Date.now() - lastMove > opts.stallSeconds * 1000 || Date.now() > hardDeadline) return false;
      await sleep(2000);
      const now = await opts.countProfiles();
      if (now > profiles) lastMove = Date.now();
      profiles = now;
    }
    return true;
  };

  let sent = 0;
  let rejected = 0;
  let sendSeconds = 0;
  let lastLog = 0;
  while (sent < need && !stalled && Date.now() < hardDeadline) {
    const count = Math.min(opts.chunk, need - sent);
    const result = await sendWorld({
      messages: generateRoster({ seed: opts.seed, namespace: opts.namespace, from: opts.from + sent, count }),
      total: count,
      collectOutcomes: false,
      ingestUrl: opts.ingestUrl,
      writeKeys: { default: opts.writeKey },
      concurrency: opts.concurrency,
      batchSize: opts.batchSize,
      maxAttempts: 5,
    });
    sent += count;
    rejected += result.rejected;
    sendSeconds = (Date.now() - started) / 1000;
    if (Date.now() - lastLog > 20_000) {
      lastLog = Date.now();
      opts.log(
        `  preload ${opts.target}: ${sent - rejected}/${need} accepted, ${profiles} profiles, ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }
    stalled = !(await waitFor(before + sent - rejected - opts.backlog));
  }
  if (!stalled) await waitFor(before + sent - rejected);
  return {
    target: opts.target,
    before,
    reached: profiles,
    sent,
    rejected,
    seconds: (Date.now() - started) / 1000,
    sendSeconds,
    next: opts.from + sent,
    resources: window(),
  };
}
