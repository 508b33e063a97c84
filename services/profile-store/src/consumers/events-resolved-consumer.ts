import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import { ingestResolvedBatch, type IngestDeps } from '../features/ingestion/ingest-batch';
import type { ProfileStoreMetrics } from '../metrics';

/** Resolved events → profiles, timeline, identities, observations (one transaction per batch). */
export function createEventsResolvedConsumer(
  kafka: TesseraKafka,
  deps: IngestDeps & {
    metrics?: ProfileStoreMetrics;
    logger: Logger;
    groupId: string;
    batchSize: number;
    concurrency: number;
    /** Called after a batch committed outbox rows (main.ts nudges the relay: fresher feed). */
    onOutboxWritten?: () => void;
  },
): BatchConsumer {
  const log = deps.logger.child({ consumer: 'events-resolved' });
  return kafka.consumer({
    groupId: `${deps.groupId}.events-resolved`,
    topics: ['eventsResolved'],
    maxBatchSize: deps.batchSize,
    partitionsConsumedConcurrently: deps.concurrency,
    handle: async (messages, ctx) => {
      const values = messages.flatMap((m) => (m.value === null ? [] : [m.value]));
      const started = performance.now();
      const result = await ingestResolvedBatch(deps, values);
      deps.metrics?.observeIngest(result, (performance.now() - started) / 1000);
      if (result.profilesChanged > 0) deps.onOutboxWritten?.();
      log.debug({ partition: ctx.partition, ...result }, 'resolved events applied');
    },
  });
}
