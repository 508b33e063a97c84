import type { TesseraKafka, BatchConsumer } from '@tessera/kafka';
import type { EraseService } from '../features/privacy/erase-service';

/** privacy.commands -> erase the subject from the graph and its durable copy -> privacy.status. */
export function createPrivacyCommandsConsumer(deps: {
  kafka: TesseraKafka;
  erase: EraseService;
  groupId: string;
}): BatchConsumer {
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: ['privacyCommands'],
    async handle(messages, ctx) {
      for (const message of messages) {
        if (message.value === null || message.value.kind !== 'erase') continue;
        await deps.erase.erase(message.value);
        await ctx.heartbeat();
      }
    },
  });
}
