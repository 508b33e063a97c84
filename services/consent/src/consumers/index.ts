import type pg from 'pg';
import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { ConsentCore } from '../consent-core';
import { createAuditConsumer } from './audit-consumer';
import { createEventsResolvedConsumer } from './events-resolved-consumer';
import { createIdentityChangesConsumer } from './identity-changes-consumer';
import { createPrivacyStatusConsumer } from './privacy-status-consumer';
import { createProfileUpdatesConsumer } from './profile-updates-consumer';

/** Every consumer of the service, one consumer group per topic (a slow one never holds up another). */
export function createConsentConsumers(deps: {
  kafka: TesseraKafka;
  pool: pg.Pool;
  core: ConsentCore;
  logger: Logger;
  groupId: string;
}): BatchConsumer[] {
  const { kafka, core, groupId } = deps;
  return [
    createAuditConsumer({ kafka, audit: core.audit, groupId: `${groupId}-audit` }),
    createEventsResolvedConsumer({
      kafka,
      pool: deps.pool,
      consent: core.consent,
      relay: core.relay,
      groupId: `${groupId}-events`,
    }),
    createIdentityChangesConsumer({
      kafka,
      pool: deps.pool,
      consent: core.consent,
      relay: core.relay,
      groupId: `${groupId}-identity`,
    }),
    createPrivacyStatusConsumer({
      kafka,
      dsr: core.dsr,
      groupId: `${groupId}-privacy-status`,
      logger: deps.logger,
    }),
    createProfileUpdatesConsumer({
      kafka,
      activation: core.activation,
      relay: core.relay,
      groupId: `${groupId}-activation`,
    }),
  ];
}
