import {
  AppError,
  SegmentMessageSchema,
  issuesFromZod,
  type CanonicalEventV1,
  type ErrorIssue,
} from '@tessera/contracts';
import {
  createDeadLetterRecord,
  deadLetterHeaders,
  type BatchConsumer,
  type ConsumedMessage,
  type TesseraKafka,
  type TypedProducer,
} from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { SourceProfile, SourceResolver } from '../features/sources/source-resolver';
import type { IngestService } from '../features/tracking/ingest-service';

export interface IntakeConsumerDeps {
  kafka: TesseraKafka;
  producer: Pick<TypedProducer, 'publish'>;
  ingest: IngestService;
  sources: SourceResolver;
  logger: Logger;
  groupId: string;
  now?: () => Date;
}

type Rejection = { code: string; message: string; issues?: ErrorIssue[] };

/**
 * Sources may publish Segment-shaped messages (plus `sourceId`) straight to the intake topic.
 * Each is validated exactly like an HTTP call (same schema, same canonicalization, suppression
 * and deduplication); what fails goes to the dead-letter topic with the reason and the zod paths.
 * Infrastructure failures (Kafka, Redis, Postgres down) throw retryable errors so the batch is
 * retried, never dead-lettered; replays are deduplicated by `(sourceId, messageId)`.
 */
export function createIntakeConsumer(deps: IntakeConsumerDeps): BatchConsumer {
  const log = deps.logger.child({ module: 'intake-consumer' });
  const now = deps.now ?? (() => new Date());

  const deadLetter = async (message: ConsumedMessage<unknown>, reason: Rejection) => {
    const record = createDeadLetterRecord({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      value: JSON.stringify(message.value),
      headers: message.headers,
      consumerGroup: deps.groupId,
      error: reason,
      attempts: 1,
    });
    await deps.producer.publish('deadLetter', [record], { headers: deadLetterHeaders(record) });
    log.info(
      { offset: message.offset, partition: message.partition, code: reason.code },
      'intake message dead-lettered',
    );
  };

  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['intake'],
    handle: async (messages) => {
      const bySource = new Map<string, { source: SourceProfile; events: CanonicalEventV1[] }>();
      for (const message of messages) {
        if (message.value === null) continue;
        const parsed = SegmentMessageSchema.safeParse(message.value);
        if (!parsed.success) {
          await deadLetter(message, {
            code: 'VALIDATION_FAILED',
            message: 'intake message failed validation',
            issues: issuesFromZod(parsed.error),
          });
          continue;
        }
        let source: SourceProfile;
        try {
          source = await deps.sources.resolve(message.value.sourceId);
        } catch (err) {
          if (err instanceof AppError && !err.retryable) {
            await deadLetter(message, { code: err.code, message: err.message });
            continue;
          }
          throw err;
        }
        if (!source.registered) source = { ...source, channel: 'kafka' };
        const receivedAt = new Date(Number(message.timestamp) || now().getTime());
        const prepared = deps.ingest.prepare([parsed.data], source, { receivedAt, gpcHeader: false });
        if ('issues' in prepared) {
          await deadLetter(message, {
            code: 'VALIDATION_FAILED',
            message: 'intake message failed validation',
            issues: prepared.issues,
          });
          continue;
        }
        const group = bySource.get(source.id) ?? { source, events: [] };
        group.events.push(...prepared.events);
        bySource.set(source.id, group);
      }
      for (const { source, events } of bySource.values()) await deps.ingest.deliver(events, source);
    },
  });
}
