import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IngestResult } from './features/ingestion/ingest-batch';

export interface ProfileStoreMetrics {
  observeIngest(result: IngestResult, seconds: number): void;
  observeIdentityChange(kind: string, outcome: string): void;
  observeRelay(published: number, pending: number): void;
  observeReadBatch(by: 'id' | 'identifier', size: number): void;
}

/** Ingestion volume and latency, identity changes, and the outbox backlog (the feed's lag). */
export function createProfileStoreMetrics(registry: Registry): ProfileStoreMetrics {
  const events = new Counter({
    name: 'tessera_profile_store_events_total',
    help: 'Resolved events consumed, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'tessera_profile_store_batch_duration_seconds',
    help: 'One consumed batch: dedupe, timeline, identities, golden records, outbox, commit',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const changes = new Counter({
    name: 'tessera_profile_store_identity_changes_total',
    help: 'Merges and splits by outcome',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const published = new Counter({
    name: 'tessera_profile_store_outbox_published_total',
    help: 'Outbox rows relayed to Kafka',
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'tessera_profile_store_outbox_pending',
    help: 'Outbox rows committed but not yet relayed (as of the last relay round)',
    registers: [registry],
  });
  const readBatch = new Histogram({
    name: 'tessera_profile_store_profile_read_batch_size',
    help: 'Profile API reads answered by one statement (requests arriving together share one)',
    labelNames: ['by'],
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  return {
    observeIngest(result, seconds) {
      batch.observe(seconds);
      events.inc({ outcome: 'inserted' }, result.inserted);
      events.inc({ outcome: 'duplicate' }, result.duplicates);
    },
    observeIdentityChange(kind, outcome) {
      changes.inc({ kind, outcome });
    },
    observeRelay(n, backlog) {
      published.inc(n);
      pending.set(backlog);
    },
    observeReadBatch(by, size) {
      readBatch.observe({ by }, size);
    },
  };
}
