import { Counter, type Registry } from 'prom-client';

export interface IngestMetrics {
  accepted: Counter<'channel' | 'type'>;
  duplicates: Counter<'channel'>;
  suppressed: Counter<'channel'>;
  rejected: Counter<'reason'>;
  identifierWarnings: Counter<'channel'>;
}

/** Ingest's counters; source ids are not labels (unbounded cardinality), channels are. */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  const existing = registry.getSingleMetric('tessera_ingest_events_accepted_total');
  if (existing) {
    return {
      accepted: existing as Counter<'channel' | 'type'>,
      duplicates: registry.getSingleMetric('tessera_ingest_events_duplicate_total') as Counter<'channel'>,
      suppressed: registry.getSingleMetric('tessera_ingest_events_suppressed_total') as Counter<'channel'>,
      rejected: registry.getSingleMetric('tessera_ingest_events_rejected_total') as Counter<'reason'>,
      identifierWarnings: registry.getSingleMetric(
        'tessera_ingest_identifier_warnings_total',
      ) as Counter<'channel'>,
    };
  }
  return {
    accepted: new Counter({
      name: 'tessera_ingest_events_accepted_total',
      help: 'Events published to the ingested topic',
      labelNames: ['channel', 'type'],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'tessera_ingest_events_duplicate_total',
      help: 'Events skipped as duplicates of an accepted (source, messageId)',
      labelNames: ['channel'],
      registers: [registry],
    }),
    suppressed: new Counter({
      name: 'tessera_ingest_events_suppressed_total',
      help: 'Events of erased subjects dropped at intake',
      labelNames: ['channel'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'tessera_ingest_events_rejected_total',
      help: 'Events rejected (validation, rate limit, size)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    identifierWarnings: new Counter({
      name: 'tessera_ingest_identifier_warnings_total',
      help: 'Invalid identifier values left out of accepted events',
      labelNames: ['channel'],
      registers: [registry],
    }),
  };
}
