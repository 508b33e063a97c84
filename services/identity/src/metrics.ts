import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { ResolvedBatch } from './features/resolution/resolver';

export interface IdentityMetrics {
  observeBatch(batch: ResolvedBatch, seconds: number): void;
  observeOutboxPublished(published: number): void;
  /** Where the outbox backlog gauge reads its value on each scrape. */
  watchOutbox(pending: () => Promise<number>): void;
}

/**
 * Resolution outcomes by kind (merges, refusals by rule family), batch latency, and the outbox
 * (splits and audit events committed but not yet on Kafka).
 */
export function createIdentityMetrics(registry: Registry): IdentityMetrics {
  const events = new Counter({
    name: 'tessera_identity_events_resolved_total',
    help: 'Events resolved',
    labelNames: ['new_profile'],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'tessera_identity_decisions_total',
    help: 'Identifier decisions by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const merges = new Counter({
    name: 'tessera_identity_merges_total',
    help: 'Profile merges',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tessera_identity_batch_duration_seconds',
    help: 'Resolve + persist + publish per batch',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const published = new Counter({
    name: 'tessera_identity_outbox_published_total',
    help: 'Outbox rows (splits, audit events) relayed to Kafka',
    registers: [registry],
  });
  let outboxPending: (() => Promise<number>) | undefined;
  new Gauge({
    name: 'tessera_identity_outbox_pending',
    help: 'Outbox rows committed but not yet relayed to Kafka (counted at scrape time)',
    registers: [registry],
    // Counted when scraped rather than after relay rounds: the backlog matters most exactly
    // when rounds fail (Kafka away), and then no round reports. If Postgres cannot answer
    // either, the last value stays instead of failing the whole scrape.
    async collect() {
      if (!outboxPending) return;
      try {
        this.set(await outboxPending());
      } catch {
        // Readiness reports Postgres; the gauge keeps its last value.
      }
    },
  });
  return {
    observeOutboxPublished(n) {
      published.inc(n);
    },
    watchOutbox(pending) {
      outboxPending = pending;
    },
    observeBatch(batch, seconds) {
      duration.observe(seconds);
      merges.inc(batch.changes.length);
      for (const r of batch.resolved) {
        events.inc({ new_profile: String(r.newProfile) });
        for (const d of r.decisions) decisions.inc({ outcome: d.outcome });
      }
    },
  };
}
