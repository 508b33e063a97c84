export { createKafka, type KafkaSettings } from './kafka';
export type {
  BatchConsumer,
  BatchConsumerOptions,
  BatchContext,
  BatchHandler,
  ConsumedMessage,
  EnsureTopicsOptions,
  ExtraTopic,
  PublishOptions,
  RawMessage,
  TesseraKafka,
  TopicAdmin,
  TopicDescription,
  TypedProducer,
} from './types';
export {
  createDeadLetterRecord,
  decodeOriginalValue,
  deadLetterHeaders,
  encodeOriginalValue,
  reasonFromError,
  type DeadLetterInput,
  type DeadLetterReason,
} from './dead-letter';
export { decodeRecord, headersToStrings, type RawRecord } from './decode';
export { encodeMessages } from './producer';
export { backoffDelay } from './backoff';
export { isRetryable } from './failure-policy';
export {
  createCompactedTopicTail,
  type CompactedTopicTail,
  type CompactedTopicTailOptions,
} from './compacted-tail';
