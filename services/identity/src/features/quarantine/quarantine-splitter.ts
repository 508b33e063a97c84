import { AppError } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import type { GraphStore } from '../../graph/graph-store';
import type { ResolvedBatch } from '../resolution/resolver';
import type { UnmergeService } from '../unmerge/unmerge-service';

export interface QuarantineSplitter {
  /** Splits the profiles that newly quarantined identifiers may have glued together. */
  split(batch: ResolvedBatch): Promise<void>;
}

export const QUARANTINE_ACTOR = 'system:identity-quarantine';

/**
 * Fan-in is only evidence after the fact: by the time a shared value crosses its threshold it may
 * already have linked a few people. So quarantine also unmerges it: the profile it sits on splits
 * into the components the remaining evidence supports, exactly like an operator's unmerge.
 * Run before the batch is acknowledged, so a crash retries it; a repeat finds nothing to split.
 * That is safe because a committed split's messages sit in identity's outbox with it: a failed
 * publish no longer fails the batch, and the outbox relay delivers them.
 */
export function createQuarantineSplitter(deps: {
  graph: GraphStore;
  unmerge: UnmergeService;
  logger: Logger;
}): QuarantineSplitter {
  const log = deps.logger.child({ module: 'quarantine-splitter' });
  return {
    async split(batch) {
      if (batch.quarantined.length === 0) return;
      const profiles = await deps.graph.lookup(batch.quarantined.map((q) => q.hash));
      for (const [i, identifier] of batch.quarantined.entries()) {
        const profileId = profiles[i];
        if (profileId === undefined) continue;
        try {
          const split = await deps.unmerge.unmerge({
            profileId,
            identifier,
            reason: 'automatic: identifier quarantined (fan-in above threshold)',
            actor: QUARANTINE_ACTOR,
          });
          log.info(
            { profileId, identifierType: identifier.type, components: split.components.length },
            'quarantined identifier split out of its profile',
          );
        } catch (err) {
          // Nothing to split (alone on its profile, already split) or a concurrent change: the
          // quarantine itself already stops further linking, so this heals without a human.
          if (err instanceof AppError && ['CONFLICT', 'NOT_FOUND', 'PROFILE_NOT_FOUND'].includes(err.code)) {
            log.warn(
              { profileId, identifierType: identifier.type, code: err.code },
              'quarantine split skipped',
            );
            continue;
          }
          throw err;
        }
      }
    },
  };
}
