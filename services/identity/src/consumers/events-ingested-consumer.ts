import type { TesseraKafka, BatchConsumer, TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { QuarantineSplitter } from '../features/quarantine/quarantine-splitter';
import type { Resolver } from '../features/resolution/resolver';
import type { IdentityMetrics } from '../metrics';

/**
 * events.ingested -> resolve (graph + durable copy) -> publish resolved events and merges ->
 * acknowledge in the graph; the consumer commits offsets after the handler returns. A crash at any
 * point replays the batch: the graph hands back the stored outcomes, Postgres upserts are no-ops,
 * and downstream sees duplicates at most (deduplicated by event id / change id).
 */
export function createEventsIngestedConsumer(deps: {
  kafka: TesseraKafka;
  producer: TypedProducer;
  resolver: Resolver;
  quarantine: QuarantineSplitter;
  logger: Logger;
  metrics: Pick<IdentityMetrics, 'observeBatch'>;
  groupId: string;
  maxBatchSize: number;
  partitionsConsumedConcurrently: number;
}): BatchConsumer {
  const log = deps.logger.child({ module: 'events-ingested-consumer' });
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['eventsIngested'],
    maxBatchSize: deps.maxBatchSize,
    partitionsConsumedConcurrently: deps.partitionsConsumedConcurrently,
    async handle(messages, ctx) {
      const events = messages.flatMap((m) => (m.value === null ? [] : [m.value]));
      if (events.length === 0) return;
      const started = process.hrtime.bigint();
      const batch = await deps.resolver.resolveBatch(events);
      // Each resolved event wraps an event this consumer just validated with the same
      // CanonicalEventV1 schema, plus fields the resolver builds (property-tested against
      // ResolvedEventV1 in resolver-properties.int.test.ts): parsing it all again on produce was
      // the largest single cost in the consumer's CPU profile. Merges stay validated (rare).
      await deps.producer.publish('eventsResolved', batch.resolved, { prevalidated: true });
      if (batch.changes.length > 0) await deps.producer.publish('identityChanges', batch.changes);
      await deps.quarantine.split(batch);
      await deps.resolver.acknowledge(batch);
      await ctx.heartbeat();
      deps.metrics.observeBatch(batch, Number(process.hrtime.bigint() - started) / 1e9);
      log.debug(
        { partition: ctx.partition, events: events.length, merges: batch.changes.length },
        'batch resolved',
      );
    },
  });
}
