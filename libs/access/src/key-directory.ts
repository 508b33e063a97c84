import type { AccessKeyV1 } from '@tessera/contracts';
import { createCompactedTopicTail, type TesseraKafka } from '@tessera/kafka';
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
 * Tails the compacted access-keys topic from the beginning into memory (see
 * `createCompactedTopicTail` for when it counts as caught up), one consumer group per instance so
 * each sees all keys.
 */
export function createKeyDirectory(deps: KeyDirectoryDeps): KeyDirectory {
  const table = new KeyTable();
  const log = deps.logger.child({ module: 'key-directory' });
  const tail = createCompactedTopicTail({
    ...deps,
    logger: log,
    topic: 'accessKeys',
    apply(key, value) {
      if (value !== null) table.apply(value);
      else if (key !== null) table.delete(key);
    },
    onCaughtUp: () => log.info({ keys: table.size }, 'access keys loaded'),
  });

  return {
    start: () => tail.start(),
    stop: () => tail.stop(),
    ready: () => tail.ready(),
    ...lookupsOf(table),
  };
}

function lookupsOf(table: KeyTable): Omit<KeyDirectory, 'start' | 'stop' | 'ready'> {
  return {
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
    ...lookupsOf(table),
  };
}
