import type { TopicId, TopicMessage } from '@tessera/contracts';

/** A message as handed to a consumer's handler: decoded, validated, headers as strings. */
export interface ConsumedMessage<V> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: V;
  headers: Record<string, string>;
  /** Broker/producer timestamp, milliseconds since the epoch as a string (Kafka's own format). */
  timestamp: string;
}

/** What a handler is told about the batch it is handling. */
export interface BatchContext<T extends TopicId> {
  topic: T;
  partition: number;
  /** Call during long work so the group coordinator does not consider the member dead. */
  heartbeat(): Promise<void>;
  /** The partition's high watermark when the batch was fetched (offset of the next message to be written). */
  highWatermark: string;
  /** Messages after this chunk that were already in the partition when the batch was fetched. */
  lag: number;
}

export type BatchHandler<T extends TopicId> = (
  messages: Array<ConsumedMessage<TopicMessage<T> | null>>,
  ctx: BatchContext<T>,
) => Promise<void>;

export interface BatchConsumerOptions<T extends TopicId> {
  /** Consumer group; prefixed with the deployment's topic prefix automatically. */
  groupId: string;
  topics: T[];
  /** Where a group without committed offsets starts (default true: the earliest offset). */
  fromBeginning?: boolean;
  /**
   * One call per chunk of a fetched partition batch, after schema validation: invalid messages
   * are dead-lettered with the zod issues and never reach the handler. Tombstones arrive with
   * value null (only on topics whose spec allows them).
   */
  handle: BatchHandler<T>;
  /** Attempts for a non-retryable failure before the batch is bisected (default 5). */
  maxRetries?: number;
  /** Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Large fetches are handed over in chunks of this size (default 500). */
  maxBatchSize?: number;
  /** Backoff bounds for retries (defaults 100 ms and 10 s). */
  retryBackoff?: { initialMs?: number; maxMs?: number };
  /** Longest the broker holds a fetch open waiting for data (default 1000 ms; bounds stop() latency). */
  maxWaitTimeMs?: number;
  /** How often the lag gauge is refreshed from the broker (default 30 s; 0 turns it off). */
  lagIntervalMs?: number;
  /** Group session timeout (default 30 s). */
  sessionTimeoutMs?: number;
}

export interface BatchConsumer {
  /** Connects, subscribes and starts consuming; resolves once the consumer runs. */
  start(): Promise<void>;
  /** Stops fetching, lets the in-flight chunk finish, commits, disconnects (bounded). */
  stop(): Promise<void>;
  isRunning(): boolean;
  /** The physical (prefixed) consumer group id. */
  readonly groupId: string;
}

export interface PublishOptions {
  headers?: Record<string, string>;
  /**
   * The caller built every message so that it satisfies the topic's schema (and tests that its
   * builder's output does, property-based), so the producer skips re-parsing it. For hot paths
   * whose input was already validated; consumers still validate every message they read.
   * Keys still come from the catalogue. Anything else must not set it.
   */
  prevalidated?: boolean;
}

export interface RawMessage {
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
  /** Explicit partition; otherwise the murmur2 partitioner places the message by key. */
  partition?: number;
}

export interface TypedProducer {
  connect(): Promise<void>;
  /** Waits for sends in flight, then disconnects. */
  disconnect(): Promise<void>;
  /**
   * Validates every message with the topic's schema (AppError EVENT_SCHEMA_INVALID, nothing sent,
   * on failure; skipped only with `opts.prevalidated`), keys it from the catalogue and resolves only after the broker acknowledged
   * (acks=all). Broker failures reject with AppError UPSTREAM_UNAVAILABLE (retryable).
   */
  publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[], opts?: PublishOptions): Promise<void>;
  /** Null-valued messages for the given keys; only for topics whose spec allows tombstones. */
  publishTombstone(topic: TopicId, keys: string[]): Promise<void>;
  /** Unvalidated messages to a physical topic name (dead letters, replays, tests). */
  publishRaw(physicalTopic: string, messages: RawMessage[]): Promise<void>;
}

export interface TopicDescription {
  name: string;
  partitions: number;
  /** Topic-level overrides (not broker defaults). */
  config: Record<string, string>;
}

export interface ExtraTopic {
  name: string;
  partitions: number;
  config?: Record<string, string>;
}

export interface EnsureTopicsOptions {
  /** Upper bound on partitions per catalogue topic (tests use 3; production leaves it unset). */
  partitions?: number;
  /** Overrides the replication factor from the kafka settings. */
  replicationFactor?: number;
}

export interface TopicAdmin {
  /**
   * Creates the missing catalogue topics (all when `ids` is omitted) and `extra` ones, with their
   * partitions and config; existing topics are left alone. Resolves once metadata shows them all.
   */
  ensureTopics(ids?: TopicId[], extra?: ExtraTopic[], opts?: EnsureTopicsOptions): Promise<void>;
  describeTopics(ids?: TopicId[]): Promise<TopicDescription[]>;
  /** Per partition, the offset the next message will get (the high watermark), as Kafka's string. */
  endOffsets(id: TopicId): Promise<Map<number, string>>;
  /** Deletes every topic whose name starts with `prefix` (which must not be empty). For tests. */
  deleteTopicsByPrefix(prefix: string): Promise<void>;
  /** Deletes every (empty) consumer group whose id starts with `prefix`. For tests. */
  deleteGroupsByPrefix(prefix: string): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TesseraKafka {
  /** Physical topic name with the deployment prefix. */
  topic(id: TopicId): string;
  readonly topicPrefix: string;
  /** Idempotent producer, acks=all. */
  producer(opts?: { name?: string }): TypedProducer;
  consumer<T extends TopicId>(opts: BatchConsumerOptions<T>): BatchConsumer;
  /** Connects lazily on first use. */
  admin(): TopicAdmin;
}
