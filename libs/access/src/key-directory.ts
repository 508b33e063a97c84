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
  /** Quiet period after the last batch that counts as caught up (default 500 ms). */
  settleMs?: number;
  /** With no batch at all for this long after start the topic counts as empty (default 5 s). */
  emptyTopicMs?: number;
}

/**
 * Tails the compacted access-keys topic from the beginning into memory, one consumer group per
 * instance (so each sees all keys; the group's committed offsets are never reused).
 *
 * Readiness: the kafka lib's batch handler does not expose high watermarks, so "caught up" is
 * taken as: at least one batch handled and no further batch for `settleMs` (the consumer fetches
 * back to back while it lags), or no batch within `emptyTopicMs` of start (an empty topic).
 */
export function createKeyDirectory(deps: KeyDirectoryDeps): KeyDirectory {
  const table = new KeyTable();
  const log = deps.logger.child({ module: 'key-directory' });
  const settleMs = deps.settleMs ?? 500;
  const emptyTopicMs = deps.emptyTopicMs ?? 5_000;
  let caughtUp = false;
  let startedAt = 0;
  let lastBatchAt: number | undefined;
  let consumer: BatchConsumer | undefined;

  const markReadyIfSettled = () => {
    if (caughtUp || startedAt === 0) return;
    const now = Date.now();
    const settled =
      lastBatchAt !== undefined ? now - lastBatchAt >= settleMs : now - startedAt >= emptyTopicMs;
    if (settled) {
      caughtUp = true;
      log.info({ keys: table.size }, 'access keys loaded');
    }
  };

  const directory: KeyDirectory = {
    async start() {
      if (consumer) return;
      startedAt = Date.now();
      consumer = deps.kafka.consumer({
        groupId: `${deps.groupId}.${randomBytes(6).toString('hex')}`,
        topics: ['accessKeys'],
        fromBeginning: true,
        handle: async (messages) => {
          for (const message of messages) {
            if (message.value === null) {
              if (message.key !== null) table.delete(message.key);
            } else {
              table.apply(message.value);
            }
          }
          lastBatchAt = Date.now();
        },
      });
      await consumer.start();
    },
    async stop() {
      const running = consumer;
      consumer = undefined;
      if (running) await running.stop();
    },
    ready() {
      markReadyIfSettled();
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
