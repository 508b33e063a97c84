import { UUID_PATTERN } from '@tessera/contracts';
import type { ProfileUpdateV1 } from '@tessera/contracts';
import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { ActivationService } from '../features/activation/activation-service';
import type { OutboxRelay } from '../features/outbox/outbox';

/** profiles.updates -> per-destination activation feeds (consented profiles, allowed traits only). */
export function createProfileUpdatesConsumer(deps: {
  kafka: TesseraKafka;
  activation: ActivationService;
  relay: OutboxRelay;
  groupId: string;
}): BatchConsumer {
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['profileUpdates'],
    partitionsConsumedConcurrently: 3,
    async handle(messages) {
      const updates: Array<{ profileId: string; update: ProfileUpdateV1 | null }> = [];
      for (const m of messages) {
        if (m.value !== null) updates.push({ profileId: m.value.profileId, update: m.value });
        else if (m.key !== null && UUID_PATTERN.test(m.key)) updates.push({ profileId: m.key, update: null });
      }
      if ((await deps.activation.applyUpdates(updates)) > 0) await deps.relay.flush();
    },
  });
}
