import { Topics, issuesFromZod, type TopicId, type TopicMessage } from '@tessera/contracts';
import type { DeadLetterReason } from './dead-letter';
import type { ConsumedMessage } from './types';

/** The parts of a fetched record decoding needs (KafkaJS's `KafkaMessage` has them). */
export interface RawRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
  timestamp: string;
}

export type Decoded<T extends TopicId> =
  { ok: true; message: ConsumedMessage<TopicMessage<T> | null> } | { ok: false; reason: DeadLetterReason };

/** Header values as strings (repeated headers: the last value wins, like most HTTP stacks). */
export function headersToStrings(headers: RawRecord['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}

/**
 * Parses and validates one record against its topic's schema. Failures carry the reason that
 * goes into the dead-letter record: malformed JSON, a tombstone where none is allowed, or the
 * zod issues with their paths.
 */
export function decodeRecord<T extends TopicId>(
  topicId: T,
  physicalTopic: string,
  partition: number,
  record: RawRecord,
): Decoded<T> {
  const spec = Topics[topicId];
  const base = {
    topic: physicalTopic,
    partition,
    offset: record.offset,
    key: record.key === null ? null : record.key.toString('utf8'),
    headers: headersToStrings(record.headers),
    timestamp: record.timestamp,
  };
  if (record.value === null) {
    if (spec.tombstones) return { ok: true, message: { ...base, value: null } };
    return {
      ok: false,
      reason: {
        code: 'EVENT_SCHEMA_INVALID',
        message: `tombstone (null value) on ${spec.name}, which has no tombstones`,
      },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString('utf8'));
  } catch (err) {
    return {
      ok: false,
      reason: { code: 'MALFORMED_JSON', message: `value is not valid JSON: ${(err as Error).message}` },
    };
  }
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: {
        code: 'EVENT_SCHEMA_INVALID',
        message: `value does not match the ${spec.name} schema`,
        issues: issuesFromZod(parsed.error),
      },
    };
  }
  return { ok: true, message: { ...base, value: parsed.data as TopicMessage<T> } };
}
