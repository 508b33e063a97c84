import { randomBytes } from 'node:crypto';
import type { AccessKeyV1 } from '@tessera/contracts';
import type { BatchConsumer, TesseraKafka } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { VerifiedKey } from './api-key';
import { KeyTable, type KeyCheck } from './key-table';

/** Every key known to this process, kept current from the access-keys topic. */
export interface KeyDirectory {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once the topic has been read up to where it stood at start (or was found empty). */
  ready(): boolean;
  /** The caller's key if the token is valid and not revoked. */
  verify(token: string): VerifiedKey | undefined;
  /** Like `verify`, but tells a revoked key (correct secret) from an unknown one. */
  check(token: string): KeyCheck;
  /** Applies a record at once (the writer's own change, before it comes back from Kafka). */
  upsert(record: AccessKeyV1): void;
  get(keyId: string): AccessKeyV1 | undefined;
  list(): AccessKeyV1[];
}

export interface KeyDirectoryDeps {
  kafka: TesseraKafka;
  logger: Logger;
  /** Base consumer group; a random suffix is added so every instance reads every key. */
  groupId: string;
  /** Quiet period after the last batch that also counts as caught up (default 2 s). */
  settleMs?: number;
  /** With no batch at all for this long after joining, the topic counts as empty (default 3 s). */
  emptyTopicMs?: number;
}

/**
 * Tails the compacted access-keys topic from the beginning into memory, one consumer group per
 * instance (so each sees all keys; the group's committed offsets are never reused).
 *
 * Readiness ("caught up with the topic as it stood"): every partition delivered a chunk with no
 * lag behind the high watermark of its fetch. Partitions that deliver nothing are empty, so as
 * a fallback the directory is also ready when no batch came within `emptyTopicMs` of joining, or
 * none followed the last one for `settleMs` (longer than a fetch wait: a lagging consumer
 * fetches back to back; this also covers a compacted tail, where the last offset is a gap).
 */
export function createKeyDirectory(deps: KeyDirectoryDeps): KeyDirectory {
  const table = new KeyTable();
  const log = deps.logger.child({ module: 'key-directory' });
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
    const allPartitions = caughtUpPartitions.size >= partitionCount;
    const quiet = lastBatchAt === undefined ? now - joinedAt >= emptyTopicMs : now - lastBatchAt >= settleMs;
    if (allPartitions || quiet) {
      caughtUp = true;
      log.info({ keys: table.size }, 'access keys loaded');
    }
  };

  const directory: KeyDirectory = {
    async start() {
      if (consumer) return;
      const admin = deps.kafka.admin();
      try {
        const [description] = await admin.describeTopics(['accessKeys']);
        partitionCount = Math.max(1, description?.partitions ?? 1);
      } catch (err) {
        log.warn({ err }, 'could not describe the access-keys topic; assuming one partition');
      } finally {
        // An open admin connection keeps a short-lived process (a CLI command) from exiting.
        await admin.disconnect().catch(() => undefined);
      }
      consumer = deps.kafka.consumer({
        groupId: `${deps.groupId}.${randomBytes(6).toString('hex')}`,
        topics: ['accessKeys'],
        fromBeginning: true,
        handle: async (messages, ctx) => {
          for (const message of messages) {
            if (message.value === null) {
              if (message.key !== null) table.delete(message.key);
            } else {
              table.apply(message.value);
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
    verify(token) {
      const result = table.check(token);
      return result.status === 'valid' ? result.key : undefined;
    },
    check: (token) => table.check(token),
    upsert: (record) => table.apply(record),
    get: (keyId) => table.get(keyId),
    list: () => table.list(),
  };
  return directory;
}

/**
 * A directory over a fixed set of records, always ready: for unit tests of services (no Kafka)
 * and for tools that already hold the records.
 */
export function createStaticKeyDirectory(records: AccessKeyV1[] = [], clock?: () => number): KeyDirectory {
  const table = new KeyTable(clock);
  for (const record of records) table.apply(record);
  return {
    start: async () => undefined,
    stop: async () => undefined,
    ready: () => true,
    verify(token) {
      const result = table.check(token);
      return result.status === 'valid' ? result.key : undefined;
    },
    check: (token) => table.check(token),
    upsert: (record) => table.apply(record),
    get: (keyId) => table.get(keyId),
    list: () => table.list(),
  };
}
