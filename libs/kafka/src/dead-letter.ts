import type { DeadLetterV1, ErrorIssue } from '@tessera/contracts';
import { AppError } from '@tessera/contracts';
import { redactText } from '@tessera/observability';

/** Why a message was dead-lettered. `code` is an ErrorCode or HANDLER_FAILED. */
export interface DeadLetterReason {
  code: string;
  message: string;
  issues?: ErrorIssue[];
}

export interface DeadLetterInput {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
  consumerGroup: string;
  error: DeadLetterReason;
  attempts: number;
  failedAt?: Date;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The value as UTF-8 text when it decodes cleanly, else base64, so binary survives intact. */
export function encodeOriginalValue(value: Buffer | string | null): {
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
} {
  if (value === null) return { value: null, valueEncoding: 'utf8' };
  if (typeof value === 'string') return { value, valueEncoding: 'utf8' };
  try {
    return { value: strictUtf8.decode(value), valueEncoding: 'utf8' };
  } catch {
    return { value: value.toString('base64'), valueEncoding: 'base64' };
  }
}

/** The original bytes of a dead-letter record's value (for replays). */
export function decodeOriginalValue(record: Pick<DeadLetterV1, 'value' | 'valueEncoding'>): Buffer | null {
  if (record.value === null) return null;
  return Buffer.from(record.value, record.valueEncoding === 'base64' ? 'base64' : 'utf8');
}

/**
 * A DeadLetterV1 record for a message some consumer (or an intake validator) could not process.
 * Error messages are scrubbed of personal data: drivers embed row values in them.
 */
export function createDeadLetterRecord(input: DeadLetterInput): DeadLetterV1 {
  const error: DeadLetterV1['error'] = {
    code: input.error.code,
    message: redactText(input.error.message).slice(0, 2_000),
  };
  if (input.error.issues && input.error.issues.length > 0) {
    error.issues = input.error.issues.slice(0, 100).map((i) => ({ path: i.path, message: i.message }));
  }
  return {
    schemaVersion: 1,
    originalTopic: input.topic,
    partition: input.partition,
    offset: input.offset,
    consumerGroup: input.consumerGroup,
    key: input.key,
    ...encodeOriginalValue(input.value),
    headers: input.headers,
    error,
    attempts: Math.max(1, Math.floor(input.attempts)),
    failedAt: (input.failedAt ?? new Date()).toISOString(),
  };
}

/** The dead-letter reason for a handler error: AppErrors keep their code and details. */
export function reasonFromError(err: unknown): DeadLetterReason {
  if (err instanceof AppError) {
    const reason: DeadLetterReason = { code: err.code, message: err.message };
    if (err.details) reason.issues = err.details;
    return reason;
  }
  if (err instanceof Error) return { code: 'HANDLER_FAILED', message: `${err.name}: ${err.message}` };
  return { code: 'HANDLER_FAILED', message: String(err) };
}

/** Headers put on the dead-letter message itself, so tools can route without parsing values. */
export function deadLetterHeaders(record: DeadLetterV1): Record<string, string> {
  return {
    'x-tessera-dlq-code': record.error.code,
    'x-tessera-dlq-original-topic': record.originalTopic,
    'x-tessera-dlq-original-partition': String(record.partition),
    'x-tessera-dlq-original-offset': record.offset,
    'x-tessera-dlq-consumer-group': record.consumerGroup,
  };
}
