import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { ResolvedBatch } from './features/resolution/resolver';

export interface IdentityMetrics {
  observeBatch(batch: ResolvedBatch, seconds: number): void;
}

/** Resolution outcomes by kind (merges, refusals by rule family) and batch latency. */
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
  return {
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
