/**
 * Follows an event from ingest's 2xx to the golden record.
 *
 * The profile-update message carries no messageIds, so the match goes through the resolved-events
 * topic, which does: identity publishes `{profileId, event.messageId}` there, and profile-store
 * consumes it and publishes the profile's update. An accepted event is **settled** when a
 * profile-update for its profile (or, after a merge, for the profile it was merged into) arrives
 * whose producer timestamp is not earlier than its resolved event's producer timestamp — i.e. an
 * update written after profile-store could have read the event. Its **freshness** is the time this
 * bench received that update minus the time it received ingest's 2xx, both on this machine's
 * clock. Updates are matched per profile, so a batch that folds 50 events of one profile into one
 * update settles all 50 at once — which is what a downstream consumer of the feed sees.
 */
import type { TesseraKafka } from '@tessera/kafka';

interface Resolved {
  profileId: string;
  producedAt: number;
}

interface Update {
  producedAt: number;
  receivedAt: number;
}

export interface StepOutcome {
  accepted: number;
  settled: number;
  /** Freshness of every settled event, in ms, sorted. */
  freshness: number[];
  /**
   * The same split at the producer timestamps, each sorted: ingest 2xx → identity produced the
   * resolved event; → the outbox relay produced the profile update; → this bench received it.
   */
  hops: { identity: number[]; profileStore: number[]; feed: number[] };
  /** When the last of the step's events settled (ms since epoch), 0 when none did. */
  lastSettledAt: number;
}

export class SettleTracker {
  private readonly resolved = new Map<string, Resolved>();
  private readonly updates = new Map<string, Update[]>();
  private readonly mergedInto = new Map<string, string>();
  private readonly consumers: Array<{ start(): Promise<void>; stop(): Promise<void> }> = [];
  /** Messages produced before this (ms since epoch) cannot settle a measured event: not kept. */
  private floor = 0;
  /** Per topic-partition: the offset after the last message handed over. */
  private readonly positions = new Map<string, bigint>();
  resolvedSeen = 0;
  updatesSeen = 0;

  constructor(
    private readonly kafka: TesseraKafka,
    private readonly groupPrefix: string,
  ) {}

  async start(): Promise<void> {
    const resolved = this.kafka.consumer({
      groupId: `${this.groupPrefix}bench-resolved`,
      topics: ['eventsResolved'],
      fromBeginning: true,
      maxRetries: 0,
      handle: async (messages, ctx) => {
        this.noteChunk(ctx, messages);
        for (const m of messages) {
          if (m.value === null) continue;
          this.resolvedSeen += 1;
          if (Number(m.timestamp) < this.floor) continue;
          this.resolved.set(m.value.event.messageId, {
            profileId: m.value.profileId,
            producedAt: Number(m.timestamp),
          });
        }
      },
    });
    const updates = this.kafka.consumer({
      groupId: `${this.groupPrefix}bench-updates`,
      topics: ['profileUpdates'],
      fromBeginning: true,
      maxRetries: 0,
      handle: async (messages, ctx) => {
        this.noteChunk(ctx, messages);
        const receivedAt = Date.now();
        for (const m of messages) {
          if (m.value === null) continue; // tombstone of an erased profile
          this.updatesSeen += 1;
          if (m.value.mergedInto !== undefined) this.mergedInto.set(m.value.profileId, m.value.mergedInto);
          if (Number(m.timestamp) < this.floor) continue;
          const list = this.updates.get(m.value.profileId) ?? [];
          list.push({ producedAt: Number(m.timestamp), receivedAt });
          this.updates.set(m.value.profileId, list);
        }
      },
    });
    this.consumers.push(resolved, updates);
    await Promise.all(this.consumers.map((c) => c.start()));
  }

  private noteChunk(ctx: { topic: string; partition: number }, messages: Array<{ offset: string }>): void {
    const last = messages[messages.length - 1];
    if (last) this.positions.set(`${ctx.topic}:${ctx.partition}`, BigInt(last.offset) + 1n);
  }

