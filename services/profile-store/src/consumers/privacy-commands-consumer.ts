import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type pg from 'pg';
import type { OpenedValues } from '../features/outbox/opened-values';
import { eraseSubject } from '../features/privacy/erasure-service';

/**
 * Erasure commands: delete the subject, report on the status topic (through the outbox), and drop
 * every personal value this replica holds opened for the change feed.
 */
export function createPrivacyCommandsConsumer(
  kafka: TesseraKafka,
  deps: { pool: pg.Pool; logger: Logger; groupId: string; openedValues?: OpenedValues },
): BatchConsumer {
  const log = deps.logger.child({ consumer: 'privacy-commands' });
  return kafka.consumer({
    groupId: `${deps.groupId}.privacy-commands`,
    topics: ['privacyCommands'],
    handle: async (messages) => {
      for (const m of messages) {
        if (m.value === null) continue;
        const { repeated, ...counts } = await eraseSubject(deps.pool, m.value);
        deps.openedValues?.clear();
        log.info({ requestId: m.value.requestId, repeated, ...counts }, 'erasure applied');
      }
    },
  });
}
