import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { AuditStore } from '../features/audit/audit-store';

/** audit -> the hash-chained log. Idempotent by auditId, so redelivery never forks the chain. */
export function createAuditConsumer(deps: {
  kafka: TesseraKafka;
  audit: AuditStore;
  groupId: string;
}): BatchConsumer {
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['audit'],
    async handle(messages) {
      const entries = messages.flatMap((m) => (m.value === null ? [] : [m.value]));
      await deps.audit.append(entries);
    },
  });
}
