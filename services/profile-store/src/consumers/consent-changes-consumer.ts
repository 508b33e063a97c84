import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type pg from 'pg';
import { applyConsentChanges } from '../features/consent/consent-service';
import type { PiiVault } from '../features/profiles/pii-vault';

/** Derived consent state onto profiles, so the change feed carries it. */
export function createConsentChangesConsumer(
  kafka: TesseraKafka,
  deps: { pool: pg.Pool; vault: PiiVault; logger: Logger; groupId: string },
): BatchConsumer {
  const log = deps.logger.child({ consumer: 'consent-changes' });
  return kafka.consumer({
    groupId: `${deps.groupId}.consent-changes`,
    topics: ['consentChanges'],
    handle: async (messages) => {
      const result = await applyConsentChanges(
        deps,
        messages.flatMap((m) => (m.value === null ? [] : [m.value])),
      );
      if (result.unknownSubject > 0)
        log.warn(
          { unknownSubject: result.unknownSubject },
          'consent changes for identifiers the store does not hold were skipped',
        );
    },
  });
}
