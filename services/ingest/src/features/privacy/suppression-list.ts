import { randomBytes } from 'node:crypto';
import { suppressionKey, type Identifier } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
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
  const settleMs = deps.settleMs ?? 2_000;
  const emptyTopicMs = deps.emptyTopicMs ?? 3_000;
  let caughtUp = false;
  let joinedAt: number | undefined;
  let lastBatchAt: number | undefined;
  let partitionCount = 1;
  const caughtUpPartitions = new Set<number>();
  let consumer: BatchConsumer | undefined;

  const settle = () => {
    if (caughtUp || joinedAt === undefined) return;
    const now = Date.now();
    const quiet = lastBatchAt === undefined ? now - joinedAt >= emptyTopicMs : now - lastBatchAt >= settleMs;
    if (caughtUpPartitions.size >= partitionCount || quiet) {
      caughtUp = true;
      log.info({ entries: entries.size }, 'suppression list loaded');
    }
  };

  return {
    async start() {
      if (consumer) return;
      try {
        const [description] = await deps.kafka.admin().describeTopics(['suppression']);
        partitionCount = Math.max(1, description?.partitions ?? 1);
      } catch (err) {
        log.warn({ err }, 'could not describe the suppression topic; assuming one partition');
      }
      consumer = deps.kafka.consumer({
        groupId: `${deps.groupId}.${randomBytes(6).toString('hex')}`,
        topics: ['suppression'],
        fromBeginning: true,
        handle: async (messages, ctx) => {
          for (const message of messages) {
            if (message.value === null) {
              if (message.key !== null) entries.delete(message.key);
            } else {
              entries.add(suppressionKey(message.value.identifier));
            }
          }
          lastBatchAt = Date.now();
          if (ctx.lag === 0) caughtUpPartitions.add(ctx.partition);
          settle();
        },
      });
      await consumer.start();
      joinedAt = Date.now();
    },
    async stop() {
      const running = consumer;
      consumer = undefined;
      if (running) await running.stop();
    },
    ready() {
      settle();
      return caughtUp;
    },
    size: () => entries.size,
    isSuppressed: (hashes) => hashes.some((h) => entries.has(h)),
  };
}

/** A fixed suppression set, for unit tests and tools. */
export function createStaticSuppressionChecker(keys: Iterable<string> = []): SuppressionChecker {
  const set = new Set(keys);
  return { isSuppressed: (hashes) => hashes.some((h) => set.has(h)) };
}
