import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { DsrService } from '../features/dsr/dsr-service';

/** privacy.status -> per-service outcome of erase commands; wakes the request's state machine. */
export function createPrivacyStatusConsumer(deps: {
  kafka: TesseraKafka;
  dsr: Pick<DsrService, 'recordStatuses' | 'run'>;
  groupId: string;
  logger: Logger;
}): BatchConsumer {
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['privacyStatus'],
    async handle(messages) {
      const statuses = messages.flatMap((m) => (m.value === null ? [] : [m.value]));
      await deps.dsr.recordStatuses(statuses);
      for (const requestId of new Set(statuses.map((s) => s.requestId))) {
        // Advancing here is an optimization; the resume job would get there too.
        await deps.dsr
          .run(requestId)
          .catch((err: unknown) =>
            deps.logger.warn({ err, requestId }, 'request step failed; the resume job retries'),
          );
      }
    },
  });
}
