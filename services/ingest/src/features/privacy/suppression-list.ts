import { suppressionKey, type Identifier } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import { createCompactedTopicTail, type TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';

/** Whether any of an event's identifiers belongs to an erased (suppressed) subject. */
export interface SuppressionChecker {
  /** `hashes` are suppression keys `type:hash` (see `suppressionKey`). */
  isSuppressed(hashes: string[]): boolean;
}

/**
 * The suppression keys of identifiers, hashed as every service hashes them. `memo` (one per
 * request) saves the HMAC for identifiers repeated across a batch's events: an SDK's batch is
 * usually one visitor's, each event carrying the same anonymousId/userId.
 */
export function suppressionKeysOf(
  identifiers: Identifier[],
  hasher: IdentifierHasher,
  memo?: Map<string, string>,
): string[] {
  return identifiers.map((i) => {
    const value = i.matchKey ?? i.value;
    const hash = () => suppressionKey({ type: i.type, hash: hasher(i.type, value) });
    if (!memo) return hash();
    const id = `${i.type}\u0000${value}`;
    let key = memo.get(id);
    if (key === undefined) {
      key = hash();
      memo.set(id, key);
    }
    return key;
  });
}

export interface SuppressionList extends SuppressionChecker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Caught up with the compacted topic as it stood at start (same rule as the key directory). */
  ready(): boolean;
  size(): number;
}

/**
 * Tails the compacted suppression topic from the beginning into memory (its own consumer group
 * per instance, so every replica holds the whole list). Tombstones lift a suppression.
 */
export function createSuppressionList(deps: {
  kafka: TesseraKafka;
  logger: Logger;
  groupId: string;
  settleMs?: number;
  emptyTopicMs?: number;
}): SuppressionList {
  const entries = new Set<string>();
  const log = deps.logger.child({ module: 'suppression-list' });
  const tail = createCompactedTopicTail({
    ...deps,
    logger: log,
    topic: 'suppression',
    apply(key, value) {
      if (value !== null) entries.add(suppressionKey(value.identifier));
      else if (key !== null) entries.delete(key);
    },
    onCaughtUp: () => log.info({ entries: entries.size }, 'suppression list loaded'),
  });
  return {
    start: () => tail.start(),
    stop: () => tail.stop(),
    ready: () => tail.ready(),
    size: () => entries.size,
    isSuppressed: (hashes) => hashes.some((h) => entries.has(h)),
  };
}

/** A fixed suppression set, for unit tests and tools. */
export function createStaticSuppressionChecker(keys: Iterable<string> = []): SuppressionChecker {
  const set = new Set(keys);
  return { isSuppressed: (hashes) => hashes.some((h) => set.has(h)) };
}
