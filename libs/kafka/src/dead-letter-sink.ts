import { AppError, topicName, type DeadLetterV1 } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import { deadLetterHeaders } from './dead-letter';
import { ProcessingAborted } from './failure-policy';
import { kafkaErrorType, NON_RETRYABLE_PRODUCE_ERRORS } from './kafka-errors';
import { encodeMessages } from './producer';
import type { RawMessage, TypedProducer } from './types';

/** Values above this are cut so the dead letter itself fits under the broker's size limit. */
const MAX_DEAD_LETTER_VALUE_CHARS = 256 * 1024;

/**
 * Publishes dead letters and does not give up: a message is only skipped once its dead letter is
 * acknowledged, so while Kafka is unreachable the consumer waits instead of losing messages.
 */
export class DeadLetterSink {
  private readonly topic: string;

  constructor(
    private readonly producer: TypedProducer,
    topicPrefix: string,
    private readonly groupId: string,
    private readonly log: Logger,
  ) {
    this.topic = topicName('deadLetter', topicPrefix);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(
    records: DeadLetterV1[],
    control: { shouldStop(): boolean; wait(retry: number): Promise<void> },
  ): Promise<void> {
    let pending = records;
    for (let retry = 0; ; retry += 1) {
      try {
        await this.producer.publishRaw(this.topic, this.encode(pending));
        return;
      } catch (err) {
        const type = kafkaErrorType(err);
        if (type && NON_RETRYABLE_PRODUCE_ERRORS.has(type)) {
          pending = pending.map(truncateValue);
        } else if (err instanceof AppError && !err.retryable) {
          throw err;
        }
        if (control.shouldStop()) throw new ProcessingAborted();
        this.log.warn({ err, group: this.groupId, retry, type }, 'publishing dead letters failed; retrying');
        await control.wait(retry);
      }
    }
  }

  private encode(records: DeadLetterV1[]): RawMessage[] {
    const encoded = encodeMessages('deadLetter', records, undefined);
    return encoded.map((m, i) => ({
      key: typeof m.key === 'string' ? m.key : null,
      value: m.value as string,
      headers: deadLetterHeaders(records[i]!),
    }));
  }
}

function truncateValue(record: DeadLetterV1): DeadLetterV1 {
  if (record.value === null || record.value.length <= MAX_DEAD_LETTER_VALUE_CHARS) return record;
  return {
    ...record,
    value: record.value.slice(0, MAX_DEAD_LETTER_VALUE_CHARS),
    error: {
      ...record.error,
      message: `${record.error.message} (value truncated to ${MAX_DEAD_LETTER_VALUE_CHARS} characters; the original stays at its offset)`,
    },
  };
}
