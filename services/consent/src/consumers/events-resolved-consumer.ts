import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { ConsentService } from '../features/ledger/consent-service';
import { recordsFromResolvedEvent } from '../features/ledger/consent-inputs';
import type { OutboxRelay } from '../features/outbox/outbox';

/** events.resolved -> ledger records for consent signals (ESP unsubscribe/spam report, CMP, GPC). */
export function createEventsResolvedConsumer(deps: {
  kafka: TesseraKafka;
  consent: ConsentService;
  relay: OutboxRelay;
  groupId: string;
}): BatchConsumer {
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['eventsResolved'],
    partitionsConsumedConcurrently: 3,
    async handle(messages) {
      // One transaction per batch: most events carry no signal, so this is usually a no-op.
      const records = messages.flatMap((m) => (m.value === null ? [] : recordsFromResolvedEvent(m.value)));
      if (records.length === 0) return;
      await deps.consent.record(records, 'system:consent-events');
      await deps.relay.flush();
    },
  });
}
