/** The KafkaJS error type (`MESSAGE_TOO_LARGE`, …) of an error or of the errors it wraps. */
export function kafkaErrorType(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  if ('type' in err && typeof err.type === 'string') return err.type;
  const inner =
    ('originalError' in err ? err.originalError : undefined) ?? ('cause' in err ? err.cause : undefined);
  return kafkaErrorType(inner, depth + 1);
}

/** Rejections no retry can fix: the request itself is unacceptable to the broker. */
export const NON_RETRYABLE_PRODUCE_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_REQUIRED_ACKS',
]);
