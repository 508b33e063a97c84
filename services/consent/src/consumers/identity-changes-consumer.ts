import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import { withTransaction } from '@tessera/db';
import type pg from 'pg';
import type { DerivedStatus } from '../features/ledger/consent-derivation';
import type { ConsentService } from '../features/ledger/consent-service';
import { recordsFromIdentityChange } from '../features/ledger/consent-inputs';
import type { OutboxRelay } from '../features/outbox/outbox';

/** identity.changes -> consent follows merges (stricter wins) and splits (components keep the state). */
export function createIdentityChangesConsumer(deps: {
  kafka: TesseraKafka;
  pool: pg.Pool;
  consent: ConsentService;
  relay: OutboxRelay;
  groupId: string;
}): BatchConsumer {
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['identityChanges'],
    async handle(messages) {
      // In order: a merge's records must see the state the previous change left.
      for (const message of messages) {
        const change = message.value;
        if (change === null) continue;
        await withTransaction(deps.pool, async (client) => {
          const ids = change.kind === 'merge' ? [change.survivorId, change.absorbedId] : [change.profileId];
          const states = await deps.consent.stateOf(client, ids);
          const records = recordsFromIdentityChange(
            change,
            (id) => (states.get(id) ?? {}) as Record<string, DerivedStatus>,
          );
          if (records.length > 0)
            await deps.consent.recordIn(client, records, `system:identity-${change.kind}`);
        });
      }
      await deps.relay.flush();
    },
  });
}
