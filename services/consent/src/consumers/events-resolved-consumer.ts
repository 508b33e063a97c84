import type { Queryable } from '@tessera/db';
import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { ConsentService } from '../features/ledger/consent-service';
import { carryOverRecords, recordsFromResolvedEvent } from '../features/ledger/consent-inputs';
import { loadRecords } from '../features/ledger/ledger-store';
import type { OutboxRelay } from '../features/outbox/outbox';

/**
 * events.resolved -> ledger records for consent signals (ESP unsubscribe/spam report, CMP, GPC), and
 * identifier-keyed records carried over to the profile the identifier resolved to.
 */
export function createEventsResolvedConsumer(deps: {
  kafka: TesseraKafka;
  pool: Queryable;
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
      const events = messages.flatMap((m) => (m.value === null ? [] : [m.value]));
      const identifierKeys = [
        ...new Set(events.flatMap((e) => e.identifierHashes.map((h) => `${h.type}:${h.hash}`))),
      ];
      const carried = carryOverRecords(events, await loadRecords(deps.pool, identifierKeys));
      const records = [...carried, ...events.flatMap(recordsFromResolvedEvent)];
      if (records.length === 0) return;
      await deps.consent.record(records, 'system:consent-events');
      await deps.relay.flush();
    },
  });
}