  /**
   * Waits until both feed consumers have read every message that was on the feeds when it was
   * called (each partition's consumed position reaches the end offset the broker gave then).
   * After a preload of a million profiles the two feeds hold millions of messages this process
   * must read (and drop) before a measured step can see its own. (A check on per-chunk lag and a
   * quiet period was fooled at that size: it answered at once, and the 1M step settled nothing.)
   */
  async waitCaughtUp(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const admin = this.kafka.admin();
    const targets: Array<[string, bigint]> = [];
    for (const topic of ['eventsResolved', 'profileUpdates'] as const) {
      for (const [partition, end] of await admin.endOffsets(topic))
        targets.push([`${topic}:${partition}`, BigInt(end)]);
    }
    while (Date.now() < deadline) {
      if (targets.every(([key, end]) => (this.positions.get(key) ?? 0n) >= end)) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  }

  /** Messages read from both feeds so far (a drain that sees this move is still making progress). */
  get seen(): number {
    return this.resolvedSeen + this.updatesSeen;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
  }

  /**
   * Drops what was produced before `ms` and keeps dropping it as it arrives. An event accepted
   * after `ms` has its resolved event, and every update that can settle it, produced after `ms`,
   * so a step that starts at `ms` loses nothing — and a preload of a million profiles (floor
   * +Infinity while it runs) does not fill this process with entries no step will ask for.
   * Merge pointers are always kept: a later step may need to follow them.
   */
  ignoreBefore(ms: number): void {
    this.floor = ms;
    for (const [id, r] of this.resolved) if (r.producedAt < ms) this.resolved.delete(id);
    for (const [profileId, list] of this.updates) {
      const kept = list.filter((u) => u.producedAt >= ms);
      if (kept.length === 0) this.updates.delete(profileId);
      else if (kept.length < list.length) this.updates.set(profileId, kept);
    }
  }

  /** The resolved event and the first update that includes it, or undefined while it is unsettled. */
  private settlement(messageId: string): { resolved: Resolved; update: Update } | undefined {
    const r = this.resolved.get(messageId);
    if (!r) return undefined;
    let profileId: string | undefined = r.profileId;
    // follow merges a bounded number of hops: a chain longer than that would be a cycle
    for (let hop = 0; hop < 8 && profileId !== undefined; hop += 1) {
      const hit = this.updates.get(profileId)?.find((u) => u.producedAt >= r.producedAt);
      if (hit) return { resolved: r, update: hit };
      profileId = this.mergedInto.get(profileId);
    }
    return undefined;
  }

  /** The receive time of the first update that includes the event, or undefined while it is unsettled. */
  settledAt(messageId: string): number | undefined {
    return this.settlement(messageId)?.update.receivedAt;
  }

  /** Settlement of a step's accepted events (messageId → 2xx time). */
  outcome(acks: Map<string, number>): StepOutcome {
    const freshness: number[] = [];
    const hops = { identity: [] as number[], profileStore: [] as number[], feed: [] as number[] };
    let lastSettledAt = 0;
    for (const [messageId, ackAt] of acks) {
      const s = this.settlement(messageId);
      if (s === undefined) continue;
      const at = s.update.receivedAt;
      freshness.push(Math.max(0, at - ackAt));
      hops.identity.push(s.resolved.producedAt - ackAt);
      hops.profileStore.push(s.update.producedAt - s.resolved.producedAt);
      hops.feed.push(at - s.update.producedAt);
      lastSettledAt = Math.max(lastSettledAt, at);
    }
    const ascending = (a: number, b: number) => a - b;
    freshness.sort(ascending);
    for (const list of Object.values(hops)) list.sort(ascending);
    return { accepted: acks.size, settled: freshness.length, freshness, hops, lastSettledAt };
  }

  countSettled(acks: Map<string, number>): number {
    let n = 0;
    for (const id of acks.keys()) if (this.settledAt(id) !== undefined) n += 1;
    return n;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
