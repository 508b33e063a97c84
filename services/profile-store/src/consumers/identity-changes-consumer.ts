import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import { applyIdentityChange, type IdentityChangeDeps } from '../features/merges/identity-change-service';
import type { ProfileStoreMetrics } from '../metrics';

/** Merges and splits, applied in partition order, each in its own transaction (idempotent by change id). */
export function createIdentityChangesConsumer(
  kafka: TesseraKafka,
  deps: IdentityChangeDeps & {
    metrics?: ProfileStoreMetrics;
    logger: Logger;
    groupId: string;
  },
): BatchConsumer {
  const log = deps.logger.child({ consumer: 'identity-changes' });
  return kafka.consumer({
    groupId: `${deps.groupId}.identity-changes`,
    topics: ['identityChanges'],
    handle: async (messages, ctx) => {
      for (const m of messages) {
        if (m.value === null) continue;
        const outcome = await applyIdentityChange(deps, m.value);
        deps.metrics?.observeIdentityChange(m.value.kind, outcome);
        log.info(
          {
            changeId: m.value.changeId,
            kind: m.value.kind,
            outcome,
            partition: ctx.partition,
            offset: m.offset,
          },
          'identity change handled',
        );
        await ctx.heartbeat();
      }
    },
  });
}
