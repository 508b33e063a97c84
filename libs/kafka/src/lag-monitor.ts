import type { Logger } from '@tessera/observability';
import type { Admin, Kafka } from 'kafkajs';
import type { KafkaMetrics } from './metrics';

/** Messages not yet consumed: from the committed offset (or the log start) to the high watermark. */
export function computeLag(high: string, committed: string, low: string): number {
  const start = BigInt(committed) >= 0n ? BigInt(committed) : BigInt(low);
  const lag = BigInt(high) - start;
  return lag > 0n ? Number(lag) : 0;
}

/**
 * Refreshes the lag gauge of a consumer's assigned partitions from the broker every
 * `intervalMs`. The per-batch update alone goes silent exactly when it matters: a consumer stuck
 * retrying, or a partition receiving nothing the consumer handles. Two cheap admin requests per
 * subscribed topic per interval; each member reports only its own partitions.
 */
export class LagMonitor {
  private assigned = new Map<string, number[]>();
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      kafka: Kafka;
      groupId: string;
      metrics: KafkaMetrics;
      log: Logger;
      intervalMs: number;
    },
  ) {}

  /** Called on every group join; forgets the gauges of partitions this member no longer owns. */
  setAssignment(assignment: Record<string, number[]>): void {
    for (const [topic, partitions] of this.assigned) {
      const kept = new Set(assignment[topic] ?? []);
      for (const p of partitions) if (!kept.has(p)) this.forget(topic, p);
    }
    this.assigned = new Map(Object.entries(assignment).map(([t, ps]) => [t, [...ps]]));
  }

  start(): void {
    if (this.deps.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => {
        this.sampling = undefined;
      });
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async sample(): Promise<void> {
    if (this.assigned.size === 0) return;
    try {
      if (!this.admin) {
        const admin = this.deps.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      const admin = this.admin;
      const topics = [...this.assigned.keys()];
      const committed = await admin.fetchOffsets({ groupId: this.deps.groupId, topics });
      for (const topic of topics) {
        const watermarks = await admin.fetchTopicOffsets(topic);
        const mine = new Set(this.assigned.get(topic) ?? []);
        const committedByPartition = new Map(
          (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]),
        );
        for (const w of watermarks) {
          if (!mine.has(w.partition)) continue;
          const lag = computeLag(w.high, committedByPartition.get(w.partition) ?? '-1', w.low);
          this.deps.metrics.consumerLag.set(
            { group: this.deps.groupId, topic, partition: String(w.partition) },
            lag,
          );
        }
      }
    } catch (err) {
      this.deps.log.debug({ err }, 'consumer lag sample failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    for (const [topic, partitions] of this.assigned) for (const p of partitions) this.forget(topic, p);
    this.assigned.clear();
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private forget(topic: string, partition: number): void {
    this.deps.metrics.consumerLag.remove({ group: this.deps.groupId, topic, partition: String(partition) });
  }
}
